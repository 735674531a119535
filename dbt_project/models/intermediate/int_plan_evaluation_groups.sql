-- Plan progress and final evaluation (实施进度与终期评估), spec 7 (v1.1), per unit x plan year x
-- industry group, unrounded. Units (int_plan_evaluation_members): each province assessed in Y,
-- and the nation 000000 = the provinces assessed in Y. Groups: each key industry of the unit
-- (the national list plus a province's own additions; the nation has the national list only),
-- key_all (all key industries: component A's rate, spec 5) and all (all employers: the OD
-- rates).
--
-- A unit's figures are the numerators and insured workers of its member provinces summed
-- (int_group_figures), in Y and in the baseline year, and the rates recomputed from the sums:
-- injury rate per 1,000, OD and pneumoconiosis rates per 100,000; a rate whose insured workers
-- are zero or missing is null. The national baseline sums the baseline-year figures of the
-- same provinces as Y (those assessed in Y), so the national change compares like with like;
-- it is not int_group_rates' national row, which sums every province. Sums skip missing values
-- (as int_group_rates' national row does): a member province without insured workers in a year
-- adds its numerators but no workers to that year's national sums.
--
-- Target path t(Y) = b x (1 - annual_reduction x (Y - baseline_year)); change_pct =
-- (r - b) x 100 / b, null when b is 0 or null.
-- injury_status (readings of the lead, issue 10):
--   * r or b null (no insured workers in Y or in the baseline year, e.g. no 2020 snapshot, or a
--     key-industry group without insured workers in Y) -> 无数据;
--   * final evaluation (Y = plan_cycles.last_year, not a literal year): 达成 when
--     change_pct <= final_achieved_change_pct_max (-20), 基本达成 when <=
--     final_basically_achieved_change_pct_max (-15), else 未达成; b = 0: 达成 if r = 0 else 未达成
--     (as component A treats b = 0);
--   * earlier years: 进度正常 when r <= t(Y), else 进度滞后 (b = 0: t = 0, so 进度正常 iff r = 0).
-- od_status: 下降 when the OD rate in Y is below its baseline, else 未下降; 无数据 when null.
-- Statuses use the unrounded figures, compared without division: with r = 1000 x I / W and
-- b = 1000 x I_b / W_b (W, W_b > 0), change_pct <= p  <=>  I x W_b x 100 <= (100 + p) x I_b x W,
-- r <= t(Y)  <=>  I x W_b <= I_b x W x (1 - reduction x (Y - baseline_year)), r < b  <=>
-- I x W_b < I_b x W, all in decimal arithmetic (W to 6 decimals: a mean over 1, 2 or 4
-- snapshot quarters is exact there), so an exact boundary lands where the spec puts it.
with plan as (
    select * from {{ ref('plan_cycles') }}
),

members as (
    select * from {{ ref('int_plan_evaluation_members') }}
),

figures as (
    select * from {{ ref('int_group_figures') }}
),

national_groups as (
    select distinct key_industry_code as industry_group from {{ ref('key_industries') }}
    union all
    select 'key_all'
    union all
    select 'all'
),

summed as (
    select
        members.unit_code as province_code,
        members.unit_name as province_name,
        members.is_national,
        members.year,
        members.is_final_year,
        current_year.industry_group,
        min(current_year.industry_group_name) as industry_group_name,
        count(*) as provinces_summed,
        sum(current_year.injuries) as injuries,
        sum(current_year.od_cases) as od_cases,
        sum(current_year.pneumoconiosis_cases) as pneumoconiosis_cases,
        sum(current_year.insured_workers) as insured_workers,
        sum(baseline.injuries) as baseline_injuries,
        sum(baseline.od_cases) as baseline_od_cases,
        sum(baseline.pneumoconiosis_cases) as baseline_pneumoconiosis_cases,
        sum(baseline.insured_workers) as baseline_insured_workers
    from members
    cross join plan
    inner join figures as current_year
        on current_year.province_code = members.province_code and current_year.year = members.year
    left join figures as baseline
        on baseline.province_code = members.province_code
        and baseline.industry_group = current_year.industry_group
        and baseline.year = plan.baseline_year
    where not members.is_national
       or current_year.industry_group in (select industry_group from national_groups)
    group by members.unit_code, members.unit_name, members.is_national, members.year,
             members.is_final_year, current_year.industry_group
),

rated as (
    select
        summed.*,
        case when insured_workers > 0 then injuries * 1000.0 / insured_workers end as injury_rate,
        case when baseline_insured_workers > 0 then baseline_injuries * 1000.0 / baseline_insured_workers end
            as injury_rate_baseline,
        case when insured_workers > 0 then od_cases * 100000.0 / insured_workers end as od_rate,
        case when baseline_insured_workers > 0 then baseline_od_cases * 100000.0 / baseline_insured_workers end
            as od_rate_baseline,
        case when insured_workers > 0 then pneumoconiosis_cases * 100000.0 / insured_workers end
            as pneumoconiosis_rate,
        case when baseline_insured_workers > 0
             then baseline_pneumoconiosis_cases * 100000.0 / baseline_insured_workers end
            as pneumoconiosis_rate_baseline,
        1 - plan.annual_reduction * (summed.year - plan.baseline_year) as path_factor,
        -- exact decimal copies for the status comparisons
        cast(injuries as decimal(38, 0)) as i_y,
        cast(baseline_injuries as decimal(38, 0)) as i_b,
        cast(od_cases as decimal(38, 0)) as od_y,
        cast(baseline_od_cases as decimal(38, 0)) as od_b,
        cast(insured_workers as decimal(38, 6)) as w_y,
        cast(baseline_insured_workers as decimal(38, 6)) as w_b,
        1 - cast(plan.annual_reduction as decimal(18, 6)) * (summed.year - plan.baseline_year) as path_factor_exact,
        100 + cast(plan.final_achieved_change_pct_max as decimal(18, 6)) as achieved_share_pct,
        100 + cast(plan.final_basically_achieved_change_pct_max as decimal(18, 6)) as basically_achieved_share_pct
    from summed
    cross join plan
)

select
    province_code,
    province_name,
    is_national,
    year,
    is_final_year,
    industry_group,
    industry_group_name,
    provinces_summed,
    injuries,
    insured_workers,
    baseline_injuries,
    baseline_insured_workers,
    od_cases,
    baseline_od_cases,
    pneumoconiosis_cases,
    baseline_pneumoconiosis_cases,
    injury_rate_baseline,
    injury_rate,
    injury_rate_baseline * path_factor as injury_target_rate,
    case when injury_rate_baseline > 0
         then (injury_rate - injury_rate_baseline) * 100.0 / injury_rate_baseline end as injury_change_pct,
    case
        when injury_rate is null or injury_rate_baseline is null then '无数据'
        when is_final_year then case
            when i_b = 0 then case when i_y = 0 then '达成' else '未达成' end
            when i_y * w_b * 100 <= achieved_share_pct * i_b * w_y then '达成'
            when i_y * w_b * 100 <= basically_achieved_share_pct * i_b * w_y then '基本达成'
            else '未达成'
        end
        when i_y * w_b <= i_b * w_y * path_factor_exact then '进度正常'
        else '进度滞后'
    end as injury_status,
    od_rate_baseline,
    od_rate,
    case when od_rate_baseline > 0 then (od_rate - od_rate_baseline) * 100.0 / od_rate_baseline end
        as od_change_pct,
    pneumoconiosis_rate_baseline,
    pneumoconiosis_rate,
    case when pneumoconiosis_rate_baseline > 0
         then (pneumoconiosis_rate - pneumoconiosis_rate_baseline) * 100.0 / pneumoconiosis_rate_baseline end
        as pneumoconiosis_change_pct,
    case
        when od_rate is null or od_rate_baseline is null then '无数据'
        when od_y * w_b < od_b * w_y then '下降'
        else '未下降'
    end as od_status
from rated
