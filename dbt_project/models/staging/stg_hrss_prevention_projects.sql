-- Prevention-fund projects, current version of each annual slice.
with current_records as (
    {{ current_version('hrss_prevention_projects') }}
),

latest as (
    {{ latest_period_per_key('current_records', ['project_no']) }}
)

select
    project_no,
    project_name,
    category,
    budget_yuan,
    spent_yuan,
    acceptance,
    cast(_period as integer) as project_year,
    {{ lineage_columns() }}
from latest
