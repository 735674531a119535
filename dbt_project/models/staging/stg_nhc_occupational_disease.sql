-- Occupational-disease reports, current version of each monthly slice.
with current_records as (
    {{ current_version('nhc_occupational_disease') }}
),

latest as (
    {{ latest_period_per_key('current_records', ['report_no']) }}
)

select
    report_no,
    uscc,
    person_pseudonym,
    disease_category,
    disease_name,
    diagnosis_date,
    exposure_years,
    {{ lineage_columns() }}
from latest
