-- Feed health for data engineers: every feed x province x period from the baseline year to the
-- data's as-of date — received or missing, on time, current seq, records loaded / rejected /
-- flagged, and whether the slice counts for the data-sharing component. A feed appears only for
-- the periods of its life span (contract first_period .. last_period, via int_expected_slices).
with catalogue as (
    select * from {{ source('ingest', 'feed_catalogue') }}
),

expected as (
    select * from {{ ref('int_expected_slices') }}
),

delivered as (
    select * from {{ ref('int_delivery_slices') }}
),

as_of as (
    select * from {{ ref('int_as_of') }}
),

grid as (
    select expected.province_code, expected.year, expected.feed, expected.period, expected.due_at,
           expected.expected_in_delivery_share, expected.counts_on_time_and_clean
    from expected
    cross join as_of
    where {{ period_start('expected.period') }} <= as_of.as_of_date
)

select
    grid.feed,
    catalogue.title_zh as feed_title,
    catalogue.agency,
    catalogue.cadence,
    grid.province_code,
    provinces.province_name,
    grid.period,
    cast(grid.year as integer) as year,
    grid.due_at,
    case
        when delivered.accepted and delivered.on_time then 'on_time'
        when delivered.accepted then 'late'
        when delivered.submissions > 0 then 'quarantined'
        when grid.due_at < as_of.as_of_at then 'missing'
        else 'not_due'
    end as status,
    case
        when delivered.accepted and delivered.on_time then '按时'
        when delivered.accepted then '逾期'
        when delivered.submissions > 0 then '被隔离'
        when grid.due_at < as_of.as_of_at then '缺报'
        else '未到期'
    end as status_zh,
    coalesce(delivered.accepted, false) as accepted,
    coalesce(delivered.on_time, false) as on_time,
    coalesce(delivered.clean, false) as clean,
    grid.expected_in_delivery_share,
    coalesce(grid.counts_on_time_and_clean, false) as counts_on_time_and_clean,
    cast(coalesce(delivered.submissions, 0) as integer) as submissions,
    cast(coalesce(delivered.quarantined_submissions, 0) as integer) as quarantined_submissions,
    delivered.first_seq,
    delivered.current_seq,
    delivered.first_exported_at,
    cast(coalesce(delivered.records, 0) as bigint) as records,
    cast(coalesce(delivered.records_loaded, 0) as bigint) as records_loaded,
    cast(coalesce(delivered.records_rejected, 0) as bigint) as records_rejected,
    cast(coalesce(delivered.records_flagged, 0) as bigint) as records_flagged,
    cast({{ round_half_up('delivered.rejected_share', 4) }} as decimal(18, 4)) as rejected_share
from grid
cross join as_of
inner join catalogue on catalogue.feed = grid.feed
inner join {{ ref('dim_provinces') }} as provinces on provinces.province_code = grid.province_code
left join delivered
    on delivered.feed = grid.feed
    and delivered.province_code = grid.province_code
    and delivered.period = grid.period
