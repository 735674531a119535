-- Share of items due in Y rectified on or before their deadline; no items: 1 (spec 5).
with items as (
    select * from {{ ref('int_rectification_items') }}
),

spine as (
    select provinces.province_code, years.year
    from {{ ref('provinces') }} as provinces
    cross join {{ ref('int_plan_years') }} as years
),

counts as (
    select province_code, deadline_year as year, count(*) as items_due,
           count(*) filter (where rectified_on_time) as items_on_time
    from items
    group by all
)

select
    spine.province_code,
    spine.year,
    coalesce(counts.items_due, 0) as items_due,
    coalesce(counts.items_on_time, 0) as items_on_time,
    case when coalesce(counts.items_due, 0) = 0 then 1.0
         else counts.items_on_time / counts.items_due end as rectified_on_time_share
from spine
left join counts on counts.province_code = spine.province_code and counts.year = spine.year
