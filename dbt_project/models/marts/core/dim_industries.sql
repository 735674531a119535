-- GB/T 4754-2017 divisions with their section and national key industry.
select
    divisions.division,
    divisions.section,
    divisions.division_name,
    key_industries.key_industry_code,
    key_industries.key_industry_name,
    key_industries.segment_name
from {{ ref('gb4754_divisions') }} as divisions
left join {{ ref('key_industries') }} as key_industries on key_industries.division = divisions.division
