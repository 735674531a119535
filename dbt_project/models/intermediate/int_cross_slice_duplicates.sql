{{ config(materialized='incremental', incremental_strategy=province_incremental_strategy(),
          partition_by=province_partition_by(),
          pre_hook=["{{ ensure_meta_schema() }}", "{{ ensure_watermarks() }}", "{{ delete_stale_cross_slice_keys() }}"],
          post_hook="{{ record_watermark() }}") }}
-- depends_on: {{ source('ingest', 'files') }}

-- Records left out because their key reappeared in a later period's slice of the same province
-- (spec 1): W for every non-snapshot feed; for em_hazards (latest_period_is_current) it is how
-- a state change is reported, so those are history, not flags. Feeds and keys come from the
-- contracts via ingest.feed_catalogue. Incremental: a run recomputes only the keys of the slices
-- delivered since the last build, over all their versions (macros/incremental_by_province.sql).
{% set feeds = cross_slice_feeds() %}
{% for feed, key, latest_is_current in feeds %}
select
    '{{ feed }}' as feed,
    _province as province_code,
    _period as period,
    _file as source_file,
    _record_no as source_record_no,
    cast({{ key }} as string) as record_key,
    superseded_by_period,
    {{ 'false' if latest_is_current else 'true' }} as is_flagged
from (
    select *,
        first_value(_period) over (partition by _province, {{ key }} order by _period desc) as superseded_by_period,
        row_number() over (partition by _province, {{ key }} order by _period desc, _record_no desc) as version_rank
    from ({{ current_version(feed, declared=false) }}) as current_records
    where {{ stale_cross_slice_keys(feed, key, feeds) }}
)
where version_rank > 1
union all
{% endfor %}
select cast(null as string) as feed, null as province_code, null as period, null as source_file,
       cast(null as bigint) as source_record_no, null as record_key, null as superseded_by_period,
       false as is_flagged
where false
