{{ config(materialized='incremental', incremental_strategy=province_incremental_strategy(),
          partition_by=province_partition_by(),
          pre_hook=["{{ ensure_meta_schema() }}", "{{ ensure_watermarks() }}",
                    "{{ list_stale_floating_employers() }}", "{{ delete_stale_floating_rows() }}"],
          post_hook="{{ record_watermark() }}") }}
-- depends_on: {{ source('ingest', 'files') }}
-- depends_on: {{ source('raw', 'hrss_injury_claims') }}
-- depends_on: {{ source('raw', 'nhc_occupational_disease') }}
-- depends_on: {{ source('raw', 'nhc_hazard_monitoring') }}
-- depends_on: {{ source('raw', 'em_hazards') }}

-- Premium-rate floating (spec 6): the float grade of every floated employer, in the spec's
-- order, with the reasons in Chinese, the recommended rate and the premium effect (unrounded
-- money; the recommended rate is rounded half-up to 4 decimals, as published, and projected
-- premium uses that rounded rate).
--   0. class not one of the configured classes (1..8): 未分类, no grade, no rate;
--   1. quarters < min_quarters (4): grade 0, 新参保, stop;
--   2. from the record: P = 0 → 0 if N = 0 else +2; otherwise N = 0 → −2; else the grade of the
--      first ratio band with R ≤ its upper bound (R = B / P compared as B ≤ upper × P, exactly);
--   3. severity: D ≥ 1, S ≥ 1 or K ≥ 1 → at least severity_floor_grade (0, no down-float);
--      D ≥ deaths_up_threshold (2) → at least deaths_floor_grade (+1);
--   4. prevention: O ≥ overdue_min_items (1) → overdue_grade_step (1) grade up;
--   5. limits of the class (class 1 [0, +2], classes 2–8 [−2, +2]).
-- Each modifier has a switch; all numbers come from the floating_* seeds (resolved per province).
-- Incremental by employer: a run recomputes the employers whose snapshots or records arrived
-- (macros/floating_incremental.sql).
-- reasons joins, with '；', a phrase for each step that decided the grade: step 2 always, a
-- later step only when it changed the grade.
with inputs as (
    select * from {{ ref('int_floating_inputs') }} as inputs
    where {{ stale_floating_rows('inputs') }}
),

parameters as (
    select * from {{ ref('int_floating_parameters') }}
),

bands as (
    select * from {{ ref('int_floating_ratio_bands') }}
),

scale as (
    select * from {{ ref('int_floating_grade_multipliers') }}
),

band_hits as (
    select inputs.province_code, inputs.cycle_end_year, inputs.uscc, min(bands.band_no) as band_no
    from inputs
    inner join bands
        on bands.province_code = inputs.province_code
        and (bands.ratio_upper is null or inputs.benefits_yuan <= bands.ratio_upper * inputs.premium_yuan)
    where inputs.premium_yuan > 0 and inputs.claims > 0
    group by all
),

with_ratio as (
    select
        inputs.*,
        {{ star_except(['province_code'], 'parameters') }},
        case when inputs.premium_yuan > 0 then {{ float_divide('inputs.benefits_yuan', 'inputs.premium_yuan') }} end as ratio,
        bands.grade as band_grade,
        bands.ratio_lower as band_lower,
        bands.ratio_upper as band_upper,
        inputs.is_classified and inputs.quarters < parameters.min_quarters as is_new
    from inputs
    inner join parameters on parameters.province_code = inputs.province_code
    left join band_hits
        on band_hits.province_code = inputs.province_code
        and band_hits.cycle_end_year = inputs.cycle_end_year
        and band_hits.uscc = inputs.uscc
    left join bands on bands.province_code = band_hits.province_code and bands.band_no = band_hits.band_no
),

step2 as (
    select
        *,
        case
            when not is_classified or is_new then null
            when premium_yuan = 0 and claims = 0 then zero_premium_no_claim_grade
            when premium_yuan = 0 then zero_premium_claim_grade
            when claims = 0 then no_claim_grade
            else band_grade
        end as record_grade
    from with_ratio
),

step3_block as (
    select
        *,
        case when record_grade is not null and severity_block_enabled
                  and (deaths >= 1 or severe >= 1 or od_reports >= 1)
             then greatest(record_grade, severity_floor_grade) else record_grade end as blocked_grade
    from step2
),

step3_deaths as (
    select
        *,
        case when blocked_grade is not null and deaths_up_enabled and deaths >= deaths_up_threshold
             then greatest(blocked_grade, deaths_floor_grade) else blocked_grade end as severity_grade
    from step3_block
),

step4 as (
    select
        *,
        blocked_grade > record_grade as severity_blocks,
        severity_grade > blocked_grade as deaths_raise,
        record_grade is not null and overdue_up_enabled and overdue_items >= overdue_min_items as overdue_raises,
        severity_grade + case when record_grade is not null and overdue_up_enabled
                                   and overdue_items >= overdue_min_items
                              then overdue_grade_step else 0 end as prevention_grade
    from step3_deaths
),

graded as (
    select
        *,
        case
            when not is_classified then null
            when is_new then 0
            else least(greatest(prevention_grade, min_grade), max_grade)
        end as grade
    from step4
),

