-- The industry groups figures are published for, per province: each key industry of the
-- province, all key industries together (key_all) and all industries (all).
with key_divisions as (
    select distinct province_code, key_industry_code, key_industry_name
    from {{ ref('int_key_industry_divisions') }}
)

select province_code, key_industry_code as industry_group, key_industry_name as industry_group_name,
       true as is_key_industry
from key_divisions
union all
select province_code, 'key_all', '重点行业合计', true from {{ ref('provinces') }}
union all
select province_code, 'all', '全部行业', false from {{ ref('provinces') }}
