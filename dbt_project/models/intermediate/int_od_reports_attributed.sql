{{ config(materialized='incremental', incremental_strategy='append',
          pre_hook="{{ delete_stale_provinces(['nhc_occupational_disease', 'hrss_employers']) }}") }}

-- Occupational-disease reports with their employer's industry for the diagnosis quarter.
with reports as (
    select * from {{ ref('stg_nhc_occupational_disease') }}
    where {{ stale_provinces_filter('province_code', ['nhc_occupational_disease', 'hrss_employers']) }}
),

attributed as (
    {{ attribute_to_employer('reports', 'diagnosis_date') }}
),

inputs as (
    {{ inputs_taken_at(['nhc_occupational_disease', 'hrss_employers']) }}
)

select attributed.*, year(diagnosis_date) as diagnosis_year, inputs.inputs_taken_at as _inputs_taken_at
from attributed
inner join inputs on inputs.province = attributed.province_code
