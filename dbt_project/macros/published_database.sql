{#- The published tables live in a DuckDB file of their own (see profiles.yml and
    orchestration/ipx/published_db.py): the seeds (schema reference) and the models of schema
    marts named mart_* or dim_* go to the attached catalog ipx_published; everything else (and
    everything on Spark, which has no catalogs here) to the target's own database. -#}
{% macro generate_database_name(custom_database_name=none, node=none) -%}
    {%- if target.type == 'duckdb' and node is not none and ipx_is_published(node) -%}
        ipx_published
    {%- elif custom_database_name is none -%}
        {{ target.database }}
    {%- else -%}
        {{ custom_database_name | trim }}
    {%- endif -%}
{%- endmacro %}

{% macro ipx_is_published(node) -%}
    {%- set schema = node.config.schema -%}
    {{- return(node.resource_type == 'seed'
               or (node.resource_type == 'model' and schema == 'marts'
                   and (node.name.startswith('mart_') or node.name.startswith('dim_')))) -}}
{%- endmacro %}

{#- The schema of an incremental model's own bookkeeping (watermarks, the employer events' change
    log): in the model's own database, since a DuckDB transaction writes to one database only and
    a model's hooks run in the model's transaction. Spark: the meta database. -#}
{% macro ipx_meta_schema() -%}
    {%- if target.type == 'duckdb' -%}{{ adapter.quote(this.database) }}.meta{%- else -%}meta{%- endif -%}
{%- endmacro %}

{% macro ipx_meta(name) -%}
    {{ ipx_meta_schema() }}.{{ name }}
{%- endmacro %}
