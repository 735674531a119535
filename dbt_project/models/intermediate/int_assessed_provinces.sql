-- Which provinces are assessed in which plan year (spec 5, v1.1): a province is assessed in Y
-- when at least one slice of Y (a period whose year is Y) of any feed has an accepted
-- submission from it. A province with none is not scored, not ranked and left out of the
-- assessment export; the dashboard shows it as 未报送. One row per province x year of the plan
-- (the baseline year included), assessed or not, so coverage can be counted.
with accepted as (
    select province as province_code, cast(substr(period, 1, 4) as integer) as year,
           count(distinct feed || '|' || period) as accepted_slices,
           count(distinct feed) as accepted_feeds
    from {{ source('ingest', 'files') }}
    where status = 'loaded' and province is not null and period is not null
    group by all
)

select
    provinces.province_code,
    provinces.province_name,
    years.year,
    years.is_assessment_year,
    coalesce(accepted.accepted_slices, 0) as accepted_slices,
    coalesce(accepted.accepted_feeds, 0) as accepted_feeds,
    accepted.accepted_slices is not null as is_assessed
from {{ ref('provinces') }} as provinces
cross join {{ ref('int_plan_years') }} as years
left join accepted
    on accepted.province_code = provinces.province_code and accepted.year = years.year
