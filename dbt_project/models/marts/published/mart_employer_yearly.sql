{{ config(materialized=duckdb_incremental_materialization(), incremental_strategy='append', on_schema_change='fail',
          pre_hook=["{{ ensure_meta_schema() }}", "{{ ensure_watermarks() }}", "{{ ensure_employer_event_changes() }}",
                    "{{ delete_changed_employer_years() }}"],
          post_hook=["{{ record_watermark() }}", "{{ prune_employer_event_changes() }}"]) }}
-- Employer profile by year (单位档案, issue 11): per employer (province × USCC) and calendar year
-- of the event date, the counts of mart_employer_events (exceedances with the year's worst
-- ratio, hazards, recognised injuries and their deaths, occupational-disease cases, accidents,
-- union inspections with findings). Only employer-years with an event appear.
-- Incremental on DuckDB: a run recomputes the employer-years whose events changed, as logged by
-- mart_employer_events (macros/employer_events_incremental.sql).
select
    province_code,
    uscc,
    event_year as year,
    cast(count(*) filter (where event_type = 'exceedance') as integer) as exceedances,
    cast(max(exceedance_ratio) as decimal(18, 4)) as worst_exceedance_ratio,
    cast(count(*) filter (where event_type in ('major_hazard', 'general_hazard')) as integer) as hazards,
    cast(count(*) filter (where event_type = 'major_hazard') as integer) as major_hazards,
    cast(count(*) filter (where event_type = 'injury') as integer) as recognised_injuries,
    cast(coalesce(sum(deaths) filter (where event_type = 'injury'), 0) as integer) as injury_deaths,
    cast(count(*) filter (where event_type = 'occupational_disease') as integer) as od_cases,
    cast(count(*) filter (where event_type = 'accident') as integer) as accidents,
    cast(count(*) filter (where event_type = 'union_inspection') as integer) as union_inspections_with_findings
from {{ ref('mart_employer_events') }} as events
where {{ changed_employer_years('events', 'event_year') }}
group by province_code, uscc, event_year
