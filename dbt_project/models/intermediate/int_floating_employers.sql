{{ config(materialized='incremental', incremental_strategy=province_incremental_strategy(),
          partition_by=province_partition_by(),
          pre_hook=["{{ ensure_meta_schema() }}", "{{ ensure_watermarks() }}", "{{ delete_stale_provinces(['hrss_employers']) }}"],
          post_hook="{{ record_watermark() }}") }}
-- depends_on: {{ source('ingest', 'files') }}

-- Premium-rate floating (spec 6), the employers floated in each province x cycle and what their
-- insured-employer records say over the cycle's window (the rest of the figures, from claims,
-- occupational-disease reports and rectification items, are added in int_floating_inputs).
-- Employers floated = those in the cycle's last snapshot; their risk class, industry and
-- current rate come from their record there. Over the window:
--   quarters      window quarters whose snapshot holds a record of the employer;
--   premium_yuan  P = Σ payroll_yuan × rate / 100 over those records, rate = the record's
--                 premium_rate_pct when 0 < rate ≤ valid_rate_max_pct (3), else the base rate of
--                 the employer's class (blank payroll counts 0). For an employer without a
--                 class (未分类) a record without a valid rate of its own is left out.
-- Premium effect over the window's last effect_quarters (4) quarters: effect_payroll_yuan =
-- Σ payroll, current_premium_yuan = Σ payroll × rate / 100 (rate as for P).
-- Money stays in exact decimals (payroll × rate is kept in yuan·percent, then × 0.01).
-- Everything here follows from a province's employer snapshots (and the configuration), so the
-- model is incremental by province: only a new hrss_employers delivery rebuilds a province's
-- rows, and a month without one leaves them as they are (macros/incremental_by_province.sql).
with cycles as (
    select * from {{ ref('int_floating_cycles') }}
    where {{ stale_province_rows('province_code', ['hrss_employers']) }}
),

parameters as (
    select * from {{ ref('int_floating_parameters') }}
),

base_rates as (
    select * from {{ ref('int_floating_base_rates') }}
),

floated as (
    select
        cycles.*,
        snapshots.uscc,
        snapshots.employer_name,
        snapshots.industry_code,
        snapshots.risk_class as recorded_risk_class,
        base_rates.risk_class,
        base_rates.base_rate_pct,
        base_rates.min_grade,
        base_rates.max_grade,
        base_rates.risk_class is not null as is_classified,
        case when snapshots.premium_rate_pct > 0
                  and snapshots.premium_rate_pct <= parameters.valid_rate_max_pct
             then snapshots.premium_rate_pct end as own_rate_pct
    from cycles
    inner join {{ ref('int_employer_snapshots') }} as snapshots
        on snapshots.province_code = cycles.province_code
        and snapshots.quarter_index = cycles.last_snapshot_quarter_index
    inner join parameters on parameters.province_code = cycles.province_code
    left join base_rates
        on base_rates.province_code = cycles.province_code
        and base_rates.risk_class = snapshots.risk_class
),

-- The window records of every employer, summed per cycle before they meet the floated employers
-- (a join of 2 M sums, not of 24 M records). A record's rate is its own when valid, else the base
-- rate of the employer's class in the cycle's last snapshot, which is only known after the join:
-- so the payroll without a valid own rate is summed apart and multiplied by that base rate below
-- (exact in decimals: Σ payroll × base = base × Σ payroll). An employer without a class has no
-- base rate: its records without a valid own rate are left out, as the header says.
-- quarters = count(*): an employer has one record per quarter (int_employer_snapshots is unique
-- on province, period and USCC, and the feed is quarterly), so no costly count(distinct).
-- The employer snapshots are read twice rather than through a shared CTE: DuckDB would
-- materialise all 24 M national rows of such a CTE in memory.
window_records as (
    select
        cycles.province_code,
        cycles.cycle_end_year,
        snapshots.uscc,
        snapshots.quarter_index >= cycles.effect_start_quarter_index as in_effect_quarters,
        cast(coalesce(snapshots.payroll_yuan, 0) as decimal(38, 2)) as payroll_yuan,
        cast(case when snapshots.premium_rate_pct > 0
                       and snapshots.premium_rate_pct <= parameters.valid_rate_max_pct
                  then snapshots.premium_rate_pct end as decimal(38, 4)) as own_rate_pct
    from cycles
    inner join parameters on parameters.province_code = cycles.province_code
    inner join {{ ref('int_employer_snapshots') }} as snapshots
        on snapshots.province_code = cycles.province_code
        and snapshots.quarter_index between cycles.window_start_quarter_index
                                        and cycles.window_end_quarter_index
),

window_sums as (
    select
        province_code,
        cycle_end_year,
        uscc,
        count(*) as quarters,
        coalesce(sum(payroll_yuan * own_rate_pct), 0) as own_premium_yuan_pct,
        coalesce(sum(payroll_yuan) filter (where own_rate_pct is null), 0) as base_rated_payroll_yuan,
        coalesce(sum(payroll_yuan) filter (where in_effect_quarters), 0) as effect_payroll_yuan,
        coalesce(sum(payroll_yuan * own_rate_pct) filter (where in_effect_quarters), 0)
            as effect_own_premium_yuan_pct,
        coalesce(sum(payroll_yuan) filter (where in_effect_quarters and own_rate_pct is null), 0)
            as effect_base_rated_payroll_yuan
    from window_records
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
    cast(coalesce(floated.own_rate_pct, floated.base_rate_pct) as decimal(18, 4)) as current_rate_pct,
    cast(coalesce(sums.quarters, 0) as integer) as quarters,
    cast((coalesce(sums.own_premium_yuan_pct, 0)
          + coalesce(sums.base_rated_payroll_yuan * floated.base_rate_pct, 0)) * 0.01 as decimal(38, 8))
        as premium_yuan,
    cast(coalesce(sums.effect_payroll_yuan, 0) as decimal(38, 2)) as effect_payroll_yuan,
    cast((coalesce(sums.effect_own_premium_yuan_pct, 0)
          + coalesce(sums.effect_base_rated_payroll_yuan * floated.base_rate_pct, 0)) * 0.01 as decimal(38, 8))
        as current_premium_yuan,
    floated.window_start_date,
    floated.window_end_date,
    floated.window_start_quarter,
    floated.window_end_quarter,
    floated.last_snapshot_period
from floated
left join window_sums as sums
    on sums.province_code = floated.province_code
    and sums.cycle_end_year = floated.cycle_end_year
    and sums.uscc = floated.uscc
