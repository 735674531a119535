-- Prevention training records, current version of each monthly slice.
with current_records as (
    {{ current_version('hrss_training') }}
),

latest as (
    {{ latest_period_per_key('current_records', ['record_no']) }}
)

select
    record_no,
    uscc,
    person_pseudonym,
    role,
    training_date,
    mode,
    hours,
    result,
    {{ lineage_columns() }}
from latest
