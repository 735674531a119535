{#-
  Engine differences (issue 12), part 4: two of dbt-spark 1.11's own macros, overridden (the root
  project's spark__ implementation wins dbt's dispatch):
  - seeds: dbt-spark loads seed rows through query bindings that turn an empty CSV cell into the
    string 'None' (and do not escape quotes); spark__load_csv_rows here writes SQL literals,
    so empty cells are NULL, as on DuckDB;
  - unit-test fixtures: a list value (e.g. dq_flags: [unit]) is rendered by dbt as a Python list,
    which Spark cannot parse; spark__safe_cast here writes it as array(...).
-#}
{% macro seed_literal(value) -%}
{%- if value is none -%}
null
{%- elif value is sameas true or value is sameas false -%}
{{ 'true' if value else 'false' }}
{%- elif value is number -%}
{{ value }}
{%- else -%}
'{{ (value | string).replace("\\", "\\\\").replace("'", "\\'") }}'
{%- endif -%}
{%- endmacro %}

{% macro spark__load_csv_rows(model, agate_table) %}
  {% set batch_size = get_batch_size() %}
  {% set column_override = model['config'].get('column_types', {}) %}
  {% set statements = [] %}
  {% for chunk in agate_table.rows | batch(batch_size) %}
      {% set sql %}
          insert into {{ this.render() }} values
          {% for row in chunk -%}
              ({%- for col_name in agate_table.column_names -%}
                  {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
                  {%- set type = column_override.get(col_name, inferred_type) -%}
                    cast({{ seed_literal(row[loop.index0]) }} as {{ type }})
                  {%- if not loop.last %},{%- endif %}
              {%- endfor -%})
              {%- if not loop.last %},{%- endif %}
          {%- endfor %}
      {% endset %}
      {% do adapter.add_query(sql, abridge_sql_log=True) %}
      {% if loop.index0 == 0 %}
          {% do statements.append(sql) %}
      {% endif %}
  {% endfor %}
  {{ return(statements[0]) }}
{% endmacro %}

{% macro spark__safe_cast(field, type) -%}
{%- if field is iterable and field is not string and field is not mapping -%}
    {%- set items = [] -%}
    {%- for item in field %}{% do items.append(seed_literal(item)) %}{% endfor -%}
cast(array({{ items | join(', ') }}) as {{ type }})
{%- else -%}
    {%- set field_clean = field.strip('"').strip("'") if (cast_from_string_unsupported_for(type) and field is string) else field -%}
cast({{ field_clean }} as {{ type }})
{%- endif -%}
{%- endmacro %}
