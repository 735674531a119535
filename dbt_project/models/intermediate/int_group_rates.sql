-- Rates of each province x industry group x year, with the national total as province
-- 000000, and the plan's target path from the 2020 baseline (spec 5):
-- injury rate per 1,000 insured workers, OD rate per 100,000; null where the denominator is
-- zero or missing; t(Y) = b x (1 - annual_reduction x (Y - baseline_year)).
with figures as (
    select * from {{ ref('int_group_figures') }}
),

national as (
    select
        '000000' as province_code,
        industry_group,
        any_value(industry_group_name) as industry_group_name,
        bool_or(is_key_industry) as is_key_industry,
        year,
        sum(injuries) as injuries,
        sum(fatalities) as fatalities,
        sum(accidents) as accidents,
        sum(accident_deaths) as accident_deaths,
        sum(od_cases) as od_cases,
        sum(exceedances) as exceedances,
        sum(insured_workers) as insured_workers,
        max(snapshot_quarters) as snapshot_quarters
    from figures
    group by industry_group, year
),

combined as (
    select * from figures
    union all
    select * from national
),

rates as (
    select
        *,
        case when insured_workers > 0 then injuries * 1000.0 / insured_workers end as injury_rate_per_1000,
        case when insured_workers > 0 then od_cases * 100000.0 / insured_workers end as od_rate_per_100k
    from combined
),

plan as (
    select baseline_year, annual_reduction from {{ ref('plan_cycles') }}
),

baselines as (
    select rates.province_code, rates.industry_group,
           rates.injury_rate_per_1000 as baseline_injury_rate_per_1000,
           rates.od_rate_per_100k as baseline_od_rate_per_100k
    from rates
    cross join plan
    where rates.year = plan.baseline_year
)

select
    rates.*,
    baselines.baseline_injury_rate_per_1000,
    baselines.baseline_injury_rate_per_1000 * (1 - plan.annual_reduction * (rates.year - plan.baseline_year))
        as target_injury_rate_per_1000,
    baselines.baseline_od_rate_per_100k,
    baselines.baseline_od_rate_per_100k * (1 - plan.annual_reduction * (rates.year - plan.baseline_year))
        as target_od_rate_per_100k
from rates
cross join plan
left join baselines
    on baselines.province_code = rates.province_code and baselines.industry_group = rates.industry_group
