{#-
  Incremental builds (issue "Scale"): a new slice must not rebuild history.

  Each incremental model has a watermark in meta.incremental_watermarks: the start of the dbt
  invocation that last built it (set by a post-hook once the model is built). A delivery taken
  after the watermark is new to the model. On an incremental run:

  - province-level models (employer snapshots, insured workers) rebuild the provinces that
    received a new hrss_employers delivery;
  - record-level models over a feed (claims, OD reports, samples, hazards) rebuild
      * every record of a province whose employer snapshots changed (attribution may move),
      * every record of a new slice (province, period) of the feed, and
      * every record whose key appears in a new slice, in any version — so a key re-sent in a
        later month leaves its older record, and a key dropped by a seq 02 brings its older
        record back, exactly as a full rebuild would.
    Their rows are deleted by a pre-hook and recomputed from staging (which holds the current
    version of everything), then appended.

  tests/pipeline/test_incremental.py proves the result equals a full rebuild.
-#}

{% macro built_at() -%}
cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}

{% macro last_built() -%}
(select coalesce(max(built_at), timestamp '1900-01-01') from meta.incremental_watermarks
 where model = '{{ this.identifier }}')
{%- endmacro %}

{#- Hooks every incremental model uses: pre_hook=incremental_pre_hook(...), post_hook=record_watermark() -#}
{% macro ensure_watermarks() -%}
create schema if not exists meta;
create table if not exists meta.incremental_watermarks (model varchar primary key, built_at timestamp)
{%- endmacro %}

{% macro record_watermark() -%}
insert or replace into meta.incremental_watermarks values ('{{ this.identifier }}', {{ built_at() }})
{%- endmacro %}

{% macro new_deliveries(feeds) -%}
select distinct province, period
from {{ source('ingest', 'files') }}
where feed in ({% for f in feeds %}'{{ f }}'{% if not loop.last %}, {% endif %}{% endfor %})
  and taken_at > {{ last_built() }}
{%- endmacro %}

{#- Province-level models: rows of provinces with a new delivery of `feeds`. -#}
{% macro stale_province_rows(column, feeds) -%}
{%- if is_incremental() -%}
{{ column }} in (select province from ({{ new_deliveries(feeds) }}))
{%- else -%}
true
{%- endif -%}
{%- endmacro %}

{% macro delete_stale_provinces(feeds) -%}
{%- if is_incremental() -%}
delete from {{ this }} where {{ stale_province_rows('province_code', feeds) }}
{%- else -%}
select 1
{%- endif -%}
{%- endmacro %}

{#- Record-level models over `feed` keyed by `key`, attributed through hrss_employers. -#}
{% macro stale_record_rows(feed, key) -%}
{%- if is_incremental() -%}
(
    province_code in (select province from ({{ new_deliveries(['hrss_employers']) }}))
    or (province_code, period) in (select province, period from ({{ new_deliveries([feed]) }}))
    or (province_code, {{ key }}) in (
        select _province, {{ key }} from {{ source('raw', feed) }}
        where (_province, _period) in (select province, period from ({{ new_deliveries([feed]) }}))
    )
)
{%- else -%}
true
{%- endif -%}
{%- endmacro %}

{% macro delete_stale_records(feed, key) -%}
{%- if is_incremental() -%}
delete from {{ this }} where {{ stale_record_rows(feed, key) }}
{%- else -%}
select 1
{%- endif -%}
{%- endmacro %}
