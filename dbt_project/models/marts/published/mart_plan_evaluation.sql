-- Plan progress and final evaluation (实施进度与终期评估), spec 7 (v1.1): one row per plan year x
-- (province assessed in the year | nation 000000 全国), in the export's columns and order, then
-- is_national, is_final_year and provinces_assessed (the number of provinces the row sums).
-- Figures, baselines, targets and statuses come unrounded from int_plan_evaluation (statuses
-- are decided on the unrounded figures, so a status can differ from what the rounded
-- change_pct seems to say); here they are rounded half-up: rates, coverage and target to 4
-- decimals, change_pct and the mean score to 2 (a negative change_pct is rounded half away
-- from zero).
-- Assessment record: the mean published total (mart_provincial_assessment.total_score) over
-- the years first_year..Y in which the province was assessed, and how many of those years it
-- was graded 优秀 / 良好 / 合格 / 不合格; blank for the nation.
with evaluation as (
    select * from {{ ref('int_plan_evaluation') }}
),

plan as (
    select * from {{ ref('plan_cycles') }}
),

record as (
    select
        evaluation.province_code,
        evaluation.year,
        avg(assessment.total_score) as mean_total_score,
        count(*) filter (where assessment.grade = '优秀') as years_excellent,
        count(*) filter (where assessment.grade = '良好') as years_good,
        count(*) filter (where assessment.grade = '合格') as years_pass,
        count(*) filter (where assessment.grade = '不合格') as years_fail
    from evaluation
    cross join plan
    inner join {{ ref('mart_provincial_assessment') }} as assessment
        on assessment.province_code = evaluation.province_code
        and assessment.year between plan.first_year and evaluation.year
    where not evaluation.is_national
    group by evaluation.province_code, evaluation.year
)

select
    evaluation.province_code,
    evaluation.province_name,
    cast(evaluation.year as integer) as year,
    cast({{ round_half_up('evaluation.injury_rate_baseline', 4) }} as decimal(18, 4)) as injury_rate_baseline,
    cast({{ round_half_up('evaluation.injury_rate', 4) }} as decimal(18, 4)) as injury_rate,
    cast({{ round_half_up('evaluation.injury_target_rate', 4) }} as decimal(18, 4)) as injury_target_rate,
    cast({{ round_half_up('evaluation.injury_change_pct', 2) }} as decimal(18, 2)) as injury_change_pct,
    evaluation.injury_status,
    cast({{ round_half_up('evaluation.od_rate_baseline', 4) }} as decimal(18, 4)) as od_rate_baseline,
    cast({{ round_half_up('evaluation.od_rate', 4) }} as decimal(18, 4)) as od_rate,
    cast({{ round_half_up('evaluation.od_change_pct', 2) }} as decimal(18, 2)) as od_change_pct,
    cast({{ round_half_up('evaluation.pneumoconiosis_rate_baseline', 4) }} as decimal(18, 4))
        as pneumoconiosis_rate_baseline,
    cast({{ round_half_up('evaluation.pneumoconiosis_rate', 4) }} as decimal(18, 4)) as pneumoconiosis_rate,
    cast({{ round_half_up('evaluation.pneumoconiosis_change_pct', 2) }} as decimal(18, 2))
        as pneumoconiosis_change_pct,
    evaluation.od_status,
    cast({{ round_half_up('evaluation.training_coverage', 4) }} as decimal(18, 4)) as training_coverage,
    cast({{ round_half_up('evaluation.training_target', 4) }} as decimal(18, 4)) as training_target,
    cast({{ round_half_up('record.mean_total_score', 2) }} as decimal(18, 2)) as mean_total_score,
    cast(case when not evaluation.is_national then coalesce(record.years_excellent, 0) end as integer)
        as years_excellent,
    cast(case when not evaluation.is_national then coalesce(record.years_good, 0) end as integer) as years_good,
    cast(case when not evaluation.is_national then coalesce(record.years_pass, 0) end as integer) as years_pass,
    cast(case when not evaluation.is_national then coalesce(record.years_fail, 0) end as integer) as years_fail,
    evaluation.is_national,
    evaluation.is_final_year,
    cast(evaluation.provinces_assessed as integer) as provinces_assessed
from evaluation
left join record on record.province_code = evaluation.province_code and record.year = evaluation.year
