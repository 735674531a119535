{{ config(materialized=keyed_staging_materialization(), incremental_strategy='append',
          pre_hook=["{{ ensure_meta_schema() }}", "{{ ensure_watermarks() }}",
                    "{{ delete_stale_staged_keys('em_hazards', 'hazard_no') }}"],
          post_hook="{{ record_staged_keys_watermark() }}") }}
-- depends_on: {{ source('ingest', 'files') }}
-- Hidden hazards in their current state: the record of the latest period in which each hazard
-- was reported (a hazard is re-reported when its state changes).
with current_records as (
    {{ current_version('em_hazards', where=stale_staged_keys('em_hazards', 'hazard_no')) }}
),

latest as (
    {{ latest_period_per_key('current_records', ['hazard_no']) }}
)

select
    hazard_no,
    uscc,
    found_date,
    level,
    deadline,
    rectified_date,
    {{ lineage_columns() }}
from latest
