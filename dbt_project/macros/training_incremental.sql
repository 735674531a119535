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
  A pre-hook lists what to recompute once, into meta.training_coverage_stale (kept until the next
  run); the delete, the roster and the year spine read that list.
  On Spark every build is a full refresh (ipx.assets.warehouse_models), so nothing here applies.
  tests/pipeline/test_incremental.py proves the result equals a full rebuild.
-#}

{% macro training_coverage_stale_list() -%}
{{ ipx_meta('training_coverage_stale') }}
{%- endmacro %}

{#- Pre-hook (first): what to recompute, listed once for the delete and the select (finding the
    earliest training date scans raw hrss_training twice): a row (null, Y) for every province's
    years from Y on, a row (P, Y) for a new roster. Nothing on a full build. -#}
{% macro list_stale_training_coverage() -%}
{%- if is_incremental() and target.type != 'spark' -%}
create or replace table {{ training_coverage_stale_list() }} as
select cast(null as varchar) as province_code, min(year(training_date)) as year
from {{ source('raw', 'hrss_training') }}
where (_province, record_no) in ({{ new_slice_keys('hrss_training', 'record_no') }})
having count(*) > 0
union all
select province, cast(period as integer) from ({{ new_deliveries(['hrss_key_positions']) }})
{%- else -%}
select 1
{%- endif -%}
{%- endmacro %}

{% macro stale_training_coverage_rows(province, year) -%}
{%- if is_incremental() and target.type != 'spark' -%}
(
    {{ year }} >= (select coalesce(min(year), 9999) from {{ training_coverage_stale_list() }} where province_code is null)
    or ({{ province }}, {{ year }}) in (
        select province_code, year from {{ training_coverage_stale_list() }} where province_code is not null)
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
