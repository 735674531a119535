-- Every delivered slice (feed, province, period) from the ledger: its first accepted
-- submission (lowest non-quarantined seq) decides timeliness, its current version (highest
-- accepted seq) decides cleanliness (spec 5, "on-time and clean delivery"). in_span says whether
-- the period lies inside the feed's life span (its contract's first_period .. last_period); only
-- those slices are expected (int_expected_slices) and counted.
with files as (
    select * from {{ source('ingest', 'files') }}
    where province is not null and period is not null
),

catalogue as (
    select * from {{ source('ingest', 'feed_catalogue') }}
),

due_rules as (
    select * from {{ ref('delivery_due_rules') }}
),

plan as (
    select clean_reject_share_max from {{ ref('plan_cycles') }}
),

accepted as (
    select * from files where status = 'loaded'
),

first_accepted as (
    {{ first_row_per_group('feed, province, period, seq as first_seq, exported_at as first_exported_at',
                           'accepted', 'feed, province, period', 'seq, taken_at') }}
),

current_version as (
    {{ first_row_per_group('feed, province, period, seq as current_seq, records, records_loaded, records_rejected,'
                           ' records_flagged', 'accepted', 'feed, province, period', 'seq desc, taken_at desc') }}
),

submissions as (
    select feed, province, period, count(*) as submissions,
           count(*) filter (where status = 'quarantined') as quarantined_submissions,
           min(exported_at) as earliest_exported_at
    from files
    group by all
)

select
    submissions.feed,
    submissions.province as province_code,
    submissions.period,
    cast(substr(submissions.period, 1, 4) as integer) as period_year,
    catalogue.cadence,
    {{ slice_due_at('submissions.period', 'due_rules.months_after_period_end', 'due_rules.due_day') }} as due_at,
    submissions.submissions,
    submissions.quarantined_submissions,
    first_accepted.first_seq,
    first_accepted.first_exported_at,
    current_version.current_seq,
    current_version.records,
    current_version.records_loaded,
    current_version.records_rejected,
    current_version.records_flagged,
    first_accepted.first_seq is not null as accepted,
    coalesce(submissions.period >= catalogue.first_period
             and (catalogue.last_period is null or submissions.period <= catalogue.last_period), false)
        as in_span,
    case when current_version.records > 0
         then current_version.records_rejected / current_version.records end as rejected_share,
    first_accepted.first_exported_at
        <= {{ slice_due_at('submissions.period', 'due_rules.months_after_period_end', 'due_rules.due_day') }}
        as on_time,
    coalesce(current_version.records_rejected <= plan.clean_reject_share_max * current_version.records, false)
        as clean
from submissions
inner join catalogue on catalogue.feed = submissions.feed
inner join due_rules on due_rules.cadence = catalogue.cadence
cross join plan
left join first_accepted
    on first_accepted.feed = submissions.feed
    and first_accepted.province = submissions.province
    and first_accepted.period = submissions.period
left join current_version
    on current_version.feed = submissions.feed
    and current_version.province = submissions.province
    and current_version.period = submissions.period
