{%- set change_columns = ['injury_rate_per_1000', 'fatalities', 'accidents', 'od_rate_per_100k', 'exceedances'] %}
-- Hazard hotspots (spec 5): province (and 全国) x industry group x year with insured workers,
-- recognised accident injuries and the injury rate per 1,000, fatalities, accidents and their
-- deaths, occupational-disease cases and rate per 100,000, exceedances, and the plan's target
-- path. Rates published to 4 decimals, half-up.
-- A province that delivered nothing for the year (no accepted slice of Y, spec 5 v1.1) has its
-- row with is_reported false and every figure of the year null: "no data", never 0 (the 2020
-- baseline and the target path it gives stay). The national row says how many provinces
-- reported (and is "no data" too in a year none did).
-- Who lags (issue 11): the gap of the published injury rate to the published target
-- (per 1,000 and in % of the target; > 0 is behind the path) and each measure's change from the
-- previous year, all differences of the published (rounded) figures so that what a reader
-- subtracts on screen is what is published. Null when either side is null (no data).
with rates as (
    select * from {{ ref('int_group_rates') }}
),

provinces as (
    select * from {{ ref('dim_provinces') }}
),

reported as (
    select province_code, year, is_assessed as is_reported from {{ ref('int_assessed_provinces') }}
),

reporting_counts as (
    select year, count(*) filter (where is_reported) as reporting_provinces from reported group by year
),

framed as (
    select
        {{ star_except(['snapshot_quarters', 'insured_workers', 'injuries', 'injury_rate_per_1000', 'fatalities',
                        'accidents', 'accident_deaths', 'od_cases', 'od_rate_per_100k', 'exceedances'], 'rates') }},
        coalesce(reported.is_reported, reporting_counts.reporting_provinces > 0) as is_reported,
        {%- for column in ['snapshot_quarters', 'insured_workers', 'injuries', 'injury_rate_per_1000', 'fatalities',
                           'accidents', 'accident_deaths', 'od_cases', 'od_rate_per_100k', 'exceedances'] %}
        case when coalesce(reported.is_reported, reporting_counts.reporting_provinces > 0) then rates.{{ column }} end
            as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from rates
    left join reported on reported.province_code = rates.province_code and reported.year = rates.year
    left join reporting_counts on reporting_counts.year = rates.year
),

published as (
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
    cast(rates.exceedances as bigint) as exceedances,
    rates.is_reported,
    cast(case when rates.province_code = '000000' then reporting_counts.reporting_provinces
              else cast(rates.is_reported as integer) end as integer) as reporting_provinces
from framed as rates
inner join provinces on provinces.province_code = rates.province_code
left join reporting_counts on reporting_counts.year = rates.year
),

measured as (
    select
        this.*,
        this.injury_rate_per_1000 - this.target_injury_rate_per_1000 as gap,
        {%- for column in change_columns %}
        this.{{ column }} - previous.{{ column }} as {{ column }}_change{{ ',' if not loop.last }}
        {%- endfor %}
    from published as this
    left join published as previous
        on previous.province_code = this.province_code
        and previous.industry_group = this.industry_group
        and previous.year = this.year - 1
)

select
    {%- set excluded = ['gap'] %}
    {%- for column in change_columns %}{% do excluded.append(column ~ '_change') %}{% endfor %}
    {{ star_except(excluded) }},
    cast(gap as decimal(18, 4)) as injury_rate_gap_per_1000,
    cast({{ round_half_up(float_divide('100 * gap', 'nullif(target_injury_rate_per_1000, 0)'), 2) }} as decimal(18, 2))
        as injury_rate_gap_pct,
    case when gap > 0 then 'behind' when gap <= 0 then 'on_track' end as target_status,
    cast(injury_rate_per_1000_change as decimal(18, 4)) as injury_rate_per_1000_change,
    cast(fatalities_change as bigint) as fatalities_change,
    cast(accidents_change as bigint) as accidents_change,
    cast(od_rate_per_100k_change as decimal(18, 4)) as od_rate_per_100k_change,
    cast(exceedances_change as bigint) as exceedances_change
from measured
