-- Hazard hotspots (spec 5): province (and 全国) x industry group x year with insured workers,
-- recognised accident injuries and the injury rate per 1,000, fatalities, accidents and their
-- deaths, occupational-disease cases and rate per 100,000, exceedances, and the plan's target
-- path. Rates published to 4 decimals, half-up.
with rates as (
    select * from {{ ref('int_group_rates') }}
),

provinces as (
    select * from {{ ref('dim_provinces') }}
)

select
    rates.province_code,
    provinces.province_name,
    provinces.is_national,
    rates.industry_group,
    rates.industry_group_name,
    rates.is_key_industry,
    cast(rates.year as integer) as year,
    cast(rates.snapshot_quarters as integer) as snapshot_quarters,
    cast({{ round_half_up('rates.insured_workers', 2) }} as decimal(18, 2)) as insured_workers,
    cast(rates.injuries as bigint) as injuries,
    cast({{ round_half_up('rates.injury_rate_per_1000', 4) }} as decimal(18, 4)) as injury_rate_per_1000,
    cast({{ round_half_up('rates.baseline_injury_rate_per_1000', 4) }} as decimal(18, 4)) as baseline_injury_rate_per_1000,
    cast({{ round_half_up('rates.target_injury_rate_per_1000', 4) }} as decimal(18, 4)) as target_injury_rate_per_1000,
    cast(rates.fatalities as bigint) as fatalities,
    cast(rates.accidents as bigint) as accidents,
    cast(rates.accident_deaths as bigint) as accident_deaths,
    cast(rates.od_cases as bigint) as od_cases,
    cast({{ round_half_up('rates.od_rate_per_100k', 4) }} as decimal(18, 4)) as od_rate_per_100k,
    cast(rates.exceedances as bigint) as exceedances
from rates
inner join provinces on provinces.province_code = rates.province_code
