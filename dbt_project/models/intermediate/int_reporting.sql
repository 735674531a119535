-- Reporting (spec 5, component F): the earliest yearly report for Y (any period) and the
-- earliest implementation-plan filing, against their due dates.
with reports as (
    select * from {{ ref('stg_province_reports') }}
),

plan as (
    select * from {{ ref('plan_cycles') }}
),

yearly as (
    select province_code, report_year as year, min(submitted_date) as yearly_report_submitted
    from reports where report_type = '年度落实情况'
    group by all
),

filing as (
    select province_code, min(submitted_date) as plan_filed
    from reports where report_type = '实施方案备案'
    group by all
),

spine as (
    select provinces.province_code, years.year
    from {{ ref('provinces') }} as provinces
    cross join {{ ref('int_plan_years') }} as years
)

select
    spine.province_code,
    spine.year,
    yearly.yearly_report_submitted,
    filing.plan_filed,
    coalesce(yearly.yearly_report_submitted
             <= cast(cast(spine.year as string) || '-' || plan.report_due_month_day as date), false)
        as yearly_report_on_time,
    coalesce(filing.plan_filed <= plan.plan_filing_due, false) as plan_filed_on_time
from spine
cross join plan
left join yearly on yearly.province_code = spine.province_code and yearly.year = spine.year
left join filing on filing.province_code = spine.province_code
