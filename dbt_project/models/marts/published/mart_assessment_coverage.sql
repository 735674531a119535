-- Who delivered, per plan year (spec 5, v1.1): every province with whether it is assessed in
-- the year (at least one accepted slice of the year) and how many slices it delivered. The
-- dashboard shows the provinces that are not assessed as 未报送 and counts coverage
-- ("已报送省份 3/32") from here; the assessment, ranking and evaluation leave them out.
select
    province_code,
    province_name,
    cast(year as integer) as year,
    is_assessment_year,
    is_assessed,
    cast(accepted_slices as integer) as accepted_slices,
    cast(accepted_feeds as integer) as accepted_feeds
from {{ ref('int_assessed_provinces') }}
