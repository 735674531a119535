-- A view: a projection of an incremental intermediate model, so it costs nothing to build and
-- is as current as that model (see macros/incremental_by_province.sql).
{{ config(materialized='view') }}
-- Work-injury recognitions with their employer attribution and what they count for.
select
    province_code, decision_no, uscc, person_pseudonym, sex, incident_date, incident_year, decision_date,
    decision, harm_type, accident_category, disease_name, disability_grade, is_fatal, fund_paid_yuan,
    accident_no, employer_in_snapshot, employer_industry_division, employer_key_industry_code,
    is_recognised, is_accident_injury, counts_for_injury_rate, counts_as_fatality,
    period, seq, source_file, source_record_no
from {{ ref('int_claims_attributed') }}
