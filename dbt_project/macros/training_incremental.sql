{#-
  Training coverage (int_training_coverage, one row per province x year) kept incrementally by
  year (issue 14), from two tables kept by key:

    - int_training_first_pass: each person's first 合格 training since the plan began (any
      province). A training record can move only its own person's first pass. A run recomputes
      the persons named by any version, in raw, of a key that appears in a slice delivered since
      the table was last built (new_slice_keys: a record re-sent, and one a seq 02 drops), listed
      once into meta.training_first_pass_stale;
    - int_training_roster: the distinct persons on each province's key-position roster of a
      year. A new hrss_key_positions delivery (an annual roster: period = year; a seq 02 replaces
      it) changes its own (province, year) only, and that is what a run recomputes.

  The coverage of (P, Y) counts P's roster of Y against those first passes. So:

    - a new roster changes its own (province, year) only;
    - a training record can move its person's first pass only to or from its own training date,
      so it changes the coverage of no year before the earliest training date among those
      records' versions, in any province.

  An incremental run of the coverage recomputes every province's years from that earliest year
  on, and the (province, year) of each new roster; a month of training therefore recounts the
  current year's roster (a join of two kept tables), not the history's training. The plan's years
  and first year are seeds: their change rebuilds everything.
  Each model lists what to recompute once, in a pre-hook, into meta (kept until its next run);
  its delete and its select read that list.
  On Spark every build is a full refresh (ipx.assets.warehouse_models), so nothing here applies.
  tests/pipeline/test_incremental.py proves the result equals a full rebuild.
-#}

{% macro training_coverage_stale_list() -%}
{{ ipx_meta('training_coverage_stale') }}
{%- endmacro %}

{#- Pre-hook (first): what to recompute, listed once for the delete and the select (finding the
    earliest training date scans raw hrss_training): a row (null, Y) for every province's
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

{#- int_training_first_pass: the persons to recompute (every version of a key of a new slice). -#}
{% macro training_first_pass_stale_list() -%}
{{ ipx_meta('training_first_pass_stale') }}
{%- endmacro %}

{% macro list_stale_trained_persons() -%}
{%- if is_incremental() and target.type != 'spark' -%}
create or replace table {{ training_first_pass_stale_list() }} as
select distinct person_pseudonym
from {{ source('raw', 'hrss_training') }}
where (_province, record_no) in ({{ new_slice_keys('hrss_training', 'record_no') }})
{%- else -%}
select 1
{%- endif -%}
{%- endmacro %}

{% macro stale_trained_persons(person) -%}
{%- if is_incremental() and target.type != 'spark' -%}
{{ person }} in (select person_pseudonym from {{ training_first_pass_stale_list() }})
{%- else -%}
true
{%- endif -%}
{%- endmacro %}

{% macro delete_stale_trained_persons() -%}
{%- if is_incremental() and target.type != 'spark' -%}
delete from {{ this }} where {{ stale_trained_persons('person_pseudonym') }}
{%- else -%}
select 1
{%- endif -%}
{%- endmacro %}

{#- int_training_roster: the (province, year) of every roster delivered since it was last built. -#}
{% macro stale_training_roster_rows(province, period) -%}
{%- if is_incremental() and target.type != 'spark' -%}
({{ province }}, {{ period }}) in (select province, period from ({{ new_deliveries(['hrss_key_positions']) }}))
{%- else -%}
true
{%- endif -%}
{%- endmacro %}

{% macro delete_stale_training_roster() -%}
{%- if is_incremental() and target.type != 'spark' -%}
delete from {{ this }} where {{ stale_training_roster_rows('province_code', 'cast(year as varchar)') }}
{%- else -%}
select 1
{%- endif -%}
{%- endmacro %}
