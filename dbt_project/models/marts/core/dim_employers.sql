{{ config(materialized='incremental', incremental_strategy=province_incremental_strategy(),
          partition_by=province_partition_by(),
          pre_hook=["{{ ensure_meta_schema() }}", "{{ ensure_watermarks() }}", "{{ delete_stale_provinces(['hrss_employers']) }}"],
          post_hook="{{ record_watermark() }}") }}
-- depends_on: {{ source('ingest', 'files') }}

-- Insured employers per province as in their latest snapshot, with first and last quarter seen.
-- Incremental by province: a province is rebuilt when it receives an hrss_employers delivery.
with latest as (
    select
        province_code,
        uscc,
        {{ latest_struct(['employer_name', 'area_code', 'industry_code', 'industry_division', 'key_industry_code',
                          'key_industry_name', 'risk_class', 'insured_workers', 'period'], 'quarter_index') }}
            as snapshot,
        min(period) as first_snapshot
    from {{ ref('int_employer_snapshots') }}
    where {{ stale_province_rows('province_code', ['hrss_employers']) }}
    group by province_code, uscc
)

select
    province_code,
    uscc,
    snapshot.employer_name,
    snapshot.area_code,
    snapshot.industry_code,
    snapshot.industry_division,
    snapshot.key_industry_code,
    snapshot.key_industry_name,
    snapshot.risk_class,
    snapshot.insured_workers as latest_insured_workers,
    snapshot.period as latest_snapshot,
    first_snapshot
from latest
