{{ config(materialized='incremental', incremental_strategy=province_incremental_strategy(),
          partition_by=province_partition_by(),
          pre_hook=["{{ ensure_meta_schema() }}", "{{ ensure_watermarks() }}", "{{ delete_stale_records('em_hazards', 'hazard_no') }}"],
          post_hook="{{ record_watermark() }}") }}
-- depends_on: {{ source('ingest', 'files') }}
-- depends_on: {{ source('raw', 'em_hazards') }}

-- Hidden hazards in their current state, attributed to the employer's industry.
with hazards as (
    select * from {{ ref('stg_em_hazards') }}
    where {{ stale_record_rows('em_hazards', 'hazard_no') }}
),

attributed as (
    {{ attribute_to_employer('hazards', 'found_date') }}
)

select attributed.*, level = '重大隐患' as is_major
from attributed
