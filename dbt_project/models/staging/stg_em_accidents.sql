{{ config(materialized=keyed_staging_materialization(), incremental_strategy='append',
          pre_hook=["{{ ensure_meta_schema() }}", "{{ ensure_watermarks() }}",
                    "{{ delete_stale_staged_keys('em_accidents', 'accident_no') }}"],
          post_hook="{{ record_staged_keys_watermark() }}") }}
-- depends_on: {{ source('ingest', 'files') }}
-- Production-safety accidents, current version of each monthly slice. Severity is null where
-- it disagrees with the counts (W).
with current_records as (
    {{ current_version('em_accidents', where=stale_staged_keys('em_accidents', 'accident_no')) }}
),

latest as (
    {{ latest_period_per_key('current_records', ['accident_no']) }}
)

select
    accident_no,
    uscc,
    employer_name,
    area_code,
    industry_code,
    substr(regexp_extract(industry_code, '[0-9]+', 0), 1, 2) as industry_division,
    occurred_at,
    cast(occurred_at as date) as occurred_date,
    accident_category,
    coalesce(deaths, 0) as deaths,
    coalesce(serious_injuries, 0) as serious_injuries,
    direct_loss_10k_yuan,
    {{ unflagged('severity') }} as severity,
    {{ lineage_columns() }}
from latest
