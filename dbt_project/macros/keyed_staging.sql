{#-
  Staging of a keyed feed (issue 14: a month must not cost what the history costs). A staging
  model that keeps the latest record of each key (current_version, then latest_period_per_key)
  ranks every record of its feed by key. As a view, every model and test that reads it ranked
  the whole history again on every run; on DuckDB it is therefore a table kept incrementally by
  key, still only renaming and casting. The current record of a key depends on that key's
  records alone, so an incremental run

    1. deletes every key that appears, in any version, in a slice of the feed delivered since
       the model was last built (new_slice_keys: a key sent again in a later month, and a key
       a seq 02 drops), and
    2. inserts the current record of those keys, ranked among their own records only.

  `key` is the key's column, or its columns separated by commas (raw and staging name them alike).
  On Spark the staging models stay views (every Spark build is a full refresh).
  tests/pipeline/test_incremental.py proves the result equals a full rebuild.
-#}

{% macro keyed_staging_materialization() -%}
{{ return(adapter.dispatch('keyed_staging_materialization', 'ipx')()) }}
{%- endmacro %}
{% macro default__keyed_staging_materialization() -%}
{{ return('incremental') }}
{%- endmacro %}
{% macro spark__keyed_staging_materialization() -%}
{{ return('view') }}
{%- endmacro %}

{#- A filter on raw records (before they are ranked): the keys to restage, or every record. -#}
{% macro stale_staged_keys(feed, key) -%}
{%- if is_incremental() and target.type != 'spark' -%}
(_province, {{ key }}) in ({{ new_slice_keys(feed, key) }})
{%- else -%}
true
{%- endif -%}
{%- endmacro %}

{#- Pre-hook: the keys to restage go first. -#}
{% macro delete_stale_staged_keys(feed, key) -%}
{%- if is_incremental() and target.type != 'spark' -%}
delete from {{ this }} where (province_code, {{ key }}) in ({{ new_slice_keys(feed, key) }})
{%- else -%}
select 1
{%- endif -%}
{%- endmacro %}

{#- Post-hook: the model's watermark. On Spark the staging models are views, which take no table
    properties: nothing. -#}
{% macro record_staged_keys_watermark() -%}
{%- if target.type != 'spark' -%}
{{ record_watermark() }}
{%- else -%}
select 1
{%- endif -%}
{%- endmacro %}
