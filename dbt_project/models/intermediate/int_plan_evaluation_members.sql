-- Who each row of the plan evaluation (spec 7, v1.1) is made of: for every year Y of the plan
-- (plan_cycles.first_year .. last_year), each province assessed in Y (int_assessed_provinces)
-- is a unit of its own, and the nation (000000 全国) is the unit of all provinces assessed in Y.
-- One row per unit x year x member province; a year with no assessed province has no rows, so
-- no national row either. is_final_year marks plan_cycles.last_year (the final evaluation).
with plan as (
    select * from {{ ref('plan_cycles') }}
),

assessed as (
    select assessed.province_code, assessed.province_name, assessed.year,
           assessed.year = plan.last_year as is_final_year
    from {{ ref('int_assessed_provinces') }} as assessed
    cross join plan
    where assessed.is_assessed and assessed.year between plan.first_year and plan.last_year
)

select province_code as unit_code, province_name as unit_name, false as is_national,
       year, is_final_year, province_code
from assessed
union all
select '000000', '全国', true, year, is_final_year, province_code
from assessed
