{#-
  Incremental builds by province (issue "Scale"): a model over a province's records depends only
  on that province's deliveries of the feeds it names, so when new deliveries arrive only the
  provinces that received them are rebuilt; the others keep their rows. The result is the same
  as a full rebuild (tests/pipeline/test_incremental.py proves it), at a fraction of the cost.

  Each such model carries `_inputs_taken_at`: the latest time a delivery of its feeds was taken
  for the province when the rows were built. A province is stale when the ledger has a later one.
  Usage in a model:
    config(materialized='incremental', incremental_strategy='append',
           pre_hook="{{ delete_stale_provinces(['feed_a', 'feed_b']) }}")
    ... where {{ stale_provinces_filter('province_code', ['feed_a', 'feed_b']) }}
-#}

{% macro inputs_taken_at(feeds) -%}
select province, max(taken_at) as inputs_taken_at
from {{ source('ingest', 'files') }}
where feed in ({% for f in feeds %}'{{ f }}'{% if not loop.last %}, {% endif %}{% endfor %})
group by province
{%- endmacro %}

{% macro stale_provinces(feeds) -%}
select inputs.province
from ({{ inputs_taken_at(feeds) }}) as inputs
left join (
    select province_code, max(_inputs_taken_at) as built_from
    from {{ this }}
    group by province_code
) as built on built.province_code = inputs.province
where built.built_from is null or inputs.inputs_taken_at > built.built_from
{%- endmacro %}

{#- Restrict a model's rows to the stale provinces on an incremental run (a no-op otherwise). -#}
{% macro stale_provinces_filter(column, feeds) -%}
{%- if is_incremental() -%}
{{ column }} in ({{ stale_provinces(feeds) }})
{%- else -%}
true
{%- endif -%}
{%- endmacro %}

{#- Pre-hook: remove the stale provinces' rows before the model appends them anew. -#}
{% macro delete_stale_provinces(feeds) -%}
{%- if is_incremental() -%}
delete from {{ this }} where province_code in ({{ stale_provinces(feeds) }})
{%- else -%}
select 1
{%- endif -%}
{%- endmacro %}
