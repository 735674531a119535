-- Premium-rate floating (spec 6): the base rate and the grade limits of every risk class, per
-- province. Configuration is the seed floating_base_rates: rows under province_code '000000'
-- are the national defaults; a province's own row for a class overrides the default row, and a
-- blank cell of it inherits the default's value. The classes are those of the defaults (1..8);
-- an employer whose class has no row here is 未分类.
with resolved as (
    {{ provincial_settings('floating_base_rates', 'risk_class', ['base_rate_pct', 'min_grade', 'max_grade']) }}
)

select
    province_code,
    cast(risk_class as integer) as risk_class,
    cast(base_rate_pct as decimal(18, 4)) as base_rate_pct,
    cast(min_grade as integer) as min_grade,
    cast(max_grade as integer) as max_grade,
    is_provincial
from resolved
