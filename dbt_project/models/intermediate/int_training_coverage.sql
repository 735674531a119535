{{ config(materialized='incremental', incremental_strategy=province_incremental_strategy(),
          partition_by=province_partition_by(),
          pre_hook=["{{ ensure_meta_schema() }}", "{{ ensure_watermarks() }}", "{{ list_stale_training_coverage() }}",
                    "{{ delete_stale_training_coverage() }}"],
          post_hook="{{ record_watermark() }}") }}
-- depends_on: {{ source('ingest', 'files') }}
-- depends_on: {{ source('raw', 'hrss_training') }}

-- Training coverage in Y (spec 5): of the distinct persons on the province's roster of period
-- Y (the three key roles: int_training_roster), the share whose first 合格 training dated from
-- the plan's first year (2021-01-01) on (int_training_first_pass: any employer, any province,
-- matched on the pseudonym) is on or before Y-12-31. Empty or missing roster: null.
-- Incremental by year: a month of training recomputes the years from its earliest training date
-- on (macros/training_incremental.sql).
with roster as (
    select province_code, year, person_pseudonym
    from {{ ref('int_training_roster') }}
    where {{ stale_training_coverage_rows('province_code', 'year') }}
),

per_person as (
    select
        roster.province_code,
        roster.year,
        roster.person_pseudonym,
        coalesce(passed.first_passed_on <= make_date(roster.year, 12, 31), false) as trained
    from roster
    left join {{ ref('int_training_first_pass') }} as passed on passed.person_pseudonym = roster.person_pseudonym
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
