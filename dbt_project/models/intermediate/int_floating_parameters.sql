-- Premium-rate floating (spec 6): the scalar parameters, one row per province. Seed
-- floating_parameters is (province_code, parameter, value): '000000' rows are the defaults and
-- name every parameter; a province's row for a parameter overrides the default. Switches are
-- 1 (on) / 0 (off).
with resolved as (
    {{ provincial_settings('floating_parameters', 'parameter', ['value']) }}
)

select
    province_code,
    cast(max(value) filter (where parameter = 'cycle_years') as integer) as cycle_years,
    cast(max(value) filter (where parameter = 'min_quarters') as integer) as min_quarters,
    cast(max(value) filter (where parameter = 'effect_quarters') as integer) as effect_quarters,
    cast(max(value) filter (where parameter = 'valid_rate_max_pct') as decimal(18, 4)) as valid_rate_max_pct,
    cast(max(value) filter (where parameter = 'zero_premium_no_claim_grade') as integer) as zero_premium_no_claim_grade,
    cast(max(value) filter (where parameter = 'zero_premium_claim_grade') as integer) as zero_premium_claim_grade,
    cast(max(value) filter (where parameter = 'no_claim_grade') as integer) as no_claim_grade,
    coalesce(max(value) filter (where parameter = 'severity_block_enabled'), 0) <> 0 as severity_block_enabled,
    cast(max(value) filter (where parameter = 'severity_floor_grade') as integer) as severity_floor_grade,
    cast(max(value) filter (where parameter = 'severe_disability_grade_min') as integer) as severe_disability_grade_min,
    cast(max(value) filter (where parameter = 'severe_disability_grade_max') as integer) as severe_disability_grade_max,
    coalesce(max(value) filter (where parameter = 'deaths_up_enabled'), 0) <> 0 as deaths_up_enabled,
    cast(max(value) filter (where parameter = 'deaths_up_threshold') as integer) as deaths_up_threshold,
    cast(max(value) filter (where parameter = 'deaths_floor_grade') as integer) as deaths_floor_grade,
    coalesce(max(value) filter (where parameter = 'overdue_up_enabled'), 0) <> 0 as overdue_up_enabled,
    cast(max(value) filter (where parameter = 'overdue_min_items') as integer) as overdue_min_items,
    cast(max(value) filter (where parameter = 'overdue_grade_step') as integer) as overdue_grade_step
from resolved
group by province_code
