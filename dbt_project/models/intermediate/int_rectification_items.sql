-- Items with a rectification deadline (spec 5, "rectified on time"): exceeding samples (deadline
-- as given or sample_date + 30) and 重大隐患 hazards in their current state.
with samples as (
    select
        province_code, 'exceedance' as item_type, sample_no as item_no, uscc,
        rectification_deadline as deadline, rectified_date, factor as detail
    from {{ ref('int_exposure_samples_assessed') }}
    where exceeds
),

hazards as (
    select
        province_code, 'major_hazard' as item_type, hazard_no as item_no, uscc,
        deadline, rectified_date, level as detail
    from {{ ref('int_hazards_current') }}
    where is_major
),

items as (
    select * from samples
    union all
    select * from hazards
)

select
    *,
    year(deadline) as deadline_year,
    rectified_date is not null and rectified_date <= deadline as rectified_on_time
from items
