{{ config(materialized='incremental', incremental_strategy=province_incremental_strategy(),
          partition_by=province_partition_by(),
          pre_hook=["{{ ensure_meta_schema() }}", "{{ ensure_watermarks() }}",
                    "{{ list_stale_floating_employers() }}", "{{ record_stale_list_made() }}",
                    "{{ delete_stale_floating_rows() }}"],
          post_hook="{{ record_watermark() }}") }}
-- depends_on: {{ source('ingest', 'files') }}
-- depends_on: {{ source('raw', 'hrss_injury_claims') }}
-- depends_on: {{ source('raw', 'nhc_occupational_disease') }}
-- depends_on: {{ source('raw', 'nhc_hazard_monitoring') }}
-- depends_on: {{ source('raw', 'em_hazards') }}

-- Premium-rate floating (spec 6): the figures each floated employer is graded on, per province
-- x cycle x employer, unrounded: int_floating_employers (who is floated, class, rates, quarters,
-- P and the premium-effect base, from the employer snapshots) and, over the window (province of
-- the file, as everywhere):
--   claims N, benefits_yuan B, deaths D, severe S
--                 recognised claims (认定工伤 / 视同工伤, both harm types) of the employer with
--                 decision_date in the window; B = Σ fund_paid_yuan (blank 0), D = 是否死亡 是,
--                 S = disability grade within severe_disability_grade_min..max (1–4);
--   od_reports K  occupational-disease reports of the employer diagnosed in the window;
--   overdue_items O  its items of "rectified on time" (spec 5: exceeding samples, 重大隐患 in
--                 their current state) whose deadline is in the window and whose rectified_date
--                 is blank or after the deadline (as the spec words it: an open item counts even
--                 when its deadline is still ahead of the data's as-of date).
-- Money stays in exact decimals, so the ratio bands can be compared exactly (B ≤ band × P) in
-- int_floating_grades.
-- Incremental by employer: a run recomputes the employers whose snapshots or records arrived
-- (macros/floating_incremental.sql).
with floated as (
    select * from {{ ref('int_floating_employers') }} as floated
    where {{ stale_floating_rows('floated') }}
),

parameters as (
    select * from {{ ref('int_floating_parameters') }}
),

claims as (
    select province_code, uscc, decision_date, is_fatal, disability_grade, fund_paid_yuan
    from {{ ref('stg_hrss_injury_claims') }}
    where decision in ('认定工伤', '视同工伤')
),

claim_sums as (
    select
        floated.province_code,
        floated.cycle_end_year,
        floated.uscc,
        count(*) as claims,
        coalesce(sum(cast(claims.fund_paid_yuan as decimal(38, 2))), 0) as benefits_yuan,
        count(*) filter (where claims.is_fatal) as deaths,
        count(*) filter (where claims.disability_grade between parameters.severe_disability_grade_min
                                                           and parameters.severe_disability_grade_max) as severe
    from floated
    inner join parameters on parameters.province_code = floated.province_code
    inner join claims
        on claims.province_code = floated.province_code
        and claims.uscc = floated.uscc
        and claims.decision_date between floated.window_start_date and floated.window_end_date
    group by all
),

od_sums as (
    select floated.province_code, floated.cycle_end_year, floated.uscc, count(*) as od_reports
    from floated
    inner join {{ ref('stg_nhc_occupational_disease') }} as reports
        on reports.province_code = floated.province_code
        and reports.uscc = floated.uscc
        and reports.diagnosis_date between floated.window_start_date and floated.window_end_date
    group by all
),

rectification_items as (
    select province_code, uscc, cast(deadline as date) as deadline, cast(rectified_date as date) as rectified_date
    from {{ ref('int_rectification_items') }}
),

overdue_sums as (
    select floated.province_code, floated.cycle_end_year, floated.uscc, count(*) as overdue_items
    from floated
    inner join rectification_items as items
        on items.province_code = floated.province_code
        and items.uscc = floated.uscc
        and items.deadline between floated.window_start_date and floated.window_end_date
    where items.rectified_date is null or items.rectified_date > items.deadline
    group by all
)

select
    floated.province_code,
    floated.province_name,
    floated.cycle_end_year,
    floated.uscc,
    floated.employer_name,
    floated.industry_code,
    floated.recorded_risk_class,
    floated.risk_class,
    floated.is_classified,
    floated.base_rate_pct,
    floated.min_grade,
    floated.max_grade,
    floated.current_rate_pct,
    floated.quarters,
    floated.premium_yuan,
    cast(coalesce(claim_sums.claims, 0) as integer) as claims,
    cast(coalesce(claim_sums.benefits_yuan, 0) as decimal(38, 2)) as benefits_yuan,
    cast(coalesce(claim_sums.deaths, 0) as integer) as deaths,
    cast(coalesce(claim_sums.severe, 0) as integer) as severe,
    cast(coalesce(od_sums.od_reports, 0) as integer) as od_reports,
    cast(coalesce(overdue_sums.overdue_items, 0) as integer) as overdue_items,
    floated.effect_payroll_yuan,
    floated.current_premium_yuan,
    floated.window_start_quarter,
    floated.window_end_quarter,
    floated.last_snapshot_period
from floated
left join claim_sums using (province_code, cycle_end_year, uscc)
left join od_sums using (province_code, cycle_end_year, uscc)
left join overdue_sums using (province_code, cycle_end_year, uscc)
