-- Plan progress and final evaluation (实施进度与终期评估), spec 7 (v1.1): one row per plan year Y x
-- (province assessed in Y | nation 000000), unrounded. Injury columns: the key_all group
-- (component A's key-industry rate); OD and pneumoconiosis columns: the all group (all
-- employers of the province); rates, baselines, changes and statuses as defined and read in
-- int_plan_evaluation_groups. Training: coverage in Y = trained persons / roster persons
-- (int_training_coverage), for the nation both summed over the provinces assessed in Y (null
-- when the summed roster is empty); target min(1, training_ramp_per_year x (Y - baseline_year)).
-- provinces_assessed: how many provinces the row sums (1 for a province).
with plan as (
    select * from {{ ref('plan_cycles') }}
),

groups as (
    select * from {{ ref('int_plan_evaluation_groups') }}
),

training as (
    select
        members.unit_code,
        members.unit_name,
        members.is_national,
        members.year,
        members.is_final_year,
        count(*) as provinces_assessed,
        sum(coverage.roster_persons) as roster_persons,
        sum(coverage.trained_persons) as trained_persons
    from {{ ref('int_plan_evaluation_members') }} as members
    left join {{ ref('int_training_coverage') }} as coverage
        on coverage.province_code = members.province_code and coverage.year = members.year
    group by members.unit_code, members.unit_name, members.is_national, members.year, members.is_final_year
),

key_all as (
    select * from groups where industry_group = 'key_all'
),

all_industries as (
    select * from groups where industry_group = 'all'
)

select
    training.unit_code as province_code,
    training.unit_name as province_name,
    training.year,
    key_all.injury_rate_baseline,
    key_all.injury_rate,
    key_all.injury_target_rate,
    key_all.injury_change_pct,
    coalesce(key_all.injury_status, '无数据') as injury_status,
    all_industries.od_rate_baseline,
    all_industries.od_rate,
    all_industries.od_change_pct,
    all_industries.pneumoconiosis_rate_baseline,
    all_industries.pneumoconiosis_rate,
    all_industries.pneumoconiosis_change_pct,
    coalesce(all_industries.od_status, '无数据') as od_status,
    case when training.roster_persons > 0
         then training.trained_persons / training.roster_persons end as training_coverage,
    least(1.0, plan.training_ramp_per_year * (training.year - plan.baseline_year)) as training_target,
    training.is_national,
    training.is_final_year,
    training.provinces_assessed,
    key_all.injuries as key_industry_injuries,
    key_all.insured_workers as key_industry_insured_workers,
    key_all.baseline_injuries as baseline_key_industry_injuries,
    key_all.baseline_insured_workers as baseline_key_industry_insured_workers,
    all_industries.od_cases,
    all_industries.pneumoconiosis_cases,
    all_industries.insured_workers as all_insured_workers,
    all_industries.baseline_od_cases,
    all_industries.baseline_pneumoconiosis_cases,
    all_industries.baseline_insured_workers as baseline_all_insured_workers,
    training.roster_persons,
    training.trained_persons
from training
cross join plan
left join key_all on key_all.province_code = training.unit_code and key_all.year = training.year
left join all_industries on all_industries.province_code = training.unit_code and all_industries.year = training.year