labelled as (
    select
        graded.*,
        scale.multiplier,
        case when graded.is_new then '新参保'
             when not graded.is_classified then '未分类'
             else scale.status end as status,
        record_scale.grade_label as record_grade_label,
        floor_scale.grade_label as severity_floor_label,
        deaths_scale.grade_label as deaths_floor_label,
        step_scale.grade_label as overdue_step_label,
        min_scale.grade_label as min_grade_label,
        max_scale.grade_label as max_grade_label
    from graded
    left join scale on scale.province_code = graded.province_code and scale.grade = graded.grade
    left join scale as record_scale
        on record_scale.province_code = graded.province_code and record_scale.grade = graded.record_grade
    left join scale as floor_scale
        on floor_scale.province_code = graded.province_code and floor_scale.grade = graded.severity_floor_grade
    left join scale as deaths_scale
        on deaths_scale.province_code = graded.province_code and deaths_scale.grade = graded.deaths_floor_grade
    left join scale as step_scale
        on step_scale.province_code = graded.province_code and step_scale.grade = graded.overdue_grade_step
    left join scale as min_scale
        on min_scale.province_code = graded.province_code and min_scale.grade = graded.min_grade
    left join scale as max_scale
        on max_scale.province_code = graded.province_code and max_scale.grade = graded.max_grade
),

reasoned as (
    select
        *,
        case
            when not is_classified then
                '行业风险类别缺失或无效：未分类，不评定浮动档次'
            when is_new then
                '参保不足' || min_quarters || '个季度（周期内 ' || quarters || ' 个季度）：新参保，不浮动'
            else concat_ws('；',
                case
                    when premium_yuan = 0 and claims = 0 then '周期内缴费为0且无工伤认定：' || record_grade_label
                    when premium_yuan = 0 then '周期内缴费为0、工伤认定 ' || claims || ' 件：' || record_grade_label
                    when claims = 0 then '周期内无工伤认定：' || record_grade_label
                    when band_lower is null then
                        '支缴率 ' || cast({{ round_half_up('ratio', 4) }} as decimal(18, 4)) || ' ≤ '
                        || cast(cast(band_upper as double) as string) || '：' || record_grade_label
                    when band_upper is null then
                        '支缴率 ' || cast({{ round_half_up('ratio', 4) }} as decimal(18, 4)) || ' > '
                        || cast(cast(band_lower as double) as string) || '：' || record_grade_label
                    else
                        '支缴率 ' || cast({{ round_half_up('ratio', 4) }} as decimal(18, 4)) || ' > '
                        || cast(cast(band_lower as double) as string) || ' 且 ≤ '
                        || cast(cast(band_upper as double) as string) || '：' || record_grade_label
                end,
                case
                    when deaths_raise then '死亡 ' || deaths || ' 人：至少' || deaths_floor_label
                    when severity_blocks then
                        concat_ws('、',
                            case when deaths >= 1 then '死亡 ' || deaths || ' 人' end,
                            case when severe >= 1 then severe_disability_grade_min || '–' || severe_disability_grade_max
                                                       || '级伤残 ' || severe || ' 人' end,
                            case when od_reports >= 1 then '职业病报告 ' || od_reports || ' 例' end)
                        || '：' || case when severity_floor_grade = 0 then '不下浮'
                                        else '至少' || severity_floor_label end
                end,
                case when overdue_raises then '逾期整改 ' || overdue_items || ' 项：' || overdue_step_label end,
                case
                    when prevention_grade < min_grade and min_grade = 0 then
                        coalesce({{ array_element(["'一'", "'二'", "'三'", "'四'", "'五'", "'六'", "'七'", "'八'"], 'risk_class') }},
                                 cast(risk_class as string)) || '类行业不下浮'
                    when prevention_grade < min_grade then '保底：' || min_grade_label
                    when prevention_grade > max_grade then '封顶：' || max_grade_label
                end)
        end as reasons
    from labelled
)

select
    province_code,
    province_name,
    cycle_end_year,
    uscc,
    employer_name,
    industry_code,
    recorded_risk_class,
    risk_class,
    is_classified,
    is_new,
    quarters,
    premium_yuan,
    benefits_yuan,
    ratio,
    claims,
    deaths,
    severe,
    od_reports,
    overdue_items,
    record_grade,
    severity_grade,
    prevention_grade,
    grade,
    status,
    reasons,
    current_rate_pct,
    base_rate_pct,
    multiplier,
    recommended_rate_pct,
    effect_payroll_yuan,
    current_premium_yuan,
    projected_premium_yuan,
    projected_premium_yuan - current_premium_yuan as change_yuan,
    window_start_quarter,
    window_end_quarter,
    last_snapshot_period
from (
    select
        reasoned.*,
        cast({{ round_half_up('base_rate_pct * multiplier', 4) }} as decimal(18, 4)) as recommended_rate_pct,
        case when grade is not null
             then cast(effect_payroll_yuan
                       * cast({{ round_half_up('base_rate_pct * multiplier', 4) }} as decimal(18, 4))
                       * 0.01 as decimal(38, 8)) end as projected_premium_yuan
    from reasoned
)
