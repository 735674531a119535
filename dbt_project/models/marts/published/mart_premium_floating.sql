{{ config(materialized='incremental', incremental_strategy=province_incremental_strategy(), on_schema_change='fail',
          partition_by=province_partition_by(),
          pre_hook=["{{ ensure_meta_schema() }}", "{{ ensure_watermarks() }}",
                    "{{ list_stale_floating_employers() }}", "{{ delete_stale_floating_rows() }}"],
          post_hook="{{ record_watermark() }}") }}
-- depends_on: {{ source('ingest', 'files') }}
-- depends_on: {{ source('raw', 'hrss_injury_claims') }}
-- depends_on: {{ source('raw', 'nhc_occupational_disease') }}
-- depends_on: {{ source('raw', 'nhc_hazard_monitoring') }}
-- depends_on: {{ source('raw', 'em_hazards') }}

-- Premium-rate floating (工伤保险费率浮动), spec 6: one row per province x cycle end year x
-- floated employer, first the export's 25 columns in the spec's order, then the figures the
-- dashboard's what-if re-grades from. Amounts rounded half-up to 2 decimals, the ratio and
-- rates to 4, all half-up from the unrounded figures (change_yuan = projected − current
-- unrounded, then rounded, so it can differ by 0.01 from the difference of the rounded columns).
-- Figures and grades: int_floating_employers.sql, int_floating_inputs.sql, int_floating_grades.sql.
-- Incremental by employer, like those: a run recomputes the employers whose snapshots or records
-- arrived (macros/floating_incremental.sql).
with grades as (
    select * from {{ ref('int_floating_grades') }} as grades
    where {{ stale_floating_rows('grades') }}
)

select
    province_code,
    province_name,
    cast(cycle_end_year as integer) as cycle_end_year,
    uscc,
    employer_name,
    industry_code,
    cast(risk_class as integer) as risk_class,
    cast(quarters as integer) as quarters,
    cast({{ round_half_up('premium_yuan', 2) }} as decimal(18, 2)) as premium_yuan,
    cast({{ round_half_up('benefits_yuan', 2) }} as decimal(18, 2)) as benefits_yuan,
    cast({{ round_half_up('ratio', 4) }} as decimal(18, 4)) as ratio,
    cast(claims as integer) as claims,
    cast(deaths as integer) as deaths,
    cast(severe as integer) as severe,
    cast(od_reports as integer) as od_reports,
    cast(overdue_items as integer) as overdue_items,
    cast(grade as integer) as grade,
    status,
    cast(current_rate_pct as decimal(18, 4)) as current_rate_pct,
    cast(base_rate_pct as decimal(18, 4)) as base_rate_pct,
    cast(recommended_rate_pct as decimal(18, 4)) as recommended_rate_pct,
    cast({{ round_half_up('current_premium_yuan', 2) }} as decimal(18, 2)) as current_premium_yuan,
    cast({{ round_half_up('projected_premium_yuan', 2) }} as decimal(18, 2)) as projected_premium_yuan,
    cast({{ round_half_up('change_yuan', 2) }} as decimal(18, 2)) as change_yuan,
    reasons,
    cast({{ round_half_up('effect_payroll_yuan', 2) }} as decimal(18, 2)) as effect_payroll_yuan,
    cast(record_grade as integer) as record_grade,
    window_start_quarter,
    window_end_quarter,
    last_snapshot_period
from grades
