{{ config(materialized='incremental', incremental_strategy=province_incremental_strategy(),
          partition_by=province_partition_by(),
          pre_hook=["{{ ensure_meta_schema() }}", "{{ ensure_watermarks() }}", "{{ delete_stale_records('nhc_hazard_monitoring', 'sample_no') }}"],
          post_hook="{{ record_watermark() }}") }}
-- depends_on: {{ source('ingest', 'files') }}
-- depends_on: {{ source('raw', 'nhc_hazard_monitoring') }}

-- Exposure samples against their limit (spec 4.1): a sample exceeds when its value is above the
-- limit of its factor and metric in the limit's unit. No limit for the pair, or another unit
-- (flagged W at ingestion), is never an exceedance. An exceeding sample's deadline defaults to
-- sample_date + 30 days (plan_cycles.default_rectification_days).
with samples as (
    select * from {{ ref('stg_nhc_hazard_monitoring') }}
    where {{ stale_record_rows('nhc_hazard_monitoring', 'sample_no') }}
),

limits as (
    select * from {{ ref('exposure_limits') }}
),

plan as (
    select default_rectification_days from {{ ref('plan_cycles') }}
),

assessed as (
    select
        samples.*,
        limits.limit_value,
        limits.unit as limit_unit,
        limits.limit_value is not null
            and (samples.unit is null or samples.unit = limits.unit)
            and not {{ array_has('samples.dq_flags', "'unit'") }}
            and not {{ array_has('samples.dq_flags', "'factor'") }} as is_assessable
    from samples
    left join limits on limits.factor = samples.factor and limits.metric = samples.metric
),

with_outcome as (
    select
        assessed.*,
        is_assessable and value > limit_value as exceeds,
        case when is_assessable then {{ float_divide('value', 'limit_value') }} end as exceedance_ratio
    from assessed
),

attributed as (
    {{ attribute_to_employer('with_outcome', 'sample_date') }}
)

select
    attributed.*,
    year(sample_date) as sample_year,
    case
        when exceeds then coalesce(deadline_given, {{ date_plus_days('sample_date', 'plan.default_rectification_days') }})
    end as rectification_deadline
from attributed
cross join plan
