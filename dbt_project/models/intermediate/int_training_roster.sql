{{ config(materialized=duckdb_incremental_materialization(), incremental_strategy='append',
          pre_hook=["{{ ensure_meta_schema() }}", "{{ ensure_watermarks() }}", "{{ delete_stale_training_roster() }}"],
          post_hook="{{ record_watermark() }}") }}
-- depends_on: {{ source('ingest', 'files') }}

-- The persons on each province's key-position roster of a year (spec 5, training coverage: the
-- three key roles; a person listed twice, at two employers or in two roles, counts once).
-- Incremental by roster: a run recomputes the (province, year) of each roster delivered since
-- (macros/training_incremental.sql).
select distinct province_code, roster_year as year, person_pseudonym
from {{ ref('stg_hrss_key_positions') }}
where role in ('分管负责人', '安全管理部门主要负责人', '一线班组长')
  and {{ stale_training_roster_rows('province_code', 'period') }}
