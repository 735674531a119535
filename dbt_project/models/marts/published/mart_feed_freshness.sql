-- Freshness of every feed x province at the data's as-of time (issue 13): the latest slice that
-- was due by then (its cadence and the due rule of seed delivery_due_rules, within the feed's
-- life span, as mart_feed_health grids them), whether it arrived, and how long it is overdue.
-- A feed x province is overdue when its latest due slice has no accepted delivery (missing, or
-- every submission quarantined). The Dagster check `deliveries_current` of each raw feed and
-- the run summary read this mart; "now" is the data's as-of time, not the wall clock, so a
-- rebuild of old deliveries judges them as they stood.
with health as (
    select * from {{ ref('mart_feed_health') }}
),

as_of as (
    select * from {{ ref('int_as_of') }}
),

due as (
    select * from health where status <> 'not_due'
),

latest_due as (
    select
        feed,
        province_code,
        max(period) as latest_due_period,
        max(period) filter (where accepted) as last_accepted_period,
        count(*) filter (where not accepted) as missing_slices
    from due
    group by feed, province_code
),

keys as (
    select distinct feed, feed_title, agency, cadence, province_code, province_name from health
)

select
    keys.feed,
    keys.feed_title,
    keys.agency,
    keys.cadence,
    keys.province_code,
    keys.province_name,
    latest_due.latest_due_period,
    latest.due_at as latest_due_at,
    latest.status as latest_due_status,
    latest.status_zh as latest_due_status_zh,
    latest_due.last_accepted_period,
    cast(coalesce(latest_due.missing_slices, 0) as integer) as missing_slices,
    coalesce(latest.status in ('missing', 'quarantined'), false) as is_overdue,
    cast(case when latest.status in ('missing', 'quarantined')
              then {{ dbt.datediff('latest.due_at', 'as_of.as_of_at', 'day') }} end as integer) as days_overdue,
    latest_due.last_accepted_period is not null as has_delivered
from keys
cross join as_of
left join latest_due on latest_due.feed = keys.feed and latest_due.province_code = keys.province_code
left join due as latest
    on latest.feed = keys.feed and latest.province_code = keys.province_code
    and latest.period = latest_due.latest_due_period
