{#- Quarter index (year * 4 + quarter - 1) of a date, for quarter-to-quarter comparisons. -#}
{% macro quarter_index(date_expression) -%}
(year({{ date_expression }}) * 4 + quarter({{ date_expression }}) - 1)
{%- endmacro %}

{#- The first day of a period string (YYYYMM, YYYYQn or YYYY). -#}
{% macro period_start(period) -%}
case
    when length({{ period }}) = 6 and {{ period }} not like '%Q%'
        then make_date(cast(substr({{ period }}, 1, 4) as integer), cast(substr({{ period }}, 5, 2) as integer), 1)
    when {{ period }} like '%Q%'
        then make_date(cast(substr({{ period }}, 1, 4) as integer), cast(substr({{ period }}, 6, 1) as integer) * 3 - 2, 1)
    else make_date(cast({{ period }} as integer), 1, 1)
end
{%- endmacro %}

{#- The first day after a period ends. -#}
{% macro period_end_exclusive(period) -%}
case
    when length({{ period }}) = 6 and {{ period }} not like '%Q%'
        then {{ period_start(period) }} + interval 1 month
    when {{ period }} like '%Q%' then {{ period_start(period) }} + interval 3 month
    else {{ period_start(period) }} + interval 1 year
end
{%- endmacro %}

{#-
  Due time of a slice (spec section 5): `due_day` of the month `months_after_period_end`
  months after the period ends, at 23:59:59 Beijing time (exported_at is stored in Beijing
  time). The rule per cadence comes from the delivery_due_rules seed.
-#}
{% macro slice_due_at(period, months_after_period_end, due_day) -%}
(cast(date_trunc('month', {{ period_end_exclusive(period) }} - interval 1 day)
      + {{ months_interval(months_after_period_end) }} + {{ days_interval(due_day ~ ' - 1') }} as timestamp)
 + interval 23 hour + interval 59 minute + interval 59 second)
{%- endmacro %}
