-- The seven assessment components of each province and assessment year, unrounded (spec 5).
-- Weights come from the assessment_weights seed; plan parameters from plan_cycles.
--   A = wA x clamp01((b - r) / (b - t)) on the key-industry injury rate; b = 0: full if r = 0
--   B = the same form on the occupational-disease rate
--   C = wC x min(1, coverage / min(1, ramp x (Y - baseline)))
--   D = wD x rectified-on-time share;  E = wE x on-time-and-clean share
--   F = wF x (3/5 if the yearly report for Y came by Y-12-31 + 2/5 if the plan was filed by
--       2021-05-31), i.e. 3 + 2 with the default weight 5
--   G = wG x min(1, execution / target)
-- A null figure or baseline scores 0. Only provinces assessed in Y (spec 5, v1.1: at least one
-- accepted slice of Y) are scored; the others are not in this model at all.
with figures as (
    select * from {{ ref('int_assessment_figures') }}
),

plan as (
    select * from {{ ref('plan_cycles') }}
),

weights as (
    select
        max(weight) filter (where component = 'A') as w_a,
        max(weight) filter (where component = 'B') as w_b,
        max(weight) filter (where component = 'C') as w_c,
        max(weight) filter (where component = 'D') as w_d,
        max(weight) filter (where component = 'E') as w_e,
        max(weight) filter (where component = 'F') as w_f,
        max(weight) filter (where component = 'G') as w_g
    from {{ ref('assessment_weights') }}
),

baseline as (
    select figures.province_code,
           figures.injury_rate_per_1000 as baseline_injury_rate_per_1000,
           figures.od_rate_per_100k as baseline_od_rate_per_100k
    from figures
    cross join plan
    where figures.year = plan.baseline_year
),

framed as (
    select
        figures.*,
        baseline.baseline_injury_rate_per_1000,
        baseline.baseline_od_rate_per_100k,
        baseline.baseline_injury_rate_per_1000 * (1 - plan.annual_reduction * (figures.year - plan.baseline_year))
            as target_injury_rate_per_1000,
        baseline.baseline_od_rate_per_100k * (1 - plan.annual_reduction * (figures.year - plan.baseline_year))
            as target_od_rate_per_100k,
        least(1.0, plan.training_ramp_per_year * (figures.year - plan.baseline_year)) as training_target,
        plan.fund_execution_target
    from figures
    cross join plan
    left join baseline on baseline.province_code = figures.province_code
    inner join {{ ref('int_assessed_provinces') }} as assessed
        on assessed.province_code = figures.province_code and assessed.year = figures.year
    where figures.is_assessment_year and assessed.is_assessed
)

select
    framed.*,
    case
        when injury_rate_per_1000 is null or baseline_injury_rate_per_1000 is null then 0.0
        when baseline_injury_rate_per_1000 = 0 then case when injury_rate_per_1000 = 0 then w_a else 0.0 end
        else w_a * {{ clamp01(float_divide('(baseline_injury_rate_per_1000 - injury_rate_per_1000)',
                                           '(baseline_injury_rate_per_1000 - target_injury_rate_per_1000)')) }}
    end as score_injury_rate,
    case
        when od_rate_per_100k is null or baseline_od_rate_per_100k is null then 0.0
        when baseline_od_rate_per_100k = 0 then case when od_rate_per_100k = 0 then w_b else 0.0 end
        else w_b * {{ clamp01(float_divide('(baseline_od_rate_per_100k - od_rate_per_100k)',
                                           '(baseline_od_rate_per_100k - target_od_rate_per_100k)')) }}
    end as score_occupational_disease,
    case when training_coverage is null then 0.0
         else w_c * least(1.0, {{ float_divide('training_coverage', 'training_target') }}) end as score_training,
    w_d * coalesce(rectified_on_time_share, 0.0) as score_rectification,
    w_e * coalesce(on_time_clean_share, 0.0) as score_data_sharing,
    w_f * (case when yearly_report_on_time then 0.6 else 0.0 end
           + case when plan_filed_on_time then 0.4 else 0.0 end) as score_reporting,
    w_g * least(1.0, {{ float_divide('coalesce(fund_execution_rate, 0.0)', 'fund_execution_target') }})
        as score_prevention_fund
from framed
cross join weights
