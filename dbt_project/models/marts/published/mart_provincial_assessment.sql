-- Provincial assessment (省级工伤预防工作考核), spec 5: the export's columns in its order.
-- Total = sum of the unrounded components, rounded half-up to 2 decimals; the grade follows
-- the published total; rank 1 = highest published total of the year, ties share ("1224").
with components as (
    select * from {{ ref('int_assessment_components') }}
),

totals as (
    select
        *,
        {{ round_half_up('score_injury_rate + score_occupational_disease + score_training'
                         ' + score_rectification + score_data_sharing + score_reporting'
                         ' + score_prevention_fund', 2) }} as published_total
    from components
),

grades as (
    select * from {{ ref('assessment_grades') }}
),

graded as (
    select
        totals.*,
        (select grade from grades where grades.min_total <= totals.published_total
         order by grades.min_total desc limit 1) as grade
    from totals
)

select
    province_code,
    province_name,
    cast(year as integer) as year,
    cast({{ round_half_up('injury_rate_per_1000', 4) }} as decimal(18, 4)) as injury_rate_per_1000,
    cast({{ round_half_up('baseline_injury_rate_per_1000', 4) }} as decimal(18, 4)) as baseline_injury_rate_per_1000,
    cast({{ round_half_up('target_injury_rate_per_1000', 4) }} as decimal(18, 4)) as target_injury_rate_per_1000,
    cast({{ round_half_up('od_rate_per_100k', 4) }} as decimal(18, 4)) as od_rate_per_100k,
    cast({{ round_half_up('baseline_od_rate_per_100k', 4) }} as decimal(18, 4)) as baseline_od_rate_per_100k,
    cast({{ round_half_up('training_coverage', 4) }} as decimal(18, 4)) as training_coverage,
    cast({{ round_half_up('rectified_on_time_share', 4) }} as decimal(18, 4)) as rectified_on_time_share,
    cast({{ round_half_up('on_time_clean_share', 4) }} as decimal(18, 4)) as on_time_clean_share,
    cast({{ round_half_up('fund_execution_rate', 4) }} as decimal(18, 4)) as fund_execution_rate,
    cast({{ round_half_up('score_injury_rate', 2) }} as decimal(18, 2)) as score_injury_rate,
    cast({{ round_half_up('score_occupational_disease', 2) }} as decimal(18, 2)) as score_occupational_disease,
    cast({{ round_half_up('score_training', 2) }} as decimal(18, 2)) as score_training,
    cast({{ round_half_up('score_rectification', 2) }} as decimal(18, 2)) as score_rectification,
    cast({{ round_half_up('score_data_sharing', 2) }} as decimal(18, 2)) as score_data_sharing,
    cast({{ round_half_up('score_reporting', 2) }} as decimal(18, 2)) as score_reporting,
    cast({{ round_half_up('score_prevention_fund', 2) }} as decimal(18, 2)) as score_prevention_fund,
    cast(published_total as decimal(18, 2)) as total_score,
    grade,
    cast(rank() over (partition by year order by published_total desc) as integer) as rank
from graded
