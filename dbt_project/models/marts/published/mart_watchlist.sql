-- The exceedance and hazard watchlist: one row per employer (province x USCC) with at least one
-- open rectification item — an exceeding sample or a hazard not yet rectified — judged at the
-- data's as-of date, worst first.
--
-- Priority (documented in README "Watchlist priority"):
--   tier 1: an overdue 重大隐患, or an overdue exceedance of at least 2x its limit;
--   tier 2: any other overdue item;
--   tier 3: open items not yet due.
-- Within a tier: worst exceedance ratio of the last 12 months, then most days overdue, then
-- linked injuries + occupational-disease cases of the last 12 months, then USCC.
with as_of as (
    select as_of_date, as_of_date - interval 365 day as window_start from {{ ref('int_as_of') }}
),

samples as (
    select * from {{ ref('int_exposure_samples_assessed') }} where exceeds
),

open_items as (
    select province_code, uscc, 'exceedance' as item_type, rectification_deadline as deadline, factor
    from samples where rectified_date is null
    union all
    select province_code, uscc, case when is_major then 'major_hazard' else 'general_hazard' end, deadline, null
    from {{ ref('int_hazards_current') }} where rectified_date is null
),

open_summary as (
    select
        open_items.province_code,
        open_items.uscc,
        count(*) as open_items,
        count(*) filter (where deadline < as_of.as_of_date) as overdue_items,
        count(*) filter (where item_type = 'exceedance') as open_exceedances,
        count(*) filter (where item_type = 'exceedance' and deadline < as_of.as_of_date) as overdue_exceedances,
        count(*) filter (where item_type = 'major_hazard') as open_major_hazards,
        count(*) filter (where item_type = 'major_hazard' and deadline < as_of.as_of_date) as overdue_major_hazards,
        count(*) filter (where item_type = 'general_hazard') as open_general_hazards,
        count(*) filter (where item_type = 'general_hazard' and deadline < as_of.as_of_date) as overdue_general_hazards,
        max({{ days_between('deadline', 'as_of.as_of_date') }}) filter (where deadline < as_of.as_of_date)
            as max_days_overdue
    from open_items
    cross join as_of
    group by all
),

recent_samples as (
    select samples.* from samples cross join as_of
    where samples.sample_date > as_of.window_start and samples.sample_date <= as_of.as_of_date
),

recent_by_factor as (
    select province_code, uscc, factor, count(*) as n, max(exceedance_ratio) as worst_ratio
    from recent_samples group by all
),

exceedance_summary as (
    select
        province_code,
        uscc,
        sum(n) as exceedances_12m,
        max(worst_ratio) as worst_exceedance_ratio,
        count(*) filter (where n >= 2) as repeat_exceedance_factors,
        sum(n - 1) filter (where n >= 2) as repeat_exceedances,
        {{ sorted_list_agg('factor') }} as exceeded_factors
    from recent_by_factor
    group by all
),

open_factors as (
    select province_code, uscc, {{ sorted_list_agg('factor', distinct=true) }} as open_factors
    from open_items where factor is not null group by all
),

injuries as (
    select claims.province_code, claims.uscc, count(*) as linked_injuries_12m
    from {{ ref('int_claims_attributed') }} as claims cross join as_of
    where claims.is_recognised and claims.incident_date > as_of.window_start
      and claims.incident_date <= as_of.as_of_date
    group by all
),

od as (
    select od.province_code, od.uscc, count(*) as od_cases_12m
    from {{ ref('stg_nhc_occupational_disease') }} as od cross join as_of
    where od.diagnosis_date > as_of.window_start and od.diagnosis_date <= as_of.as_of_date
    group by all
),

complaints as (
    select s.province_code, s.uscc, sum(coalesce(s.worker_complaints, 0)) as union_complaints_12m
    from {{ ref('stg_acftu_supervision') }} as s cross join as_of
    where s.inspection_date > as_of.window_start and s.inspection_date <= as_of.as_of_date
    group by all
),

