{#-
  Half-up rounding of a non-negative figure, as spec section 5 publishes them. The value is
  first fixed to 10 decimals so that binary floating-point artefacts (2.675 stored as
  2.67499999…) do not decide the rounding.
-#}
{% macro round_half_up(expression, digits) -%}
round(cast({{ expression }} as decimal(38, 10)), {{ digits }})
{%- endmacro %}

{#- x limited to [0, 1]. -#}
{% macro clamp01(expression) -%}
greatest(0.0, least(1.0, {{ expression }}))
{%- endmacro %}
