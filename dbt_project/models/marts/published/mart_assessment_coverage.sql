-- Who delivered, per plan year (spec 5, v1.1): every province with whether it is assessed in
-- the year (at least one accepted slice of the year) and how many slices it delivered. The
-- dashboard shows the provinces that are not assessed as 未报送 and counts coverage
-- ("已报送省份 3/32") from here; the assessment, ranking and evaluation leave them out.
-- A year is provisional (预评估) while some slice of it is not yet due at the data's as-of
-- time: its figures can still change as the remaining deliveries arrive.
with last_due as (
    select year, max(due_at) as last_due_at
    from {{ ref('int_expected_slices') }}
    where expected_in_delivery_share
    group by year
)

select
    assessed.province_code,
    assessed.province_name,
    cast(assessed.year as integer) as year,
    assessed.is_assessment_year,
    assessed.is_assessed,
    cast(assessed.accepted_slices as integer) as accepted_slices,
    cast(assessed.accepted_feeds as integer) as accepted_feeds,
    last_due.last_due_at,
    coalesce(as_of.as_of_at is null or as_of.as_of_at < last_due.last_due_at, true) as is_provisional
from {{ ref('int_assessed_provinces') }} as assessed
left join last_due on last_due.year = assessed.year
cross join {{ ref('int_as_of') }} as as_of
