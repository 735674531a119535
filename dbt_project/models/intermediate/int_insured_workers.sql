{{ config(materialized='incremental', incremental_strategy=province_incremental_strategy(),
          partition_by=province_partition_by(),
          pre_hook=["{{ ensure_meta_schema() }}", "{{ ensure_watermarks() }}", "{{ delete_stale_provinces(['hrss_employers']) }}"],
          post_hook="{{ record_watermark() }}") }}
-- depends_on: {{ source('ingest', 'files') }}

-- Insured workers of a group in year Y (spec section 5): the mean, over the quarters of Y that
-- have an hrss_employers snapshot for the province, of the sum of insured_workers of the
-- group's employers in that snapshot (each employer's industry as in that snapshot).
with snapshot_quarters as (
    -- every current snapshot slice, even one with no records
    select distinct province, period, cast(substr(period, 1, 4) as integer) as year
    from {{ source('ingest', 'files') }}
    where feed = 'hrss_employers' and status = 'loaded'
      and {{ stale_province_rows('province', ['hrss_employers']) }}
),

groups as (
    select * from {{ ref('int_industry_groups') }}
),

employer_groups as (
    select province_code, period, key_industry_code as industry_group, insured_workers
    from {{ ref('int_employer_snapshots') }}
    where key_industry_code is not null
    union all
    select province_code, period, 'key_all', insured_workers
    from {{ ref('int_employer_snapshots') }}
    where key_industry_code is not null
    union all
    select province_code, period, 'all', insured_workers
    from {{ ref('int_employer_snapshots') }}
),

sums as (
    select province_code, period, industry_group, sum(insured_workers) as insured_workers
    from employer_groups
    group by all
),

per_quarter as (
    select
        groups.province_code,
        groups.industry_group,
        snapshot_quarters.year,
        snapshot_quarters.period,
        coalesce(sums.insured_workers, 0) as insured_workers
    from groups
    inner join snapshot_quarters on snapshot_quarters.province = groups.province_code
    left join sums
        on sums.province_code = groups.province_code
        and sums.period = snapshot_quarters.period
        and sums.industry_group = groups.industry_group
)

select
    per_quarter.province_code,
    per_quarter.industry_group,
    per_quarter.year,
    count(*) as snapshot_quarters,
    avg(per_quarter.insured_workers) as insured_workers
from per_quarter
group by per_quarter.province_code, per_quarter.industry_group, per_quarter.year
