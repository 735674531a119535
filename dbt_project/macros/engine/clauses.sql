{#-
  Engine differences (issue 12), part 2: clauses. `default__` is the DuckDB SQL the models
  always had; `spark__` is Spark SQL. See engine/functions.sql.
-#}

{#- The first row of each group: `select <columns> from <relation>` keeping, per `partition_by`,
    the row that sorts first by `order_by` (DuckDB: qualify; Spark has no qualify). -#}
{% macro first_row_per_group(columns, relation, partition_by, order_by) -%}
{{ return(adapter.dispatch('first_row_per_group', 'ipx')(columns, relation, partition_by, order_by)) }}
{%- endmacro %}
{% macro default__first_row_per_group(columns, relation, partition_by, order_by) -%}
select {{ columns }}
from {{ relation }}
qualify row_number() over (
    partition by {{ partition_by }}
    order by {{ order_by }}
) = 1
{%- endmacro %}
{% macro spark__first_row_per_group(columns, relation, partition_by, order_by) -%}
select {{ columns }}
from (
    select *, row_number() over (partition by {{ partition_by }} order by {{ order_by }}) as _ipx_row_number
    from {{ relation }}
) as _ipx_ranked
where _ipx_row_number = 1
{%- endmacro %}

{#- `<qualifier>.*` without `columns` -#}
{% macro star_except(columns, qualifier=none) -%}
{{ return(adapter.dispatch('star_except', 'ipx')(columns, qualifier)) }}
{%- endmacro %}
{% macro default__star_except(columns, qualifier=none) -%}
{{ qualifier ~ '.' if qualifier }}* exclude ({{ columns | join(', ') }})
{%- endmacro %}
{% macro spark__star_except(columns, qualifier=none) -%}
{{ qualifier ~ '.' if qualifier }}* except ({{ columns | join(', ') }})
{%- endmacro %}

{#- The set operator between two selects whose columns are the same: by name on DuckDB; on Spark
    (no `union all by name`) by position, so the callers list the columns in the same order. -#}
{% macro union_all_by_name() -%}
{{ return(adapter.dispatch('union_all_by_name', 'ipx')()) }}
{%- endmacro %}
{% macro default__union_all_by_name() -%}
union all by name
{%- endmacro %}
{% macro spark__union_all_by_name() -%}
union all
{%- endmacro %}

{#- An as-of left join: join to each row of `left` (alias `left_alias`, the relation it is
    selected from `left_relation`) the row of `right` (alias `right_alias`) with equal `keys`
    and the greatest `right_order` <= `left_order`. DuckDB: asof left join. Spark (none): the
    greatest right_order per distinct left key, then an equality join; the right rows must be
    unique on keys + right_order (int_employer_snapshots is, tested). -#}
{% macro asof_left_join(left_alias, left_relation, right, right_alias, keys, left_order, right_order) -%}
{{ return(adapter.dispatch('asof_left_join', 'ipx')(left_alias, left_relation, right, right_alias, keys, left_order, right_order)) }}
{%- endmacro %}
{% macro default__asof_left_join(left_alias, left_relation, right, right_alias, keys, left_order, right_order) -%}
asof left join {{ right }} as {{ right_alias }}
        on {% for key in keys %}{{ left_alias }}.{{ key }} = {{ right_alias }}.{{ key }}
        and {% endfor %}{{ left_alias }}.{{ left_order }} >= {{ right_alias }}.{{ right_order }}
{%- endmacro %}
{% macro spark__asof_left_join(left_alias, left_relation, right, right_alias, keys, left_order, right_order) -%}
left join (
        select {% for key in keys %}l.{{ key }}, {% endfor %}l.{{ left_order }}, max(r.{{ right_order }}) as _ipx_asof_order
        from (select distinct {% for key in keys %}{{ key }}, {% endfor %}{{ left_order }} from {{ left_relation }}) as l
        inner join {{ right }} as r
            on {% for key in keys %}r.{{ key }} = l.{{ key }} and {% endfor %}l.{{ left_order }} >= r.{{ right_order }}
        group by {% for key in keys %}l.{{ key }}, {% endfor %}l.{{ left_order }}
    ) as {{ right_alias }}_asof
        on {% for key in keys %}{{ right_alias }}_asof.{{ key }} = {{ left_alias }}.{{ key }}
        and {% endfor %}{{ right_alias }}_asof.{{ left_order }} = {{ left_alias }}.{{ left_order }}
    left join {{ right }} as {{ right_alias }}
        on {% for key in keys %}{{ right_alias }}.{{ key }} = {{ right_alias }}_asof.{{ key }}
        and {% endfor %}{{ right_alias }}.{{ right_order }} = {{ right_alias }}_asof._ipx_asof_order
{%- endmacro %}
