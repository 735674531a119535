{{ config(materialized=keyed_staging_materialization(), incremental_strategy='append',
          pre_hook=["{{ ensure_meta_schema() }}", "{{ ensure_watermarks() }}",
                    "{{ delete_stale_staged_keys('nhc_hazard_monitoring', 'sample_no') }}"],
          post_hook="{{ record_staged_keys_watermark() }}") }}
-- depends_on: {{ source('ingest', 'files') }}
-- Workplace hazard-factor measurements, current version of each monthly slice. `factor` is the
-- name as in the limit table where it matched (after NFKC); `unit` is null where flagged.
with current_records as (
    {{ current_version('nhc_hazard_monitoring', where=stale_staged_keys('nhc_hazard_monitoring', 'sample_no')) }}
),

latest as (
    {{ latest_period_per_key('current_records', ['sample_no']) }}
)

select
    sample_no,
    uscc,
    sample_date,
    post,
    factor,
    metric,
    value,
    unit,
    deadline as deadline_given,
    rectified_date,
    {{ lineage_columns() }}
from latest
