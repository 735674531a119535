-- Occupational-disease reports with their employer's industry for the diagnosis quarter.
with reports as (
    select * from {{ ref('stg_nhc_occupational_disease') }}
),

attributed as (
    {{ attribute_to_employer('reports', 'diagnosis_date') }}
)

select *, year(diagnosis_date) as diagnosis_year
from attributed
