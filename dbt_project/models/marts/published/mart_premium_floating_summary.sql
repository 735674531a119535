-- Premium-rate floating (spec 6), the summaries: employers by status and the premium effect
-- per province x risk class, per province and for the nation (000000 全国), per cycle end year.
-- 未分类 employers are grouped under a null risk_class at province_class level and left out of
-- the premium sums (they have no projected premium). Sums are of the unrounded per-employer
-- figures, then rounded half-up to 2 decimals (change_yuan = the unrounded projected − current
-- sums, rounded).
with grades as (
    select * from {{ ref('int_floating_grades') }}
),

grouped as (
    select
        case when grouping(province_code) = 1 then 'national'
             when grouping(risk_class) = 1 then 'province'
             else 'province_class' end as level,
        case when grouping(province_code) = 1 then '000000' else province_code end as province_code,
        case when grouping(province_code) = 1 then '全国' else max(province_name) end as province_name,
        cycle_end_year,
        case when grouping(risk_class) = 0 then risk_class end as risk_class,
        count(*) as employers,
        count(*) filter (where status = '下浮') as employers_down,
        count(*) filter (where status = '不浮动') as employers_unchanged,
        count(*) filter (where status = '上浮') as employers_up,
        count(*) filter (where status = '新参保') as employers_new,
        count(*) filter (where status = '未分类') as employers_unclassified,
        coalesce(sum(current_premium_yuan) filter (where projected_premium_yuan is not null), 0) as current_premium_yuan,
        coalesce(sum(projected_premium_yuan), 0) as projected_premium_yuan
    from grades
    group by grouping sets ((cycle_end_year, province_code, risk_class), (cycle_end_year, province_code), (cycle_end_year))
)

select
    level,
    province_code,
    province_name,
    cast(cycle_end_year as integer) as cycle_end_year,
    cast(risk_class as integer) as risk_class,
    cast(employers as integer) as employers,
    cast(employers_down as integer) as employers_down,
    cast(employers_unchanged as integer) as employers_unchanged,
    cast(employers_up as integer) as employers_up,
    cast(employers_new as integer) as employers_new,
    cast(employers_unclassified as integer) as employers_unclassified,
    cast({{ round_half_up('current_premium_yuan', 2) }} as decimal(18, 2)) as current_premium_yuan,
    cast({{ round_half_up('projected_premium_yuan', 2) }} as decimal(18, 2)) as projected_premium_yuan,
    cast({{ round_half_up('projected_premium_yuan - current_premium_yuan', 2) }} as decimal(18, 2)) as change_yuan
from grouped
