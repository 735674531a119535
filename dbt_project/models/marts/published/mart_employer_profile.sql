{{ config(materialized=duckdb_incremental_materialization(), incremental_strategy='append', on_schema_change='fail',
          pre_hook=["{{ ensure_meta_schema() }}", "{{ ensure_watermarks() }}", "{{ ensure_employer_event_changes() }}",
                    "{{ list_stale_profile_employers() }}", "{{ delete_stale_profile_rows() }}"],
          post_hook=["{{ move_profile_as_of_date() }}", "{{ record_watermark() }}"]) }}
-- depends_on: {{ source('ingest', 'files') }}
-- depends_on: {{ source('raw', 'acftu_supervision') }}

-- Employer profile (单位档案, issue 11): one row per employer (province × USCC) that is in an
-- insured-employer snapshot or has any event of mart_employer_events, with its identity, its
-- watchlist listing (mart_watchlist) if any, counts of its events overall, in the last 12
-- months and open/overdue at the data's as-of date. Counts of people (injuries, deaths,
-- occupational-disease cases) only; no personal data.
-- An employer's premium-rate floating is not repeated here: the page reads its latest cycle from
-- mart_premium_floating, so this model does not wait for the floating models (issue 14: it ran
-- alone at the end of every monthly build).
-- Incremental by employer on DuckDB: a run recomputes the employers whose row can have changed
-- (macros/employer_profile_incremental.sql).
with as_of as (
    select as_of_date, as_of_date - interval 365 day as window_start from {{ ref('int_as_of') }}
),

events as (
    select * from {{ ref('mart_employer_events') }} as events where {{ stale_profile_rows('events') }}
),

event_counts as (
    select
        events.province_code,
        events.uscc,
        count(*) filter (where event_type = 'exceedance') as exceedances,
        count(*) filter (where event_type = 'exceedance' and event_date > as_of.window_start
                         and event_date <= as_of.as_of_date) as exceedances_12m,
        max(exceedance_ratio) as worst_exceedance_ratio_ever,
        count(*) filter (where event_type in ('major_hazard', 'general_hazard')) as hazards,
        count(*) filter (where event_type = 'major_hazard') as major_hazards,
        count(*) filter (where is_open) as open_items,
        count(*) filter (where is_overdue) as overdue_items,
        count(*) filter (where is_open and event_type = 'exceedance') as open_exceedances,
        count(*) filter (where is_overdue and event_type = 'exceedance') as overdue_exceedances,
        count(*) filter (where is_open and event_type in ('major_hazard', 'general_hazard')) as open_hazards,
        count(*) filter (where is_overdue and event_type in ('major_hazard', 'general_hazard')) as overdue_hazards,
        count(*) filter (where is_overdue and event_type = 'major_hazard') as overdue_major_hazards,
        max(days_overdue) as max_days_overdue,
        count(*) filter (where event_type = 'injury') as recognised_injuries,
        count(*) filter (where event_type = 'injury' and event_date > as_of.window_start
                         and event_date <= as_of.as_of_date) as recognised_injuries_12m,
        coalesce(sum(deaths) filter (where event_type = 'injury'), 0) as injury_deaths,
        count(*) filter (where event_type = 'occupational_disease') as od_cases,
        count(*) filter (where event_type = 'accident') as accidents,
        coalesce(sum(deaths) filter (where event_type = 'accident'), 0) as accident_deaths,
        count(*) filter (where event_type = 'union_inspection') as union_inspections_with_findings,
        min(event_date) as first_event_date,
        max(event_date) as last_event_date
    from events
    cross join as_of
    group by all
),

union_totals as (
    select
        province_code,
        uscc,
        sum(coalesce(issues_found, 0)) as union_issues_found,
        sum(coalesce(worker_complaints, 0)) as union_complaints
    from {{ ref('stg_acftu_supervision') }} as inspections
    where uscc is not null and {{ stale_profile_rows('inspections') }}
    group by all
),

employers as (
    select province_code, uscc from {{ ref('dim_employers') }} as dim where {{ stale_profile_rows('dim') }}
    union
    select province_code, uscc from event_counts
)

select
    employers.province_code,
    provinces.province_name,
    employers.uscc,
    coalesce(dim.employer_name, watchlist.employer_name, '（未在参保名册中）') as employer_name,
    dim.uscc is not null as in_employer_snapshot,
    dim.area_code,
    dim.industry_code,
    dim.industry_division,
    industries.division_name as industry_division_name,
    dim.key_industry_code,
    dim.key_industry_name,
    cast(dim.risk_class as integer) as risk_class,
    cast(dim.latest_insured_workers as integer) as latest_insured_workers,
    dim.latest_snapshot,
    as_of.as_of_date,
    watchlist.priority_rank,
    watchlist.priority_tier,
    watchlist.listing_reasons,
    watchlist.worst_exceedance_ratio as worst_exceedance_ratio_12m,
    cast(coalesce(counts.exceedances, 0) as integer) as exceedances,
    cast(coalesce(counts.exceedances_12m, 0) as integer) as exceedances_12m,
    cast(counts.worst_exceedance_ratio_ever as decimal(18, 4)) as worst_exceedance_ratio_ever,
    cast(coalesce(counts.hazards, 0) as integer) as hazards,
    cast(coalesce(counts.major_hazards, 0) as integer) as major_hazards,
    cast(coalesce(counts.open_items, 0) as integer) as open_items,
    cast(coalesce(counts.overdue_items, 0) as integer) as overdue_items,
    cast(coalesce(counts.open_exceedances, 0) as integer) as open_exceedances,
    cast(coalesce(counts.overdue_exceedances, 0) as integer) as overdue_exceedances,
    cast(coalesce(counts.open_hazards, 0) as integer) as open_hazards,
    cast(coalesce(counts.overdue_hazards, 0) as integer) as overdue_hazards,
    cast(coalesce(counts.overdue_major_hazards, 0) as integer) as overdue_major_hazards,
    cast(counts.max_days_overdue as integer) as max_days_overdue,
    cast(coalesce(counts.recognised_injuries, 0) as integer) as recognised_injuries,
    cast(coalesce(counts.recognised_injuries_12m, 0) as integer) as recognised_injuries_12m,
    cast(coalesce(counts.injury_deaths, 0) as integer) as injury_deaths,
    cast(coalesce(counts.od_cases, 0) as integer) as od_cases,
    cast(coalesce(counts.accidents, 0) as integer) as accidents,
    cast(coalesce(counts.accident_deaths, 0) as integer) as accident_deaths,
    cast(coalesce(counts.union_inspections_with_findings, 0) as integer) as union_inspections_with_findings,
    cast(coalesce(union_totals.union_issues_found, 0) as integer) as union_issues_found,
    cast(coalesce(union_totals.union_complaints, 0) as integer) as union_complaints,
    counts.first_event_date,
    counts.last_event_date
from employers
cross join as_of
inner join {{ ref('dim_provinces') }} as provinces on provinces.province_code = employers.province_code
left join {{ ref('dim_employers') }} as dim
    on dim.province_code = employers.province_code and dim.uscc = employers.uscc
left join {{ ref('dim_industries') }} as industries on industries.division = dim.industry_division
left join {{ ref('mart_watchlist') }} as watchlist
    on watchlist.province_code = employers.province_code and watchlist.uscc = employers.uscc
left join event_counts as counts
    on counts.province_code = employers.province_code and counts.uscc = employers.uscc
left join union_totals
    on union_totals.province_code = employers.province_code and union_totals.uscc = employers.uscc
order by employers.province_code, employers.uscc
