-- Fund execution in Y (spec 5): spent / budget over the province's projects of period Y;
-- no projects: 0.
with projects as (
    select province_code, project_year as year, sum(budget_yuan) as budget_yuan,
           sum(coalesce(spent_yuan, 0)) as spent_yuan, count(*) as projects
    from {{ ref('stg_hrss_prevention_projects') }}
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
    coalesce(projects.projects, 0) as projects,
    coalesce(projects.budget_yuan, 0) as budget_yuan,
    coalesce(projects.spent_yuan, 0) as spent_yuan,
    case when coalesce(projects.budget_yuan, 0) > 0
         then cast(projects.spent_yuan as double) / cast(projects.budget_yuan as double)
         else 0.0 end as fund_execution_rate
from spine
left join projects on projects.province_code = spine.province_code and projects.year = spine.year
