{{ config(materialized=keyed_staging_materialization(), incremental_strategy='append',
          pre_hook=["{{ ensure_meta_schema() }}", "{{ ensure_watermarks() }}",
                    "{{ delete_stale_staged_keys('nhc_occupational_disease', 'report_no') }}"],
          post_hook="{{ record_staged_keys_watermark() }}") }}
-- depends_on: {{ source('ingest', 'files') }}
-- Occupational-disease reports, current version of each monthly slice.
with current_records as (
    {{ current_version('nhc_occupational_disease', where=stale_staged_keys('nhc_occupational_disease', 'report_no')) }}
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
