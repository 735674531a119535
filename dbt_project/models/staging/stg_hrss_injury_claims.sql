{{ config(materialized=keyed_staging_materialization(), incremental_strategy='append',
          pre_hook=["{{ ensure_meta_schema() }}", "{{ ensure_watermarks() }}",
                    "{{ delete_stale_staged_keys('hrss_injury_claims', 'decision_no') }}"],
          post_hook="{{ record_staged_keys_watermark() }}") }}
-- depends_on: {{ source('ingest', 'files') }}
-- Work-injury recognitions, current version of each monthly slice; a decision number sent
-- again in a later month keeps only its latest record.
with current_records as (
    {{ current_version('hrss_injury_claims', where=stale_staged_keys('hrss_injury_claims', 'decision_no')) }}
),

latest as (
    {{ latest_period_per_key('current_records', ['decision_no']) }}
)

select
    decision_no,
    uscc,
    person_pseudonym,
    sex,
    incident_date,
    decision_date,
    decision,
    harm_type,
    accident_category,
    disease_name,
    disability_grade,
    fatal = '是' as is_fatal,
    fund_paid_yuan,
    accident_no,
    {{ lineage_columns() }}
from latest
