{{ config(materialized='incremental', incremental_strategy='append',
          pre_hook="{{ delete_stale_provinces(['hrss_injury_claims', 'hrss_employers']) }}") }}

-- Injury claims with their employer's industry for the quarter of the incident (spec 5).
-- Claims of employers in no snapshot of the province are orphans: left out of rates.
with claims as (
    select * from {{ ref('stg_hrss_injury_claims') }}
    where {{ stale_provinces_filter('province_code', ['hrss_injury_claims', 'hrss_employers']) }}
),

attributed as (
    {{ attribute_to_employer('claims', 'incident_date') }}
),

inputs as (
    {{ inputs_taken_at(['hrss_injury_claims', 'hrss_employers']) }}
)

select
    attributed.*,
    inputs.inputs_taken_at as _inputs_taken_at,
    year(incident_date) as incident_year,
    decision in ('认定工伤', '视同工伤') as is_recognised,
    harm_type = '事故伤害' as is_accident_injury,
    decision in ('认定工伤', '视同工伤') and harm_type = '事故伤害' and employer_in_snapshot
        as counts_for_injury_rate,
    decision in ('认定工伤', '视同工伤') and is_fatal and employer_in_snapshot as counts_as_fatality
from attributed
inner join inputs on inputs.province = attributed.province_code
