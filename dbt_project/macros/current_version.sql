{#-
  The current version of every slice of a feed (spec section 1): the records of the
  highest-seq accepted submission of each (province, period). Lower seqs, whenever they
  arrived, and quarantined files are left out.
  A feed's raw table is declared as a source beside its staging model; models that loop over
  ingest.feed_catalogue (int_cross_slice_duplicates) pass declared=false, and a feed whose
  contract exists but whose staging model does not yet is then read as raw.<feed> directly.
  `where` filters the raw records first (a keyed staging model's keys to restage,
  macros/keyed_staging.sql).
-#}
{% macro current_version(feed, declared=true, where=none) -%}
select raw_records.*
from {{ raw_feed(feed, declared) }} as raw_records
inner join (
    select province, period, max(seq) as seq
    from {{ source('ingest', 'files') }}
    where feed = '{{ feed }}' and status = 'loaded'
    group by province, period
) as current_slices
    on raw_records._province = current_slices.province
    and raw_records._period = current_slices.period
    and raw_records._seq = current_slices.seq
{%- if where %}
where {{ where }}
{%- endif %}
{%- endmacro %}

{#- The raw table of `feed`: its declared source, else raw.<feed> (see above). A declared source
    is always taken through source(), which a dbt unit test replaces with its fixture. -#}
{% macro raw_feed(feed, declared=true) -%}
{%- if not declared and execute and ('source.' ~ project_name ~ '.raw.' ~ feed) not in graph.sources -%}
    {{ return(api.Relation.create(database=target.database, schema='raw', identifier=feed)) }}
{%- else -%}
    {{ return(source('raw', feed)) }}
{%- endif -%}
{%- endmacro %}

{#- The feeds whose repeated keys int_cross_slice_duplicates lists, from ingest.feed_catalogue:
    (feed, key column, latest_period_is_current) of every non-snapshot feed with a one-column key. -#}
{% macro cross_slice_feeds() -%}
{%- set feeds = [] -%}
{%- if execute -%}
    {%- set catalogue = run_query("select feed, " ~ array_first('key_columns') ~ ", latest_period_is_current from "
                                  ~ source('ingest', 'feed_catalogue')
                                  ~ " where not snapshot and " ~ array_length('key_columns') ~ " = 1 order by feed") -%}
    {%- for row in catalogue.rows -%}{%- do feeds.append((row[0], row[1], row[2])) -%}{%- endfor -%}
{%- endif -%}
{{ return(feeds) }}
{%- endmacro %}

{#-
  For non-snapshot feeds a key repeated across the current versions of different slices of a
  province keeps only the record of the latest period (spec section 1); the older ones are
  flagged W (see int_cross_slice_duplicates) and left out here. A staging model built this way is
  unique on (province_code, key) by construction: that is unit-tested
  (stg_hrss_injury_claims.yml), not re-checked as a data test on every build.
-#}
{% macro latest_period_per_key(relation, key_columns) -%}
{{ first_row_per_group('*', relation, '_province, ' ~ key_columns | join(', '), '_period desc, _record_no desc') }}
{%- endmacro %}

{#- The lineage columns every staging model carries, renamed. -#}
{% macro lineage_columns() -%}
    _province as province_code,
    _period as period,
    _seq as seq,
    _file as source_file,
    _record_no as source_record_no,
    _sha256 as source_sha256,
    _exported_at as exported_at,
    _flags as dq_flags,
    _flag_rules as dq_flag_rules
{%- endmacro %}

{#- A field whose W rule was broken is left out of figures that need it (spec section 1). -#}
{% macro unflagged(column) -%}
case when {{ array_has('_flags', "'" ~ column ~ "'") }} then null else {{ column }} end
{%- endmacro %}