assembled as (
    select
        open_summary.*,
        employers.employer_name,
        employers.industry_code,
        employers.key_industry_code,
        employers.key_industry_name,
        coalesce(exceedance_summary.exceedances_12m, 0) as exceedances_12m,
        exceedance_summary.worst_exceedance_ratio,
        coalesce(exceedance_summary.repeat_exceedance_factors, 0) as repeat_exceedance_factors,
        coalesce(exceedance_summary.repeat_exceedances, 0) as repeat_exceedances,
        {{ string_list_union('exceedance_summary.exceeded_factors', 'open_factors.open_factors') }} as factors,
        coalesce(injuries.linked_injuries_12m, 0) as linked_injuries_12m,
        coalesce(od.od_cases_12m, 0) as od_cases_12m,
        coalesce(complaints.union_complaints_12m, 0) as union_complaints_12m,
        case
            when open_summary.overdue_major_hazards > 0
                or (open_summary.overdue_exceedances > 0 and coalesce(exceedance_summary.worst_exceedance_ratio, 0) >= 2)
                then 1
            when open_summary.overdue_items > 0 then 2
            else 3
        end as priority_tier
    from open_summary
    left join {{ ref('dim_employers') }} as employers using (province_code, uscc)
    left join exceedance_summary using (province_code, uscc)
    left join open_factors using (province_code, uscc)
    left join injuries using (province_code, uscc)
    left join od using (province_code, uscc)
    left join complaints using (province_code, uscc)
)

select
    cast(row_number() over (order by assembled.priority_tier asc, assembled.worst_exceedance_ratio desc nulls last,
        assembled.max_days_overdue desc nulls last, assembled.linked_injuries_12m + assembled.od_cases_12m desc,
        assembled.province_code asc, assembled.uscc asc) as integer) as priority_rank,
    cast(assembled.priority_tier as integer) as priority_tier,
    assembled.province_code,
    provinces.province_name,
    assembled.uscc,
    coalesce(assembled.employer_name, '（未在参保名册中）') as employer_name,
    assembled.industry_code,
    assembled.key_industry_code,
    assembled.key_industry_name,
    cast({{ round_half_up('assembled.worst_exceedance_ratio', 4) }} as decimal(18, 4)) as worst_exceedance_ratio,
    cast(assembled.exceedances_12m as integer) as exceedances_12m,
    cast(assembled.repeat_exceedance_factors as integer) as repeat_exceedance_factors,
    cast(assembled.repeat_exceedances as integer) as repeat_exceedances,
    assembled.factors as exceeded_factors,
    cast(assembled.open_items as integer) as open_items,
    cast(assembled.overdue_items as integer) as overdue_items,
    cast(assembled.open_exceedances as integer) as open_exceedances,
    cast(assembled.overdue_exceedances as integer) as overdue_exceedances,
    cast(assembled.open_major_hazards as integer) as open_major_hazards,
    cast(assembled.overdue_major_hazards as integer) as overdue_major_hazards,
    cast(assembled.open_general_hazards as integer) as open_general_hazards,
    cast(assembled.overdue_general_hazards as integer) as overdue_general_hazards,
    cast(assembled.max_days_overdue as integer) as max_days_overdue,
    cast(assembled.linked_injuries_12m as integer) as linked_injuries_12m,
    cast(assembled.od_cases_12m as integer) as od_cases_12m,
    cast(assembled.union_complaints_12m as integer) as union_complaints_12m,
    concat_ws('；',
        case when assembled.overdue_major_hazards > 0 then '重大隐患逾期未整改' || assembled.overdue_major_hazards || '项' end,
        case when assembled.overdue_exceedances > 0 then '超标逾期未整改' || assembled.overdue_exceedances || '项' end,
        case when assembled.overdue_general_hazards > 0 then '一般隐患逾期未整改' || assembled.overdue_general_hazards || '项' end,
        case when assembled.open_items > assembled.overdue_items
             then '未到期待整改' || (assembled.open_items - assembled.overdue_items) || '项' end,
        case when assembled.worst_exceedance_ratio >= 2
             then '近12个月最高超标' || cast({{ round_half_up('assembled.worst_exceedance_ratio', 1) }} as string) || '倍' end,
        case when assembled.repeat_exceedance_factors > 0
             then '同一因素重复超标' || assembled.repeat_exceedance_factors || '种' end,
        case when assembled.linked_injuries_12m > 0 then '近12个月工伤' || assembled.linked_injuries_12m || '起' end,
        case when assembled.od_cases_12m > 0 then '近12个月职业病' || assembled.od_cases_12m || '例' end,
        case when assembled.union_complaints_12m > 0 then '职工投诉' || assembled.union_complaints_12m || '件' end
    ) as listing_reasons
from assembled
inner join {{ ref('dim_provinces') }} as provinces on provinces.province_code = assembled.province_code
