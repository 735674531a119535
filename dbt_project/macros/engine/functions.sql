{#-
  Engine differences (issue 12), part 1: functions and expressions. Every DuckDB-only construct
  the models use is behind one of these adapter.dispatch macros: `default__` is the DuckDB SQL
  the models always had (the `main` target's output does not change), `spark__` is Spark SQL
  (dbt-spark, the `spark` target). Clauses (qualify, asof joins, `* exclude`, union by name)
  are in engine/clauses.sql, the lake sources in engine/lake.sql.
-#}

{#- list (array) membership -#}
{% macro array_has(list_expression, value) -%}
{{ return(adapter.dispatch('array_has', 'ipx')(list_expression, value)) }}
{%- endmacro %}
{% macro default__array_has(list_expression, value) -%}
list_contains({{ list_expression }}, {{ value }})
{%- endmacro %}
{% macro spark__array_has(list_expression, value) -%}
array_contains({{ list_expression }}, {{ value }})
{%- endmacro %}

{#- number of elements of a list -#}
{% macro array_length(list_expression) -%}
{{ return(adapter.dispatch('array_length', 'ipx')(list_expression)) }}
{%- endmacro %}
{% macro default__array_length(list_expression) -%}
len({{ list_expression }})
{%- endmacro %}
{% macro spark__array_length(list_expression) -%}
size({{ list_expression }})
{%- endmacro %}

{#- the first element of a list (DuckDB lists count from 1, Spark arrays from 0) -#}
{% macro array_first(list_expression) -%}
{{ return(adapter.dispatch('array_first', 'ipx')(list_expression)) }}
{%- endmacro %}
{% macro default__array_first(list_expression) -%}
{{ list_expression }}[1]
{%- endmacro %}
{% macro spark__array_first(list_expression) -%}
element_at({{ list_expression }}, 1)
{%- endmacro %}

{#- element `index` (1-based; negative from the end) of a list literal; null when out of range -#}
{% macro array_element(items, index) -%}
{{ return(adapter.dispatch('array_element', 'ipx')(items, index)) }}
{%- endmacro %}
{% macro default__array_element(items, index) -%}
list_extract([{{ items | join(', ') }}], {{ index }})
{%- endmacro %}
{% macro spark__array_element(items, index) -%}
case when {{ index }} <> 0 then try_element_at(array({{ items | join(', ') }}), {{ index }}) end
{%- endmacro %}

{#- one row per element of a list (in a select list) -#}
{% macro explode_array(list_expression) -%}
{{ return(adapter.dispatch('explode_array', 'ipx')(list_expression)) }}
{%- endmacro %}
{% macro default__explode_array(list_expression) -%}
unnest({{ list_expression }})
{%- endmacro %}
{% macro spark__explode_array(list_expression) -%}
explode({{ list_expression }})
{%- endmacro %}

{#- one row per integer start, start + 1, ..., stop - 1 (in a select list) -#}
{% macro integer_series(start, stop) -%}
{{ return(adapter.dispatch('integer_series', 'ipx')(start, stop)) }}
{%- endmacro %}
{% macro default__integer_series(start, stop) -%}
unnest(range({{ start }}, {{ stop }}))
{%- endmacro %}
{% macro spark__integer_series(start, stop) -%}
explode(sequence(cast({{ start }} as bigint), cast({{ stop }} as bigint) - 1))
{%- endmacro %}

{#- aggregate: the values of a group as a sorted list (Spark leaves nulls out; callers drop them) -#}
{% macro sorted_list_agg(expression, distinct=false) -%}
{{ return(adapter.dispatch('sorted_list_agg', 'ipx')(expression, distinct)) }}
{%- endmacro %}
{% macro default__sorted_list_agg(expression, distinct=false) -%}
list_sort(list({{ 'distinct ' if distinct }}{{ expression }}))
{%- endmacro %}
{% macro spark__sorted_list_agg(expression, distinct=false) -%}
array_sort({{ 'collect_set' if distinct else 'collect_list' }}({{ expression }}))
{%- endmacro %}

{#- the distinct non-null elements of two string lists (either may be null), sorted (code
    point order on both engines: DuckDB's list_distinct alone returns them in hash order). -#}
{% macro string_list_union(first, second) -%}
{{ return(adapter.dispatch('string_list_union', 'ipx')(first, second)) }}
{%- endmacro %}
{% macro default__string_list_union(first, second) -%}
list_sort(list_distinct(list_concat(coalesce({{ first }}, []),
                                            coalesce({{ second }}, []))))
{%- endmacro %}
{% macro spark__string_list_union(first, second) -%}
array_sort(array_compact(array_union(coalesce({{ first }}, cast(array() as array<string>)),
                                     coalesce({{ second }}, cast(array() as array<string>)))))
{%- endmacro %}

{#- the latest of a group's rows as a struct of `fields` (columns), by `order_by`; ties are
    broken on Spark by the fields themselves (max_by alone picks any of the tied rows) -#}
{% macro latest_struct(fields, order_by) -%}
{{ return(adapter.dispatch('latest_struct', 'ipx')(fields, order_by)) }}
{%- endmacro %}
{% macro default__latest_struct(fields, order_by) -%}
arg_max({ {%- for field in fields %}'{{ field }}': {{ field }}{{ ', ' if not loop.last }}{% endfor -%} }, {{ order_by }})
{%- endmacro %}
{% macro spark__latest_struct(fields, order_by) -%}
{%- set value -%}
named_struct({%- for field in fields %}'{{ field }}', {{ field }}{{ ', ' if not loop.last }}{% endfor -%})
{%- endset -%}
max_by({{ value }}, named_struct('order_by', {{ order_by }}, 'value', {{ value }}))
{%- endmacro %}

{#- the whole string matches the regular expression -#}
{% macro regex_full_match(expression, pattern) -%}
{{ return(adapter.dispatch('regex_full_match', 'ipx')(expression, pattern)) }}
{%- endmacro %}
{% macro default__regex_full_match(expression, pattern) -%}
regexp_full_match({{ expression }}, '{{ pattern }}')
{%- endmacro %}
{% macro spark__regex_full_match(expression, pattern) -%}
coalesce({{ expression }} rlike '^(?:{{ pattern }})$', false)
{%- endmacro %}

{#- integer division, rounded down -#}
{% macro integer_divide(dividend, divisor) -%}
{{ return(adapter.dispatch('integer_divide', 'ipx')(dividend, divisor)) }}
{%- endmacro %}
{% macro default__integer_divide(dividend, divisor) -%}
{{ dividend }} // {{ divisor }}
{%- endmacro %}
{% macro spark__integer_divide(dividend, divisor) -%}
({{ dividend }} div {{ divisor }})
{%- endmacro %}

{#- floating-point division, as DuckDB's `/`: decimals are divided as doubles (Spark would keep a
    decimal, rounded to 6 places), and a zero divisor gives +/-infinity or NaN as in IEEE 754
    (Spark: null, or an error with ANSI mode on), so clamps such as clamp01 give the same. -#}
{% macro float_divide(dividend, divisor) -%}
{{ return(adapter.dispatch('float_divide', 'ipx')(dividend, divisor)) }}
{%- endmacro %}
{% macro default__float_divide(dividend, divisor) -%}
{{ dividend }} / {{ divisor }}
{%- endmacro %}
{% macro spark__float_divide(dividend, divisor) -%}
case when cast({{ divisor }} as double) = 0 then cast({{ dividend }} as double) * double('Infinity')
     else try_divide(cast({{ dividend }} as double), cast({{ divisor }} as double)) end
{%- endmacro %}

{#- an interval of n months / n days, n an integer expression -#}
{% macro months_interval(n) -%}
{{ return(adapter.dispatch('months_interval', 'ipx')(n)) }}
{%- endmacro %}
{% macro default__months_interval(n) -%}
to_months({{ n }})
{%- endmacro %}
{% macro spark__months_interval(n) -%}
make_ym_interval(0, {{ n }})
{%- endmacro %}
{% macro days_interval(n) -%}
{{ return(adapter.dispatch('days_interval', 'ipx')(n)) }}
{%- endmacro %}
{% macro default__days_interval(n) -%}
to_days({{ n }})
{%- endmacro %}
{% macro spark__days_interval(n) -%}
make_dt_interval({{ n }})
{%- endmacro %}

{#- a date plus n days, as a timestamp (DuckDB's date + interval is a timestamp) -#}
{% macro date_plus_days(date_expression, n) -%}
{{ return(adapter.dispatch('date_plus_days', 'ipx')(date_expression, n)) }}
{%- endmacro %}
{% macro default__date_plus_days(date_expression, n) -%}
{{ date_expression }} + to_days({{ n }})
{%- endmacro %}
{% macro spark__date_plus_days(date_expression, n) -%}
cast(date_add({{ date_expression }}, {{ n }}) as timestamp)
{%- endmacro %}

{#- whole days from `start` to `end` (day boundaries crossed) -#}
{% macro days_between(start, end) -%}
{{ return(adapter.dispatch('days_between', 'ipx')(start, end)) }}
{%- endmacro %}
{% macro default__days_between(start, end) -%}
date_diff('day', {{ start }}, {{ end }})
{%- endmacro %}
{% macro spark__days_between(start, end) -%}
datediff(cast({{ end }} as date), cast({{ start }} as date))
{%- endmacro %}

{#- 'YYYY-MM' of a date -#}
{% macro year_month_label(date_expression) -%}
{{ return(adapter.dispatch('year_month_label', 'ipx')(date_expression)) }}
{%- endmacro %}
{% macro default__year_month_label(date_expression) -%}
strftime({{ date_expression }}, '%Y-%m')
{%- endmacro %}
{% macro spark__year_month_label(date_expression) -%}
date_format({{ date_expression }}, 'yyyy-MM')
{%- endmacro %}
