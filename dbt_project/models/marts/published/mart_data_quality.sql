-- Data quality per feed x province x year for engineers: rejected records by rule, W flags by
-- rule in the current versions, records left out as older duplicates of a later slice, and
-- injury claims of employers in no snapshot (orphans).
with rejected as (
    select feed, province as province_code, cast(substr(period, 1, 4) as integer) as year,
           'R' as severity, rule, count(*) as records
    from {{ source('ingest', 'rejected_records') }}
    group by all
),

{#- every feed's raw table, as declared beside its staging model -#}
{% set flagged_feeds = [] %}
{% for node in graph.sources.values() | sort(attribute='name') if node.source_name == 'raw' %}
    {% do flagged_feeds.append(node.name) %}
{% endfor %}
flagged as (
    {% for feed in flagged_feeds %}
    select '{{ feed }}' as feed, _province as province_code, cast(substr(_period, 1, 4) as integer) as year,
           'W' as severity, {{ explode_array('_flag_rules') }} as rule
    from ({{ current_version(feed) }})
    where {{ array_length('_flag_rules') }} > 0
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

flag_counts as (
    select feed, province_code, year, severity, rule, count(*) as records from flagged group by all
),

duplicates as (
    select feed, province_code, cast(substr(period, 1, 4) as integer) as year, 'W' as severity,
           'cross_slice_duplicate' as rule, count(*) as records
    from {{ ref('int_cross_slice_duplicates') }}
    where is_flagged
    group by all
),

orphans as (
    select 'hrss_injury_claims' as feed, province_code, year(incident_date) as year, 'info' as severity,
           'orphan_employer' as rule, count(*) as records
    from {{ ref('int_claims_attributed') }}
    where not employer_in_snapshot
    group by all
)

select feed, province_code, cast(year as integer) as year, severity, rule, cast(records as bigint) as records
from (
    select * from rejected
    union all select * from flag_counts
    union all select * from duplicates
    union all select * from orphans
)
