-- Rates of each province x industry group x year, with the national total as province
-- 000000, and the plan's target path from the 2020 baseline (spec 5):
-- injury rate per 1,000 insured workers, OD rate and pneumoconiosis rate (spec 7) per 100,000;
-- null where the denominator is zero or missing; t(Y) = b x (1 - annual_reduction x
-- (Y - baseline_year)). The national CTE lists int_group_figures' columns in its order (the
-- union is by position). The national row of a year sums the provinces that reported in it
-- (spec 5 v1.1: an accepted slice of the year); those that delivered nothing add nothing.
with figures as (
    select * from {{ ref('int_group_figures') }}
),

reporting as (
    select province_code, year from {{ ref('int_assessed_provinces') }} where is_assessed
),

national as (
    select
        '000000' as province_code,
        figures.industry_group,
        any_value(figures.industry_group_name) as industry_group_name,
        bool_or(figures.is_key_industry) as is_key_industry,
        figures.year,
        {%- for column in ['injuries', 'fatalities', 'accidents', 'accident_deaths', 'od_cases', 'exceedances'] %}
        coalesce(sum(figures.{{ column }}) filter (where reporting.year is not null), 0) as {{ column }},
        {%- endfor %}
        sum(figures.insured_workers) filter (where reporting.year is not null) as insured_workers,
        coalesce(max(figures.snapshot_quarters) filter (where reporting.year is not null), 0) as snapshot_quarters,
        coalesce(sum(figures.pneumoconiosis_cases) filter (where reporting.year is not null), 0)
            as pneumoconiosis_cases
    from figures
    left join reporting on reporting.province_code = figures.province_code and reporting.year = figures.year
    group by figures.industry_group, figures.year
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
        case when insured_workers > 0 then od_cases * 100000.0 / insured_workers end as od_rate_per_100k,
        case when insured_workers > 0 then pneumoconiosis_cases * 100000.0 / insured_workers end
            as pneumoconiosis_rate_per_100k
    from combined
),

plan as (
    select baseline_year, annual_reduction from {{ ref('plan_cycles') }}
),

baselines as (
    select rates.province_code, rates.industry_group,
           rates.injury_rate_per_1000 as baseline_injury_rate_per_1000,
           rates.od_rate_per_100k as baseline_od_rate_per_100k,
           rates.pneumoconiosis_rate_per_100k as baseline_pneumoconiosis_rate_per_100k
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
        as target_od_rate_per_100k,
    baselines.baseline_pneumoconiosis_rate_per_100k
from rates
cross join plan
left join baselines
    on baselines.province_code = rates.province_code and baselines.industry_group = rates.industry_group
