-- A view: a projection of an incremental intermediate model, so it costs nothing to build and
-- is as current as that model (see macros/incremental_by_province.sql).
{{ config(materialized='view') }}
-- Occupational-disease reports with their employer attribution.
select
    province_code, report_no, uscc, person_pseudonym, disease_category, disease_name, diagnosis_date,
    diagnosis_year, exposure_years, employer_in_snapshot, employer_key_industry_code,
    period, seq, source_file, source_record_no
from {{ ref('int_od_reports_attributed') }}
