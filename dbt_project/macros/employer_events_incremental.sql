{#-
  The employer events (mart_employer_events) and their yearly counts (mart_employer_yearly),
  kept incrementally on DuckDB (issue 14: a month must not cost what the history costs).

  An event row is a function of its source record alone (the record's own employer, dates,
  values, the exposure limits and the plan's default deadline: seeds, whose change is a code
  change and rebuilds everything), except for the columns judged at the data's as-of date:
  status, is_overdue and days_overdue of an item that has a deadline and is not rectified. So an
  incremental run

    1. lists the stale lineage: every version, in raw, of each key that appears in a slice of
       an event feed delivered since the model was last built (new_slice_keys: a key re-sent in
       a later month, and a key a seq 02 drops) - meta.employer_events_stale;
    2. deletes the events whose (source_file, source_record_no) is stale and inserts the current
       events of those records, exactly as the record-level intermediates do;
    3. re-judges the as-of columns of every unrectified item with a deadline (in the national
       three-year warehouse 297,598 of 6,397,792 events), since the as-of date moves with every
       delivery;
    4. logs the (province, employer, year) it deleted or inserted in meta.employer_event_changes,
       stamped with the run, for mart_employer_yearly and mart_employer_profile, which recompute
       just those (each one's watermark says which log rows it has taken; a full build of the
       events logs one row meaning "everything").

  A full build sorts the events by employer (the profile page reads one employer's rows and
  DuckDB's zone maps skip the other row groups); an incremental run appends its few rows.
  On Spark (plain Parquet tables: no delete, no update) both models are plain tables rebuilt
  whole, and every hook here does nothing.
  tests/pipeline/test_incremental.py proves the result equals a full rebuild.
-#}

{#- (feed, key) of every feed an employer event comes from; the model reads each through its
    upstream model, which carries the record's lineage (source_file, source_record_no). -#}
{% macro employer_event_feeds() -%}
{{ return([('nhc_hazard_monitoring', 'sample_no'), ('em_hazards', 'hazard_no'),
           ('hrss_injury_claims', 'decision_no'), ('nhc_occupational_disease', 'report_no'),
           ('em_accidents', 'accident_no'), ('acftu_supervision', 'inspection_no')]) }}
{%- endmacro %}

{#- Pre-hook: the stale lineage (step 1 above), kept in meta until the next run; nothing on a full build. -#}
{% macro list_stale_employer_events() -%}
{%- if is_incremental() -%}
create or replace table {{ ipx_meta('employer_events_stale') }} as
{%- for feed, key in employer_event_feeds() %}
select _file as source_file, _record_no as source_record_no from {{ raw_feed(feed) }}
where (_province, {{ key }}) in ({{ new_slice_keys(feed, key) }})
{%- if not loop.last %} union all{% endif %}
{%- endfor %}
{%- else -%}
select 1
{%- endif -%}
{%- endmacro %}

{#- A model's filter: the rows of stale records on an incremental run, all rows otherwise. -#}
{% macro stale_employer_event_rows(alias) -%}
{%- if is_incremental() -%}
({{ alias }}.source_file, {{ alias }}.source_record_no) in (select source_file, source_record_no from {{ ipx_meta('employer_events_stale') }})
{%- else -%}
true
{%- endif -%}
{%- endmacro %}

{% macro ensure_employer_event_changes() -%}
{%- if target.type != 'spark' -%}
create table if not exists {{ ipx_meta('employer_event_changes') }} (
    province_code varchar, uscc varchar, event_year integer, everything boolean, logged_at timestamp)
{%- else -%}
select 1
{%- endif -%}
{%- endmacro %}

{#- Pre-hook (before the delete) and post-hook (after the insert): the employer-years of the stale
    rows, old and new; a full build logs, before it, one row meaning "everything". -#}
{% macro log_employer_event_changes(before) -%}
{%- if is_incremental() -%}
insert into {{ ipx_meta('employer_event_changes') }}
select distinct province_code, uscc, event_year, false, {{ built_at() }}
from {{ this }} as events where {{ stale_employer_event_rows('events') }}
{%- elif before and target.type != 'spark' -%}
insert into {{ ipx_meta('employer_event_changes') }} values (null, null, null, true, {{ built_at() }})
{%- else -%}
select 1
{%- endif -%}
{%- endmacro %}

{% macro delete_stale_employer_events() -%}
{%- if is_incremental() -%}
delete from {{ this }} as events where {{ stale_employer_event_rows('events') }}
{%- else -%}
select 1
{%- endif -%}
{%- endmacro %}

{#- The as-of columns of an item with a deadline that is not rectified (one definition, used by
    the model's select and by the post-hook that re-judges the kept rows). -#}
{% macro event_status_at(alias, as_of) -%}
case
    when {{ alias }}.rectified_date is not null and {{ alias }}.deadline is not null
         and {{ alias }}.rectified_date > {{ alias }}.deadline then '逾期整改'
    when {{ alias }}.rectified_date is not null then '已整改'
    when {{ alias }}.deadline < {{ as_of }} then '逾期未整改'
    else '待整改（未到期）'
end
{%- endmacro %}
{% macro event_is_overdue_at(alias, as_of) -%}
coalesce({{ alias }}.event_type in ('exceedance', 'major_hazard', 'general_hazard')
         and {{ alias }}.rectified_date is null and {{ alias }}.deadline < {{ as_of }}, false)
{%- endmacro %}
{% macro event_days_overdue_at(alias, as_of) -%}
cast(case when {{ alias }}.rectified_date is null and {{ alias }}.deadline < {{ as_of }}
          then {{ days_between('cast(' ~ alias ~ '.deadline as date)', as_of) }} end as integer)
{%- endmacro %}

{#- Post-hook: step 3, the kept unrectified items re-judged at the current as-of date. -#}
{% macro rejudge_open_employer_events() -%}
{%- if is_incremental() -%}
update {{ this }} as events set
    status = {{ event_status_at('events', 'as_of.as_of_date') }},
    is_overdue = {{ event_is_overdue_at('events', 'as_of.as_of_date') }},
    days_overdue = {{ event_days_overdue_at('events', 'as_of.as_of_date') }}
from {{ ref('int_as_of') }} as as_of
where events.rectified_date is null and events.deadline is not null
  and events.event_type in ('exceedance', 'major_hazard', 'general_hazard')
{%- else -%}
select 1
{%- endif -%}
{%- endmacro %}

{#- mart_employer_yearly: the employer-years logged since it was last built. -#}
{% macro changed_employer_years(alias, year_column) -%}
{%- if is_incremental() -%}
(
    exists (select 1 from {{ ipx_meta('employer_event_changes') }} where everything and logged_at > {{ last_built() }})
    or ({{ alias }}.province_code, {{ alias }}.uscc, {{ alias }}.{{ year_column }}) in (
        select province_code, uscc, event_year from {{ ipx_meta('employer_event_changes') }}
        where not everything and logged_at > {{ last_built() }})
)
{%- else -%}
true
{%- endif -%}
{%- endmacro %}

{% macro delete_changed_employer_years() -%}
{%- if is_incremental() -%}
delete from {{ this }} as yearly where {{ changed_employer_years('yearly', 'year') }}
{%- else -%}
select 1
{%- endif -%}
{%- endmacro %}

{#- Post-hook of mart_employer_yearly, after its watermark: the log rows both readers,
    mart_employer_yearly and mart_employer_profile, have taken are no longer needed (a reader
    never built yet builds in full, without the log). One reader prunes: the two run side by
    side, and two deletes of the same rows conflict in DuckDB. Rows the profile has not taken
    yet are kept, and pruned by the yearly model's next run. -#}
{% macro prune_employer_event_changes() -%}
{%- if target.type != 'spark' -%}
delete from {{ ipx_meta('employer_event_changes') }} where logged_at <= (
    select min(built_at) from {{ ipx_meta('incremental_watermarks') }}
    where model in ('mart_employer_yearly', 'mart_employer_profile'))
{%- else -%}
select 1
{%- endif -%}
{%- endmacro %}
