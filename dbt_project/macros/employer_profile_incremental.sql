{#-
  The employer profile (mart_employer_profile) kept incrementally by employer on DuckDB (issue
  14: in a national month it rebuilt all 2.2 M employers from 6.4 M events, 9 s, for the few
  hundred thousand whose row can change). A row follows from its employer alone:

    - identity and snapshot membership: dim_employers, which changes only for the provinces with
      a new hrss_employers delivery;
    - the counts of its events: mart_employer_events, whose changed employers are logged in
      meta.employer_event_changes (macros/employer_events_incremental.sql; a full build of the
      events logs "everything");
    - its union inspection totals: every acftu_supervision record of the employer, with findings
      or not;
    - its watchlist listing (rank, tier, reasons, 12-month worst ratio): rank moves for every
      listed employer when one is listed or delisted, so every employer listed now
      (mart_watchlist) is recomputed, and every employer listed before this run (its kept row
      has a rank). A delisted employer's items changed, so the log names it too; the listing's
      own term keeps the rank right without relying on that. Listed employers are also the only
      ones with open items, the only events re-judged at the as-of date (is_overdue,
      days_overdue);
    - the 12-month counts (exceedances, recognised injuries): the window ends at the as-of date,
      so an employer with such an event in one window and not the other, the kept rows' as-of
      date against the current one, is recomputed;
    - the as-of date itself, the same in every row: a post-hook sets it on the kept rows.

  So an incremental run lists those employers once, in a pre-hook, into
  meta.employer_profile_stale (a null uscc: the whole province), deletes their rows and appends
  them again. The list is kept until the next run. Seeds (province and industry names) are files
  of the project, whose change rebuilds everything. On Spark the model is a plain table, rebuilt
  whole, and every hook here does nothing (duckdb_incremental_materialization()).
  tests/pipeline/test_incremental.py proves the result equals a full rebuild.
-#}

{% macro employer_profile_stale_list() -%}
{{ ipx_meta('employer_profile_stale') }}
{%- endmacro %}

{#- Pre-hook (first): the employers to recompute, into the list; nothing on a full build. -#}
{% macro list_stale_profile_employers() -%}
{%- if is_incremental() -%}
create or replace table {{ employer_profile_stale_list() }} as
select province as province_code, cast(null as varchar) as uscc
from ({{ new_deliveries(['hrss_employers']) }})
union
select province_code, null from {{ ref('dim_provinces') }}
where exists (select 1 from {{ ipx_meta('employer_event_changes') }} where everything and logged_at > {{ last_built() }})
union
select province_code, uscc from {{ ipx_meta('employer_event_changes') }}
where not everything and logged_at > {{ last_built() }}
union
select _province, uscc from {{ raw_feed('acftu_supervision') }}
where uscc is not null and (_province, inspection_no) in ({{ new_slice_keys('acftu_supervision', 'inspection_no') }})
union
select province_code, uscc from {{ this }} where priority_rank is not null
union
select province_code, uscc from {{ ref('mart_watchlist') }}
union
select events.province_code, events.uscc
from {{ ref('mart_employer_events') }} as events
cross join (select max(as_of_date) as as_of_date from {{ this }}) as kept
cross join {{ ref('int_as_of') }} as now
where events.event_type in ('exceedance', 'injury')
  and (events.event_date > kept.as_of_date - interval 365 day and events.event_date <= kept.as_of_date)
      is distinct from
      (events.event_date > now.as_of_date - interval 365 day and events.event_date <= now.as_of_date)
{%- else -%}
select 1
{%- endif -%}
{%- endmacro %}

{#- The model's filter: the listed employers on an incremental run, every row otherwise. -#}
{% macro stale_profile_rows(alias) -%}
{%- if is_incremental() -%}
{{ employers_in_list(alias, employer_profile_stale_list()) }}
{%- else -%}
true
{%- endif -%}
{%- endmacro %}

{% macro delete_stale_profile_rows() -%}
{%- if is_incremental() -%}
delete from {{ this }} as profile where {{ stale_profile_rows('profile') }}
{%- else -%}
select 1
{%- endif -%}
{%- endmacro %}

{#- Post-hook: the kept rows' as-of date, moved with the data. -#}
{% macro move_profile_as_of_date() -%}
{%- if is_incremental() -%}
update {{ this }} as profile set as_of_date = now.as_of_date
from {{ ref('int_as_of') }} as now
where profile.as_of_date is distinct from now.as_of_date
{%- else -%}
select 1
{%- endif -%}
{%- endmacro %}
