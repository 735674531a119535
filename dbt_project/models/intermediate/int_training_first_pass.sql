{{ config(materialized=duckdb_incremental_materialization(), incremental_strategy='append',
          pre_hook=["{{ ensure_meta_schema() }}", "{{ ensure_watermarks() }}", "{{ list_stale_trained_persons() }}",
                    "{{ delete_stale_trained_persons() }}"],
          post_hook="{{ record_watermark() }}") }}
-- depends_on: {{ source('ingest', 'files') }}
-- depends_on: {{ source('raw', 'hrss_training') }}

-- Each person's first 合格 (passed) training dated from the plan's first year (2021-01-01) on,
-- any employer, any province, matched on the pseudonym: what training coverage (spec 5) counts.
-- One row per person who passed. Incremental by person: a run recomputes the persons of the
-- training records delivered since (macros/training_incremental.sql).
select training.person_pseudonym, min(training.training_date) as first_passed_on
from {{ ref('stg_hrss_training') }} as training
cross join {{ ref('plan_cycles') }} as plan
where training.result = '合格' and training.training_date >= make_date(plan.first_year, 1, 1)
  and {{ stale_trained_persons('training.person_pseudonym') }}
group by training.person_pseudonym
