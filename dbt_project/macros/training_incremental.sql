{#-
  Training coverage (int_training_coverage, one row per province x year) kept incrementally by
  year (issue 14). The coverage of (P, Y) depends on P's roster of Y and, for each person on it,
  the date of their first 合格 training since the plan began (any province). So:

    - a new hrss_key_positions delivery (an annual roster: period = year) changes its own
      (province, year) only;
    - a training record whose key appears in a slice delivered since the model was last built
      (new_slice_keys: a record re-sent, and one a seq 02 drops, in every version) can move its
      person's first pass only to or from its own training date, so it changes the coverage of
      no year before the earliest training date among those records' versions, in any province.

  An incremental run recomputes every province's years from that earliest year on, and the
  (province, year) of each new roster; a month of training therefore rebuilds the current year,
  not the history. The plan's years and first year are seeds: their change rebuilds everything.
  On Spark every build is a full refresh (ipx.assets.warehouse_models), so nothing here applies.
  tests/pipeline/test_incremental.py proves the result equals a full rebuild.
-#}

{% macro stale_training_coverage_rows(province, year) -%}
{%- if is_incremental() and target.type != 'spark' -%}
(
    {{ year }} >= (
        select coalesce(min(year(training_date)), 9999) from {{ source('raw', 'hrss_training') }}
        where (_province, record_no) in ({{ new_slice_keys('hrss_training', 'record_no') }})
    )
    or ({{ province }}, {{ year }}) in (
        select province, cast(period as integer) from ({{ new_deliveries(['hrss_key_positions']) }})
    )
)
{%- else -%}
true
{%- endif -%}
{%- endmacro %}

{% macro delete_stale_training_coverage() -%}
{%- if is_incremental() and target.type != 'spark' -%}
delete from {{ this }} where {{ stale_training_coverage_rows('province_code', 'year') }}
{%- else -%}
select 1
{%- endif -%}
{%- endmacro %}
