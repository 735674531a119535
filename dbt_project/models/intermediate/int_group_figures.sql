-- Numerators of the hotspot figures per province x industry group x year (spec 5):
-- recognised accident injuries and fatalities (employer's industry for the incident quarter;
-- orphans left out), accidents and their deaths (the accident's own industry code),
-- occupational-disease reports (all reports for 'all'; attributed ones for key industries), the
-- pneumoconiosis reports among them (category 职业性尘肺病及其他呼吸系统疾病, spec 7; the
-- category is an enumeration mapped to its catalogue name on loading) and exceedances (by
-- sample date; attributed likewise).
with groups as (
    select * from {{ ref('int_industry_groups') }}
),

key_divisions as (
    select * from {{ ref('int_key_industry_divisions') }}
),

claims as (
    select province_code, incident_year as year, employer_key_industry_code as key_industry_code,
           counts_for_injury_rate, counts_as_fatality
    from {{ ref('int_claims_attributed') }}
    where counts_for_injury_rate or counts_as_fatality
),

accidents as (
    select a.province_code, year(a.occurred_date) as year, k.key_industry_code, a.deaths
    from {{ ref('stg_em_accidents') }} as a
    left join key_divisions as k on k.province_code = a.province_code and k.division = a.industry_division
),

od as (
    select province_code, diagnosis_year as year, employer_key_industry_code as key_industry_code,
           disease_category = '职业性尘肺病及其他呼吸系统疾病' as is_pneumoconiosis
    from {{ ref('int_od_reports_attributed') }}
),

exceedances as (
    select province_code, sample_year as year, employer_key_industry_code as key_industry_code
    from {{ ref('int_exposure_samples_assessed') }}
    where exceeds
),

-- Each event counted in its key industry, in key_all when it has one, and in all.
events as (
    select province_code, year, 'injury' as measure, counts_for_injury_rate::int as n, key_industry_code from claims
    union all
    select province_code, year, 'fatality', counts_as_fatality::int, key_industry_code from claims
    union all
    select province_code, year, 'accident', 1, key_industry_code from accidents
    union all
    select province_code, year, 'accident_death', deaths, key_industry_code from accidents
    union all
    select province_code, year, 'od_case', 1, key_industry_code from od
    union all
    select province_code, year, 'pneumoconiosis_case', 1, key_industry_code from od where is_pneumoconiosis
    union all
    select province_code, year, 'exceedance', 1, key_industry_code from exceedances
),

fanned as (
    select province_code, year, measure, n, key_industry_code as industry_group from events
    where key_industry_code is not null
    union all
    select province_code, year, measure, n, 'key_all' from events where key_industry_code is not null
    union all
    select province_code, year, measure, n, 'all' from events
),

totals as (
    select province_code, industry_group, year,
        sum(n) filter (where measure = 'injury') as injuries,
        sum(n) filter (where measure = 'fatality') as fatalities,
        sum(n) filter (where measure = 'accident') as accidents,
        sum(n) filter (where measure = 'accident_death') as accident_deaths,
        sum(n) filter (where measure = 'od_case') as od_cases,
        sum(n) filter (where measure = 'exceedance') as exceedances,
        sum(n) filter (where measure = 'pneumoconiosis_case') as pneumoconiosis_cases
    from fanned
    group by all
)

select
    groups.province_code,
    groups.industry_group,
    groups.industry_group_name,
    groups.is_key_industry,
    years.year,
    coalesce(totals.injuries, 0) as injuries,
    coalesce(totals.fatalities, 0) as fatalities,
    coalesce(totals.accidents, 0) as accidents,
    coalesce(totals.accident_deaths, 0) as accident_deaths,
    coalesce(totals.od_cases, 0) as od_cases,
    coalesce(totals.exceedances, 0) as exceedances,
    workers.insured_workers,
    coalesce(workers.snapshot_quarters, 0) as snapshot_quarters,
    -- last: int_group_rates unions these columns with its national total by position
    coalesce(totals.pneumoconiosis_cases, 0) as pneumoconiosis_cases
from groups
cross join {{ ref('int_plan_years') }} as years
left join totals
    on totals.province_code = groups.province_code
    and totals.industry_group = groups.industry_group
    and totals.year = years.year
left join {{ ref('int_insured_workers') }} as workers
    on workers.province_code = groups.province_code
    and workers.industry_group = groups.industry_group
    and workers.year = years.year
