{{ config(materialized='incremental', incremental_strategy='append',
          pre_hook="{{ delete_stale_provinces(['em_hazards', 'hrss_employers']) }}") }}

-- Hidden hazards in their current state, attributed to the employer's industry.
with hazards as (
    select * from {{ ref('stg_em_hazards') }}
    where {{ stale_provinces_filter('province_code', ['em_hazards', 'hrss_employers']) }}
),

attributed as (
    {{ attribute_to_employer('hazards', 'found_date') }}
),

inputs as (
    {{ inputs_taken_at(['em_hazards', 'hrss_employers']) }}
)

select attributed.*, level = '重大隐患' as is_major, inputs.inputs_taken_at as _inputs_taken_at
from attributed
inner join inputs on inputs.province = attributed.province_code
