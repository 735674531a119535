-- Hidden hazards in their current state: the record of the latest period in which each hazard
-- was reported (a hazard is re-reported when its state changes).
with current_records as (
    {{ current_version('em_hazards') }}
),

latest as (
    {{ latest_period_per_key('current_records', ['hazard_no']) }}
)

select
    hazard_no,
    uscc,
    found_date,
    level,
    deadline,
    rectified_date,
    {{ lineage_columns() }}
from latest
