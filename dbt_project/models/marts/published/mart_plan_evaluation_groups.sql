-- Plan progress and final evaluation per key-industry group (spec 7, v1.1): one row per plan
-- year x (province assessed in the year | nation 000000 全国) x key-industry group — the
-- national list (危险化学品, 矿山, 建筑施工, 交通运输, 机械制造) and, for a province, its own
-- additions (no national row for those). Each group against its own baseline; the statuses
-- and their readings are those of int_plan_evaluation_groups (unrounded figures). Export
-- columns in order, then industry_group_code, is_national, is_final_year. Rates rounded
-- half-up to 4 decimals, change_pct to 2.
with groups as (
    select * from {{ ref('int_plan_evaluation_groups') }}
    where industry_group not in ('key_all', 'all')
)

select
    province_code,
    province_name,
    cast(year as integer) as year,
    industry_group_name as industry_group,
    cast({{ round_half_up('injury_rate_baseline', 4) }} as decimal(18, 4)) as injury_rate_baseline,
    cast({{ round_half_up('injury_rate', 4) }} as decimal(18, 4)) as injury_rate,
    cast({{ round_half_up('injury_target_rate', 4) }} as decimal(18, 4)) as injury_target_rate,
    cast({{ round_half_up('injury_change_pct', 2) }} as decimal(18, 2)) as injury_change_pct,
    injury_status,
    industry_group as industry_group_code,
    is_national,
    is_final_year
from groups
