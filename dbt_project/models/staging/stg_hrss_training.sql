{{ config(materialized=keyed_staging_materialization(), incremental_strategy='append',
          pre_hook=["{{ ensure_meta_schema() }}", "{{ ensure_watermarks() }}",
                    "{{ delete_stale_staged_keys('hrss_training', 'record_no') }}"],
          post_hook="{{ record_staged_keys_watermark() }}") }}
-- depends_on: {{ source('ingest', 'files') }}
-- Prevention training records, current version of each monthly slice.
with current_records as (
    {{ current_version('hrss_training', where=stale_staged_keys('hrss_training', 'record_no')) }}
),

latest as (
    {{ latest_period_per_key('current_records', ['record_no']) }}
)

select
    record_no,
    uscc,
    person_pseudonym,
    role,
    training_date,
    mode,
    hours,
    result,
    {{ lineage_columns() }}
from latest
