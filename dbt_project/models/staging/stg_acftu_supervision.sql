{{ config(materialized=keyed_staging_materialization(), incremental_strategy='append',
          pre_hook=["{{ ensure_meta_schema() }}", "{{ ensure_watermarks() }}",
                    "{{ delete_stale_staged_keys('acftu_supervision', 'inspection_no') }}"],
          post_hook="{{ record_staged_keys_watermark() }}") }}
-- depends_on: {{ source('ingest', 'files') }}
-- Union labour-protection inspections, current version of each quarterly slice. `resolved` is
-- null where it exceeds the suggestions (W).
with current_records as (
    {{ current_version('acftu_supervision', where=stale_staged_keys('acftu_supervision', 'inspection_no')) }}
),

latest as (
    {{ latest_period_per_key('current_records', ['inspection_no']) }}
)

select
    inspection_no,
    uscc,
    inspection_date,
    issues_found,
    suggestions,
    {{ unflagged('resolved') }} as resolved,
    worker_complaints,
    {{ lineage_columns() }}
from latest
