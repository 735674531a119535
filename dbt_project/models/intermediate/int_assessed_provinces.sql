-- Which provinces are assessed in which plan year (spec 5, v1.1): a province is assessed in Y
-- when at least one slice of Y (a period whose year is Y) of any feed has an accepted
-- submission from it. A province with none is not scored, not ranked and left out of the
-- assessment export; the dashboard shows it as 未报送. One row per province x year of the plan
-- (the baseline year included), assessed or not, so coverage can be counted.
-- Only slices inside their feed's life span count (a delivery of a feed before its first
-- period, or after its last, is loaded but makes no province assessed), so adding or retiring a
-- feed changes no year outside its span.
with catalogue as (
    select feed, first_period, last_period from {{ source('ingest', 'feed_catalogue') }}
),

accepted as (
    select files.province as province_code, cast(substr(files.period, 1, 4) as integer) as year,
           count(distinct files.feed || '|' || files.period) as accepted_slices,
           count(distinct files.feed) as accepted_feeds
    from {{ source('ingest', 'files') }} as files
    inner join catalogue on catalogue.feed = files.feed
    where files.status = 'loaded' and files.province is not null and files.period is not null
      and files.period >= catalogue.first_period
      and (catalogue.last_period is null or files.period <= catalogue.last_period)
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
