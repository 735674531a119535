{{ config(materialized='table' if target.type == 'spark' else 'incremental', incremental_strategy='append',
          pre_hook=["{{ ensure_meta_schema() }}", "{{ ensure_watermarks() }}", "{{ delete_stale_trainees() }}"],
          post_hook="{{ record_watermark() }}") }}
-- depends_on: {{ source('ingest', 'files') }}
-- depends_on: {{ source('raw', 'hrss_training') }}

-- Each person's first 合格 training dated from the plan's first year on (spec 5, training
-- coverage: any employer, any province, matched on the pseudonym), over the current version of
-- every training record, as stg_hrss_training keeps them.
-- Incremental (DuckDB): only the persons a new hrss_training slice names, in any version of its
-- keys (a record re-sent for another person, or dropped by a seq 02, leaves one person and may
-- reach another), are recomputed, from every version of every key they hold; on Spark (always a
-- full build) a plain table.
with plan as (
    select first_year from {{ ref('plan_cycles') }}
),

{% if is_incremental() %}
stale_persons as (
    {{ stale_trainees() }}
),

current_records as (
    {{ current_version('hrss_training') }}
    where (raw_records._province, raw_records.record_no) in (
        select _province, record_no from {{ source('raw', 'hrss_training') }}
        where person_pseudonym in (select stale_persons.person_pseudonym from stale_persons)
    )
),

latest as (
    {{ latest_period_per_key('current_records', ['record_no']) }}
),

training as (
    select person_pseudonym, training_date, result
    from latest
    where person_pseudonym in (select stale_persons.person_pseudonym from stale_persons)
)
{% else %}
training as (
    select person_pseudonym, training_date, result
    from {{ ref('stg_hrss_training') }}
)
{% endif %}

select training.person_pseudonym, min(training.training_date) as first_passed_on
from training
cross join plan
where training.result = '合格' and training.training_date >= make_date(plan.first_year, 1, 1)
group by training.person_pseudonym
