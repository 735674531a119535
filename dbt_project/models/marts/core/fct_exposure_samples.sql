-- A view: a projection of an incremental intermediate model, so it costs nothing to build and
-- is as current as that model (see macros/incremental_by_province.sql).
{{ config(materialized='view') }}
-- Exposure samples with limit, exceedance ratio and rectification deadline.
select
    province_code, sample_no, uscc, sample_date, sample_year, post, factor, metric, value, unit,
    limit_value, limit_unit, is_assessable, exceeds, exceedance_ratio, deadline_given,
    rectification_deadline, rectified_date, employer_in_snapshot, employer_key_industry_code,
    period, seq, source_file, source_record_no
from {{ ref('int_exposure_samples_assessed') }}
