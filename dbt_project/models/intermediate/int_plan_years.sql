-- The years the plan's figures are published for: the baseline year and every plan year.
with plan as (
    select * from {{ ref('plan_cycles') }}
)

select
    plan.plan_code,
    years.year,
    years.year = plan.baseline_year as is_baseline_year,
    years.year between plan.first_year and plan.last_year as is_assessment_year
from plan
cross join lateral (select unnest(range(plan.baseline_year, plan.last_year + 1)) as year) as years
