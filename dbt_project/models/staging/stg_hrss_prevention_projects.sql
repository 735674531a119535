{{ config(materialized=keyed_staging_materialization(), incremental_strategy='append',
          pre_hook=["{{ ensure_meta_schema() }}", "{{ ensure_watermarks() }}",
                    "{{ delete_stale_staged_keys('hrss_prevention_projects', 'project_no') }}"],
          post_hook="{{ record_staged_keys_watermark() }}") }}
-- depends_on: {{ source('ingest', 'files') }}
-- Prevention-fund projects, current version of each annual slice.
with current_records as (
    {{ current_version('hrss_prevention_projects', where=stale_staged_keys('hrss_prevention_projects', 'project_no')) }}
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
