{#-
  Provincial configuration over national defaults (the floating_* seeds): every province x every
  key of the defaults (rows under province_code '000000'), each column taken from the province's
  own row for that key when it has one and its cell is not blank, else from the default.
  is_provincial says whether the province has a row of its own for the key.
-#}
{% macro provincial_settings(seed, key_column, columns) -%}
select
    provinces.province_code,
    defaults.{{ key_column }},
    {%- for column in columns %}
    coalesce(overrides.{{ column }}, defaults.{{ column }}) as {{ column }},
    {%- endfor %}
    overrides.province_code is not null as is_provincial
from {{ ref('provinces') }} as provinces
cross join (select * from {{ ref(seed) }} where province_code = '000000') as defaults
left join (select * from {{ ref(seed) }} where province_code <> '000000') as overrides
    on overrides.province_code = provinces.province_code
    and overrides.{{ key_column }} = defaults.{{ key_column }}
{%- endmacro %}
