{{ config(materialized='incremental', incremental_strategy=province_incremental_strategy(),
          partition_by=province_partition_by(),
          pre_hook=["{{ ensure_meta_schema() }}", "{{ ensure_watermarks() }}", "{{ delete_stale_provinces(['hrss_employers']) }}"],
          post_hook="{{ record_watermark() }}") }}
-- depends_on: {{ source('ingest', 'files') }}

-- Every employer snapshot with its quarter index and key industry (by the division its code's
-- digits decide, in its own province's list).
with snapshots as (
    select * from {{ ref('stg_hrss_employers') }}
    where {{ stale_province_rows('province_code', ['hrss_employers']) }}
),

key_divisions as (
    select * from {{ ref('int_key_industry_divisions') }}
)

select
    snapshots.province_code,
    snapshots.uscc,
    snapshots.period,
    snapshots.snapshot_year,
    snapshots.snapshot_quarter,
    snapshots.snapshot_year * 4 + snapshots.snapshot_quarter - 1 as quarter_index,
    snapshots.employer_name,
    snapshots.area_code,
    snapshots.industry_code,
    snapshots.industry_division,
    snapshots.risk_class,
    snapshots.insured_workers,
    snapshots.payroll_yuan,
    snapshots.premium_rate_pct,
    key_divisions.key_industry_code,
    key_divisions.key_industry_name,
    row_number() over (partition by snapshots.province_code, snapshots.uscc
                       order by snapshots.snapshot_year, snapshots.snapshot_quarter) = 1 as is_first_snapshot
from snapshots
left join key_divisions
    on key_divisions.province_code = snapshots.province_code
    and key_divisions.division = snapshots.industry_division
