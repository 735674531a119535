-- The figures behind the provincial assessment, per province and year (baseline year
-- included): each with the numerator and denominator it is computed from (spec 5).
with spine as (
    select provinces.province_code, provinces.province_name, years.year, years.is_assessment_year
    from {{ ref('provinces') }} as provinces
    cross join {{ ref('int_plan_years') }} as years
),

key_rates as (
    select * from {{ ref('int_group_rates') }} where industry_group = 'key_all'
),

all_rates as (
    select * from {{ ref('int_group_rates') }} where industry_group = 'all'
)

select
    spine.province_code,
    spine.province_name,
    spine.year,
    spine.is_assessment_year,
    key_rates.injuries as key_industry_injuries,
    key_rates.insured_workers as key_industry_insured_workers,
    key_rates.injury_rate_per_1000,
    all_rates.od_cases,
    all_rates.insured_workers as all_insured_workers,
    all_rates.od_rate_per_100k,
    training.roster_persons,
    training.trained_persons,
    training.training_coverage,
    rectification.items_due,
    rectification.items_on_time,
    rectification.rectified_on_time_share,
    delivery.slices_expected,
    delivery.slices_on_time_and_clean,
    delivery.on_time_clean_share,
    fund.projects,
    fund.budget_yuan,
    fund.spent_yuan,
    fund.fund_execution_rate,
    reporting.yearly_report_submitted,
    reporting.yearly_report_on_time,
    reporting.plan_filed,
    reporting.plan_filed_on_time
from spine
left join key_rates on key_rates.province_code = spine.province_code and key_rates.year = spine.year
left join all_rates on all_rates.province_code = spine.province_code and all_rates.year = spine.year
left join {{ ref('int_training_coverage') }} as training
    on training.province_code = spine.province_code and training.year = spine.year
left join {{ ref('int_rectification_shares') }} as rectification
    on rectification.province_code = spine.province_code and rectification.year = spine.year
left join {{ ref('int_delivery_shares') }} as delivery
    on delivery.province_code = spine.province_code and delivery.year = spine.year
left join {{ ref('int_fund_execution') }} as fund
    on fund.province_code = spine.province_code and fund.year = spine.year
left join {{ ref('int_reporting') }} as reporting
    on reporting.province_code = spine.province_code and reporting.year = spine.year
