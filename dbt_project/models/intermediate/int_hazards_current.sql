-- Hidden hazards in their current state, attributed to the employer's industry.
with hazards as (
    select * from {{ ref('stg_em_hazards') }}
),

attributed as (
    {{ attribute_to_employer('hazards', 'found_date') }}
)

select *, level = '重大隐患' as is_major
from attributed
