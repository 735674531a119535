-- A view: no model reads it (training coverage reads the staging model), so it is not copied on
-- every build; analysts query it in the warehouse like any fact.
{{ config(materialized='view') }}
-- Prevention training records.
select
    province_code, record_no, uscc, person_pseudonym, role, training_date, year(training_date) as training_year,
    mode, hours, result, period, seq, source_file, source_record_no
from {{ ref('stg_hrss_training') }}
