-- Every assessment component with the figures behind it (numerators, denominators, baseline,
-- target, weight) and its unrounded score, so each published score can be traced and
-- re-computed. One row per province x assessment year x component.
with c as (
    select * from {{ ref('int_assessment_components') }}
),

weights as (
    select * from {{ ref('assessment_weights') }}
),

long as (
    select province_code, province_name, year, 'A' as component, score_injury_rate as score_unrounded,
        injury_rate_per_1000 as figure, baseline_injury_rate_per_1000 as baseline,
        target_injury_rate_per_1000 as target,
        cast(key_industry_injuries as double) as numerator, key_industry_insured_workers as denominator,
        '重点行业工伤事故（认定/视同工伤、事故伤害）数 / 重点行业参保职工数 × 1000' as figure_definition
    from c
    union all
    select province_code, province_name, year, 'B', score_occupational_disease, od_rate_per_100k,
        baseline_od_rate_per_100k, target_od_rate_per_100k, cast(od_cases as double), all_insured_workers,
        '职业病报告数 / 全部参保职工数 × 100000'
    from c
    union all
    select province_code, province_name, year, 'C', score_training, training_coverage, null, training_target,
        cast(trained_persons as double), cast(roster_persons as double),
        '名册中已培训合格人数 / 关键岗位名册人数'
    from c
    union all
    select province_code, province_name, year, 'D', score_rectification, rectified_on_time_share, null, null,
        cast(items_on_time as double), cast(items_due as double),
        '按期整改项数 / 当年到期的超标与重大隐患项数（无到期项计为1）'
    from c
    union all
    select province_code, province_name, year, 'E', score_data_sharing, on_time_clean_share, null, null,
        cast(slices_on_time_and_clean as double), cast(slices_expected as double),
        '按时且合格报送的数据片数 / 应报数据片数'
    from c
    union all
    select province_code, province_name, year, 'F', score_reporting,
        (case when yearly_report_on_time then 0.6 else 0 end) + (case when plan_filed_on_time then 0.4 else 0 end),
        null, null, null, null,
        '年度落实情况按期报送（3分）+ 实施方案按期备案（2分）'
    from c
    union all
    select province_code, province_name, year, 'G', score_prevention_fund, fund_execution_rate, null,
        fund_execution_target, cast(spent_yuan as double), cast(budget_yuan as double),
        '工伤预防项目实际支出 / 预算金额'
    from c
)

select
    long.province_code,
    long.province_name,
    cast(long.year as integer) as year,
    long.component,
    weights.component_name,
    weights.weight,
    long.figure_definition,
    long.numerator,
    long.denominator,
    long.figure,
    long.baseline,
    long.target,
    long.score_unrounded,
    cast({{ round_half_up('long.score_unrounded', 2) }} as decimal(18, 2)) as score
from long
inner join weights on weights.component = long.component
