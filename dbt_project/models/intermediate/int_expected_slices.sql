-- The slices expected of each province in each plan year (spec 5): every period of Y of every
-- feed (12 monthly, 4 quarterly, 1 annual), flagged whether it counts for data sharing (all but
-- province_reports), and each matched with what was delivered. A feed is expected only inside
-- its life span (the contract's first_period .. last_period, in ingest.feed_catalogue): adding
-- or retiring a feed changes no slice, share or feed-health row of a period outside it.
with catalogue as (
    select * from {{ source('ingest', 'feed_catalogue') }}
),

period_numbers as (
    select {{ integer_series(1, 13) }} as i
),

periods as (
    select years.year, catalogue.feed, catalogue.cadence, catalogue.expected_in_delivery_share,
        catalogue.first_period, catalogue.last_period,
        case catalogue.cadence
            when 'monthly' then cast(years.year as string) || lpad(cast(n.i as string), 2, '0')
            when 'quarterly' then cast(years.year as string) || 'Q' || cast(n.i as string)
            else cast(years.year as string)
        end as period
    from {{ ref('int_plan_years') }} as years
    cross join catalogue
    cross join period_numbers as n
    where (catalogue.cadence = 'monthly')
       or (catalogue.cadence = 'quarterly' and n.i <= 4)
       or (catalogue.cadence = 'annual' and n.i = 1)
),

-- Period labels of one cadence sort as text in time order (YYYYMM, YYYYQn, YYYY).
in_span as (
    select * from periods
    where periods.period >= periods.first_period
      and (periods.last_period is null or periods.period <= periods.last_period)
),

due_rules as (
    select * from {{ ref('delivery_due_rules') }}
)

select
    provinces.province_code,
    periods.year,
    periods.feed,
    periods.cadence,
    periods.period,
    periods.expected_in_delivery_share,
    {{ slice_due_at('periods.period', 'due_rules.months_after_period_end', 'due_rules.due_day') }} as due_at,
    coalesce(delivered.accepted, false) as accepted,
    coalesce(delivered.on_time, false) as on_time,
    coalesce(delivered.clean, false) as clean,
    coalesce(delivered.accepted and delivered.on_time and delivered.clean, false) as counts_on_time_and_clean
from {{ ref('provinces') }} as provinces
cross join in_span as periods
inner join due_rules on due_rules.cadence = periods.cadence
left join {{ ref('int_delivery_slices') }} as delivered
    on delivered.feed = periods.feed
    and delivered.province_code = provinces.province_code
    and delivered.period = periods.period
