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

  On Spark (plain Parquet tables: no delete) the models are partitioned by province_code and
  built with insert_overwrite: an incremental run recomputes every row of each province that
  received a new delivery (of hrss_employers, or of the model's feed) and overwrites those
  provinces' partitions; the delete hooks do nothing there. The watermark is kept on Spark as
  the table property ipx.built_at of the model's table (no shared watermark table: parallel
  appends to one Parquet table collide).
  Every hook is a single statement (Spark's session runs one statement per call).

  tests/pipeline/test_incremental.py proves the result equals a full rebuild.
-#}

{% macro built_at() -%}
cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}

{% macro last_built() -%}
{{ return(adapter.dispatch('last_built', 'ipx')()) }}
{%- endmacro %}
{% macro default__last_built() -%}
(select coalesce(max(built_at), timestamp '1900-01-01') from {{ ipx_meta('incremental_watermarks') }}
 where model = '{{ this.identifier }}')
{%- endmacro %}
{#- Spark: the table property ipx.built_at of the model's own table (see spark__record_watermark) -#}
{% macro spark__last_built() -%}
{%- set built_at = namespace(value='1900-01-01 00:00:00') -%}
{%- if execute and is_incremental() -%}
    {%- for row in run_query('show tblproperties ' ~ this).rows -%}
        {%- if row[0] == 'ipx.built_at' -%}{%- set built_at.value = row[1] -%}{%- endif -%}
    {%- endfor -%}
{%- endif -%}
timestamp '{{ built_at.value }}'
{%- endmacro %}

{#- The configuration every incremental model shares: the strategy and, on Spark, the partitioning. -#}
{% macro province_incremental_strategy() -%}
{{ return(adapter.dispatch('province_incremental_strategy', 'ipx')()) }}
{%- endmacro %}
{% macro default__province_incremental_strategy() -%}
{{ return('append') }}
{%- endmacro %}
{% macro spark__province_incremental_strategy() -%}
{{ return('insert_overwrite') }}
{%- endmacro %}

{% macro province_partition_by() -%}
{{ return(adapter.dispatch('province_partition_by', 'ipx')()) }}
{%- endmacro %}
{% macro default__province_partition_by() -%}
{{ return(none) }}
{%- endmacro %}
{% macro spark__province_partition_by() -%}
{{ return(['province_code']) }}
{%- endmacro %}

{#- Models kept by key on DuckDB (the employer marts, the training first passes and rosters): incremental
    there; a plain table on Spark, where is_incremental() is therefore never true and their hooks
    do nothing. -#}
{% macro duckdb_incremental_materialization() -%}
{{ return(adapter.dispatch('duckdb_incremental_materialization', 'ipx')()) }}
{%- endmacro %}
{% macro default__duckdb_incremental_materialization() -%}
{{ return('incremental') }}
{%- endmacro %}
{% macro spark__duckdb_incremental_materialization() -%}
{{ return('table') }}
{%- endmacro %}

{#- Hooks every incremental model uses, one statement each:
    pre_hook=[ensure_meta_schema(), ensure_watermarks(), delete_stale_...(...)], post_hook=record_watermark() -#}
{% macro ensure_meta_schema() -%}
create schema if not exists {{ ipx_meta_schema() }}
{%- endmacro %}

{#- on-run-start: the watermark tables of both databases exist before any model runs. Models
    running side by side (the staging tables come first, two at a time) would otherwise race to
    create the same table in their pre-hooks: a write-write conflict in DuckDB's catalog. -#}
{% macro create_watermark_tables() -%}
{%- if execute and target.type == 'duckdb' -%}
    {%- for database in [target.database, 'ipx_published'] -%}
        {%- do run_query('create schema if not exists ' ~ adapter.quote(database) ~ '.meta') -%}
        {%- do run_query('create table if not exists ' ~ adapter.quote(database) ~ '.meta.incremental_watermarks'
                         ~ ' (model varchar primary key, built_at timestamp)') -%}
    {%- endfor -%}
    {%- do run_query('create table if not exists ' ~ stale_lists_made()
                     ~ ' (model varchar primary key, since timestamp, listed_in timestamp)') -%}
{%- endif -%}
select 1
{%- endmacro %}

{% macro ensure_watermarks() -%}
{{ return(adapter.dispatch('ensure_watermarks', 'ipx')()) }}
{%- endmacro %}
{% macro default__ensure_watermarks() -%}
create table if not exists {{ ipx_meta('incremental_watermarks') }} (model varchar primary key, built_at timestamp)
{%- endmacro %}
{% macro spark__ensure_watermarks() -%}
select 1
{%- endmacro %}

{% macro record_watermark() -%}
{{ return(adapter.dispatch('record_watermark', 'ipx')()) }}
{%- endmacro %}
{% macro default__record_watermark() -%}
insert or replace into {{ ipx_meta('incremental_watermarks') }} values ('{{ this.identifier }}', {{ built_at() }})
{%- endmacro %}
{#- Spark: a table property of the model's table, not a row of a shared table: appends to one
    Parquet table from parallel threads collide in its _temporary folder, properties do not. -#}
{% macro spark__record_watermark() -%}
alter table {{ this }} set tblproperties ('ipx.built_at' = '{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}')
{%- endmacro %}

{#- A model that lists the keys to recompute into meta in a pre-hook can record, with this hook
    after the list, when it listed (this invocation) and from which watermark; on a full build,
    that it did not (listed_in null). The table is in the target's database (on-run-start makes
    it). Today one model records: int_floating_inputs, whose list the later floating models reuse
    (floating_list_reusable, macros/floating_incremental.sql). -#}
{% macro stale_lists_made() -%}
{{ adapter.quote(target.database) }}.meta.stale_lists_made
{%- endmacro %}

{% macro record_stale_list_made() -%}
{%- if target.type == 'spark' -%}
select 1
{%- elif is_incremental() -%}
insert or replace into {{ stale_lists_made() }} values ('{{ this.identifier }}', {{ last_built() }}, {{ built_at() }})
{%- else -%}
insert or replace into {{ stale_lists_made() }} values ('{{ this.identifier }}', null, null)
{%- endif -%}
{%- endmacro %}

{% macro new_deliveries(feeds) -%}
select distinct province, period
from {{ source('ingest', 'files') }}
where feed in ({% for f in feeds %}'{{ f }}'{% if not loop.last %}, {% endif %}{% endfor %})
  and taken_at > {{ last_built() }}
{%- endmacro %}

{#- The keys (province, key) of every record, in any version, of a slice of `feed` delivered since
    the model was last built: a key re-sent in a new month, and a key a seq 02 drops. -#}
{% macro new_slice_keys(feed, key, declared=true) -%}
select _province, {{ key }} from {{ raw_feed(feed, declared) }}
where (_province, _period) in (select province, period from ({{ new_deliveries([feed]) }}))
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
{%- if is_incremental() and target.type != 'spark' -%}
delete from {{ this }} where {{ stale_province_rows('province_code', feeds) }}
{%- else -%}
select 1
{%- endif -%}
{%- endmacro %}

{#- Employer-level models (floating, the profile): the rows of the employers in a list of
    (province_code, uscc) made by the model's pre-hook; a null uscc stands for the whole province. -#}
{% macro employers_in_list(alias, list) -%}
(
    {{ alias }}.province_code in (select province_code from {{ list }} where uscc is null)
    or ({{ alias }}.province_code, {{ alias }}.uscc) in (
        select province_code, uscc from {{ list }} where uscc is not null)
)
{%- endmacro %}

{#- Record-level models over `feed` keyed by `key`, attributed through hrss_employers. -#}
{% macro stale_record_rows(feed, key) -%}
{{ return(adapter.dispatch('stale_record_rows', 'ipx')(feed, key)) }}
{%- endmacro %}

{#- Spark overwrites whole province partitions: every record of a province with a new delivery. -#}
{% macro spark__stale_record_rows(feed, key) -%}
{%- if is_incremental() -%}
province_code in (select province from ({{ new_deliveries(['hrss_employers', feed]) }}))
{%- else -%}
true
{%- endif -%}
{%- endmacro %}

{% macro default__stale_record_rows(feed, key) -%}
{%- if is_incremental() -%}
(
    province_code in (select province from ({{ new_deliveries(['hrss_employers']) }}))
    or (province_code, period) in (select province, period from ({{ new_deliveries([feed]) }}))
    or (province_code, {{ key }}) in ({{ new_slice_keys(feed, key) }})
)
{%- else -%}
true
{%- endif -%}
{%- endmacro %}

{% macro delete_stale_records(feed, key) -%}
{%- if is_incremental() and target.type != 'spark' -%}
delete from {{ this }} where {{ stale_record_rows(feed, key) }}
{%- else -%}
select 1
{%- endif -%}
{%- endmacro %}

{#- int_cross_slice_duplicates (a key repeated across slices of a feed, spec 1): a key's rows depend
    only on that key's records, so an incremental run recomputes the keys of new slices
    (new_slice_keys) of each feed, over all their versions, and deletes their old rows first.
    Spark overwrites whole province partitions: every key of a province with a new delivery of
    any of the feeds. -#}
{% macro stale_cross_slice_keys(feed, key, feeds) -%}
{{ return(adapter.dispatch('stale_cross_slice_keys', 'ipx')(feed, key, feeds)) }}
{%- endmacro %}
{% macro default__stale_cross_slice_keys(feed, key, feeds) -%}
{%- if is_incremental() -%}
(_province, {{ key }}) in ({{ new_slice_keys(feed, key, declared=false) }})
{%- else -%}
true
{%- endif -%}
{%- endmacro %}
{% macro spark__stale_cross_slice_keys(feed, key, feeds) -%}
{%- if is_incremental() -%}
{%- set names = [] -%}{%- for f in feeds -%}{%- do names.append(f[0]) -%}{%- endfor -%}
_province in (select province from ({{ new_deliveries(names) }}))
{%- else -%}
true
{%- endif -%}
{%- endmacro %}

{% macro delete_stale_cross_slice_keys() -%}
{%- set feeds = cross_slice_feeds() -%}
{%- if is_incremental() and target.type != 'spark' and feeds -%}
delete from {{ this }} where (feed, province_code, record_key) in (
    {%- for feed, key, _ in feeds %}
    select '{{ feed }}', _province, cast({{ key }} as string) from ({{ new_slice_keys(feed, key, declared=false) }})
    {%- if not loop.last %} union all{% endif %}
    {%- endfor %}
)
{%- else -%}
select 1
{%- endif -%}
{%- endmacro %}
