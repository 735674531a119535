-- Workplace hazard-factor measurements, current version of each monthly slice. `factor` is the
-- name as in the limit table where it matched (after NFKC); `unit` is null where flagged.
with current_records as (
    {{ current_version('nhc_hazard_monitoring') }}
),

latest as (
    {{ latest_period_per_key('current_records', ['sample_no']) }}
)

select
    sample_no,
    uscc,
    sample_date,
    post,
    factor,
    metric,
    value,
    unit,
    deadline as deadline_given,
    rectified_date,
    {{ lineage_columns() }}
from latest
