-- A view: a projection of an incremental intermediate model, so it costs nothing to build and
-- is as current as that model (see macros/incremental_by_province.sql).
{{ config(materialized='view') }}
-- Hidden hazards in their current state.
select
    province_code, hazard_no, uscc, found_date, level, is_major, deadline, rectified_date,
    employer_in_snapshot, employer_key_industry_code, period, seq, source_file, source_record_no
from {{ ref('int_hazards_current') }}
