{{ config(materialized='incremental', incremental_strategy=province_incremental_strategy(),
          partition_by=province_partition_by(),
          pre_hook=["{{ ensure_meta_schema() }}", "{{ ensure_watermarks() }}", "{{ delete_stale_records('hrss_injury_claims', 'decision_no') }}"],
          post_hook="{{ record_watermark() }}") }}
-- depends_on: {{ source('ingest', 'files') }}
-- depends_on: {{ source('raw', 'hrss_injury_claims') }}

-- Injury claims with their employer's industry for the quarter of the incident (spec 5).
-- Claims of employers in no snapshot of the province are orphans: left out of rates.
with claims as (
    select * from {{ ref('stg_hrss_injury_claims') }}
    where {{ stale_record_rows('hrss_injury_claims', 'decision_no') }}
),

attributed as (
    {{ attribute_to_employer('claims', 'incident_date') }}
)

select
    attributed.*,
    year(incident_date) as incident_year,
    decision in ('认定工伤', '视同工伤') as is_recognised,
    harm_type = '事故伤害' as is_accident_injury,
    decision in ('认定工伤', '视同工伤') and harm_type = '事故伤害' and employer_in_snapshot
        as counts_for_injury_rate,
    decision in ('认定工伤', '视同工伤') and is_fatal and employer_in_snapshot as counts_as_fatality
from attributed
