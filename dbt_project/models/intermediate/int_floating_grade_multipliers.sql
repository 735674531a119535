-- Premium-rate floating (spec 6): per province, each grade's rate multiplier, status word
-- (下浮, 不浮动, 上浮) and label (下浮两档 …). Seed floating_grade_multipliers: '000000' rows are
-- the defaults (−2..+2 → 0.5, 0.8, 1.0, 1.2, 1.5); a province's row for a grade overrides the
-- default row, a blank cell inheriting the default's value.
with resolved as (
    {{ provincial_settings('floating_grade_multipliers', 'grade', ['multiplier', 'status', 'grade_label']) }}
)

select
    province_code,
    cast(grade as integer) as grade,
    cast(multiplier as decimal(18, 4)) as multiplier,
    status,
    grade_label,
    is_provincial
from resolved
