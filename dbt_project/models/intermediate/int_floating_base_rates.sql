-- Premium-rate floating (spec 6): the base rate and the grade limits of every risk class, per
-- province. Configuration is the seed floating_base_rates: rows under province_code '000000'
-- are the national defaults; a province's own row for a class overrides the default row, and a
-- blank cell of it inherits the default's value. The classes are those of the defaults (1..8);
-- an employer whose class has no row here is 未分类.
with config as (
    select * from {{ ref('floating_base_rates') }}
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
    cast(defaults.risk_class as integer) as risk_class,
    cast(coalesce(overrides.base_rate_pct, defaults.base_rate_pct) as decimal(18, 4)) as base_rate_pct,
    cast(coalesce(overrides.min_grade, defaults.min_grade) as integer) as min_grade,
    cast(coalesce(overrides.max_grade, defaults.max_grade) as integer) as max_grade,
    overrides.province_code is not null as is_provincial
from provinces
cross join defaults
left join overrides
    on overrides.province_code = provinces.province_code
    and overrides.risk_class = defaults.risk_class
