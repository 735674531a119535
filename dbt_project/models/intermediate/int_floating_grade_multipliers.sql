-- Premium-rate floating (spec 6): per province, each grade's rate multiplier, status word
-- (下浮, 不浮动, 上浮) and label (下浮两档 …). Seed floating_grade_multipliers: '000000' rows are
-- the defaults (−2..+2 → 0.5, 0.8, 1.0, 1.2, 1.5); a province's row for a grade overrides the
-- default row, a blank cell inheriting the default's value.
with config as (
    select * from {{ ref('floating_grade_multipliers') }}
),

defaults as (
    select * from config where province_code = '000000'
),

overrides as (
    select * from config where province_code <> '000000'
),

provinces as (
    select province_code from {{ ref('provinces') }}
)

select
    provinces.province_code,
    cast(defaults.grade as integer) as grade,
    cast(coalesce(overrides.multiplier, defaults.multiplier) as decimal(18, 4)) as multiplier,
    coalesce(overrides.status, defaults.status) as status,
    coalesce(overrides.grade_label, defaults.grade_label) as grade_label,
    overrides.province_code is not null as is_provincial
from provinces
cross join defaults
left join overrides
    on overrides.province_code = provinces.province_code
    and overrides.grade = defaults.grade
