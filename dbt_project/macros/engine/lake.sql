{#-
  Engine differences (issue 12), part 3: the sources on Spark. On DuckDB the raw feeds and the
  ingestion ledger are tables of the warehouse file (schemas raw, ingest). On Spark they are
  external Parquet tables over the lake (Hive layout, written by ipx.lake.export_lake), declared
  on every run from the var `ipx_lake_tables` (ipx.lake.spark_table_specs): one dict per table
  with schema, name, location, columns [[name, spark_type], ...] and partitioned_by
  [[name, 'string'], ...]. The tables are dropped and declared again, so a new column or a
  moved lake is picked up; their files are the lake's, dropping an external table keeps them.
  Called by on-run-start (dbt_project.yml); one statement per run_query (Spark's session runs
  one statement per call).
-#}
{% macro declare_lake_tables() -%}
{{ return(adapter.dispatch('declare_lake_tables', 'ipx')()) }}
{%- endmacro %}

{% macro default__declare_lake_tables() -%}
{%- endmacro %}

{% macro spark__declare_lake_tables() -%}
{%- if execute -%}
    {%- set specs = var('ipx_lake_tables', []) -%}
    {%- if specs | length == 0 -%}
        {{ exceptions.raise_compiler_error("The spark target needs the var ipx_lake_tables (ipx.lake.spark_table_specs): the lake's raw and ingest tables.") }}
    {%- endif -%}
    {%- for schema in specs | map(attribute='schema') | unique | list %}
        {%- do run_query('create database if not exists ' ~ schema) -%}
    {%- endfor %}
    {%- for spec in specs %}
        {%- set name = spec['schema'] ~ '.' ~ spec['name'] -%}
        {%- set columns = [] -%}
        {%- for column in spec['columns'] + spec.get('partitioned_by', []) %}
            {%- do columns.append('`' ~ column[0] ~ '` ' ~ column[1]) -%}
        {%- endfor %}
        {%- do run_query('drop table if exists ' ~ name) -%}
        {%- set ddl -%}
create table {{ name }} ({{ columns | join(', ') }}) using parquet
{%- if spec.get('partitioned_by') %} partitioned by ({{ spec['partitioned_by'] | map(attribute=0) | join(', ') }}){% endif %}
 location '{{ spec['location'] }}'
        {%- endset -%}
        {%- do run_query(ddl) -%}
        {%- if spec.get('partitioned_by') -%}
            {%- do run_query('msck repair table ' ~ name) -%}
        {%- endif -%}
    {%- endfor %}
{%- endif -%}
{%- endmacro %}
