{#-
  Premium-rate floating kept incrementally by employer (issue 14: a month must not cost what the
  history costs). int_floating_inputs, int_floating_grades and mart_premium_floating hold one
  row per province x cycle x floated employer, and each row follows from that employer alone:

    - who is floated, the cycle's window, quarters, premium and effect base: the province's
      employer snapshots (int_floating_employers, incremental by province on hrss_employers);
    - claims, occupational-disease reports and rectification items: the employer's own records
      of hrss_injury_claims, nhc_occupational_disease, nhc_hazard_monitoring (exceeding samples)
      and em_hazards (重大隐患), none of them judged at the as-of date;
    - the floating parameters, bands and multipliers: seeds and configuration, whose change is
      a change of the dbt project and rebuilds everything.

  So an incremental run deletes and recomputes the rows of

    - every employer of a province with a new hrss_employers delivery, and
    - every employer named by any version, in raw, of a key that appears in a slice of those
      four feeds delivered since the model was last built (new_slice_keys: a claim re-sent
      under another employer moves both employers' figures).

  Each model keeps its own watermark, so a model that failed in an earlier run catches up on
  everything delivered since it last succeeded. A model lists its employers once, in a pre-hook,
  into meta.floating_stale_<model> (kept until its next run), and its delete and its select read
  that list: finding them searches four raw feeds (0.6-0.9 s at national volume). The first
  model (int_floating_inputs) records when its list was made and from which watermark
  (meta.stale_lists_made); a later model of the same dbt invocation whose own watermark is that
  one would find the same employers, so it copies that list instead of searching again (the usual
  month: all three were built by the same earlier run). A model whose watermark differs (it
  failed or was added since) searches for itself.
  On Spark (no delete) the models are partitioned by province and a run overwrites every
  province with a new delivery of hrss_employers or of the four feeds.
  tests/pipeline/test_incremental.py proves the result equals a full rebuild.
-#}

{#- (feed, key) of every feed whose records a floated employer's figures count. -#}
{% macro floating_record_feeds() -%}
{{ return([('hrss_injury_claims', 'decision_no'), ('nhc_occupational_disease', 'report_no'),
           ('nhc_hazard_monitoring', 'sample_no'), ('em_hazards', 'hazard_no')]) }}
{%- endmacro %}

{#- The model's own list of employers to recompute (made by list_stale_floating_employers). -#}
{% macro stale_floating_list() -%}
{{ ipx_meta('floating_stale_' ~ this.identifier) }}
{%- endmacro %}

{#- The model that lists first. -#}
{% macro floating_first_model() -%}{{ return('int_floating_inputs') }}{%- endmacro %}

{#- True when the first model's list was made in this dbt invocation from this model's own
    watermark: the same deliveries are new to both, so the list would be the same. -#}
{% macro floating_list_reusable() -%}
{%- if not execute or this.identifier == floating_first_model() -%}{{ return(false) }}{%- endif -%}
{%- set same = run_query("select count(*) from " ~ stale_lists_made() ~ " where model = '"
                         ~ floating_first_model() ~ "' and listed_in = " ~ built_at() ~ " and since = " ~ last_built()) -%}
{{ return(same.rows[0][0] > 0) }}
{%- endmacro %}

{#- Pre-hook (first): the employers to recompute, into the model's list; nothing on a full build. -#}
{% macro list_stale_floating_employers() -%}
{%- if is_incremental() and target.type != 'spark' and floating_list_reusable() -%}
create or replace table {{ stale_floating_list() }} as
select province_code, uscc from {{ adapter.quote(target.database) }}.meta.floating_stale_{{ floating_first_model() }}
{%- elif is_incremental() and target.type != 'spark' -%}
create or replace table {{ stale_floating_list() }} as
select province as province_code, cast(null as varchar) as uscc
from ({{ new_deliveries(['hrss_employers']) }})
union
{%- for feed, key in floating_record_feeds() %}
select _province, uscc from {{ raw_feed(feed) }}
where (_province, {{ key }}) in ({{ new_slice_keys(feed, key) }})
{%- if not loop.last %} union{% endif %}
{%- endfor %}
{%- else -%}
select 1
{%- endif -%}
{%- endmacro %}

{#- A model's filter: the employers to recompute on an incremental run (a null uscc: the whole
    province, which received employer snapshots), every row otherwise. -#}
{% macro stale_floating_rows(alias) -%}
{{ return(adapter.dispatch('stale_floating_rows', 'ipx')(alias)) }}
{%- endmacro %}
{% macro default__stale_floating_rows(alias) -%}
{%- if is_incremental() -%}
{{ employers_in_list(alias, stale_floating_list()) }}
{%- else -%}
true
{%- endif -%}
{%- endmacro %}
{% macro spark__stale_floating_rows(alias) -%}
{%- if is_incremental() -%}
{%- set feeds = ['hrss_employers'] -%}
{%- for feed, _ in floating_record_feeds() -%}{%- do feeds.append(feed) -%}{%- endfor -%}
{{ alias }}.province_code in (select province from ({{ new_deliveries(feeds) }}))
{%- else -%}
true
{%- endif -%}
{%- endmacro %}

{#- Pre-hook: the stale employers' rows go before the model appends them again. -#}
{% macro delete_stale_floating_rows() -%}
{%- if is_incremental() and target.type != 'spark' -%}
delete from {{ this }} as floating where {{ stale_floating_rows('floating') }}
{%- else -%}
select 1
{%- endif -%}
{%- endmacro %}
