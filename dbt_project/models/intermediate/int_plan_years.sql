-- The years the plan's figures are published for: the baseline year and every plan year.
with plan as (
    select * from {{ ref('plan_cycles') }}
),

all_years as (
    select {{ integer_series('min(baseline_year)', 'max(last_year) + 1') }} as year from plan
)

select
    plan.plan_code,
    years.year,
    years.year = plan.baseline_year as is_baseline_year,
    years.year between plan.first_year and plan.last_year as is_assessment_year
from plan
inner join all_years as years on years.year between plan.baseline_year and plan.last_year
