{{ config(materialized='incremental', incremental_strategy=province_incremental_strategy(),
          partition_by=province_partition_by(),
          pre_hook=["{{ ensure_meta_schema() }}", "{{ ensure_watermarks() }}", "{{ delete_stale_records('nhc_occupational_disease', 'report_no') }}"],
          post_hook="{{ record_watermark() }}") }}
-- depends_on: {{ source('ingest', 'files') }}
-- depends_on: {{ source('raw', 'nhc_occupational_disease') }}

-- Occupational-disease reports with their employer's industry for the diagnosis quarter.
with reports as (
    select * from {{ ref('stg_nhc_occupational_disease') }}
    where {{ stale_record_rows('nhc_occupational_disease', 'report_no') }}
),

attributed as (
    {{ attribute_to_employer('reports', 'diagnosis_date') }}
)

select attributed.*, year(diagnosis_date) as diagnosis_year
from attributed
