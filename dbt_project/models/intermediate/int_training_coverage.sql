{{ config(materialized='incremental', incremental_strategy=province_incremental_strategy(),
          partition_by=province_partition_by(),
          pre_hook=["{{ ensure_meta_schema() }}", "{{ ensure_watermarks() }}", "{{ list_stale_training_coverage() }}",
                    "{{ delete_stale_training_coverage() }}"],
          post_hook="{{ record_watermark() }}") }}
-- depends_on: {{ source('ingest', 'files') }}
-- depends_on: {{ source('raw', 'hrss_training') }}

-- Training coverage in Y (spec 5): of the distinct persons on the province's roster of period
-- Y (the three key roles), the share with at least one 合格 training dated from the plan's first
-- year (2021-01-01) to Y-12-31
-- (any employer, any province, matched on the pseudonym). Empty or missing roster: null.
-- Incremental by year: a month of training recomputes the years from its earliest training date
-- on (macros/training_incremental.sql).
with roster as (
    select distinct province_code, roster_year as year, person_pseudonym
    from {{ ref('stg_hrss_key_positions') }}
    where role in ('分管负责人', '安全管理部门主要负责人', '一线班组长')
      and {{ stale_training_coverage_rows('province_code', 'roster_year') }}
),

plan as (
    select first_year from {{ ref('plan_cycles') }}
),

passed as (
    select person_pseudonym, min(training_date) as first_passed_on
    from {{ ref('stg_hrss_training') }}
    cross join plan
    where result = '合格' and training_date >= make_date(plan.first_year, 1, 1)
      and person_pseudonym in (select person_pseudonym from roster)
    group by person_pseudonym
),

per_person as (
    select
        roster.province_code,
        roster.year,
        roster.person_pseudonym,
        passed.first_passed_on is not null and passed.first_passed_on <= make_date(roster.year, 12, 31) as trained
    from roster
    left join passed on passed.person_pseudonym = roster.person_pseudonym
),

spine as (
    select provinces.province_code, years.year
    from {{ ref('provinces') }} as provinces
    cross join {{ ref('int_plan_years') }} as years
    where {{ stale_training_coverage_rows('provinces.province_code', 'years.year') }}
),

counts as (
    select province_code, year, count(*) as roster_persons, count(*) filter (where trained) as trained_persons
    from per_person
    group by all
)

select
    spine.province_code,
    spine.year,
    coalesce(counts.roster_persons, 0) as roster_persons,
    coalesce(counts.trained_persons, 0) as trained_persons,
    case when coalesce(counts.roster_persons, 0) > 0
         then counts.trained_persons / counts.roster_persons end as training_coverage
from spine
left join counts on counts.province_code = spine.province_code and counts.year = spine.year
