-- Provinces (GB/T 2260, 31 mainland units and XPCC) and the national total 000000 全国.
select province_code, province_name, province_short, false as is_national
from {{ ref('provinces') }}
union all
select '000000', '全国', '全国', true
