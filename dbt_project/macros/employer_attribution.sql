{#-
  Attach to each event the employer's snapshot that spec section 5 prescribes: the employer's
  latest hrss_employers snapshot (same province, same USCC) at or before the quarter of the
  event's date, else its earliest one. Events of employers in no snapshot get nulls
  (`employer_in_snapshot` false): orphans.
-#}
{% macro attribute_to_employer(events, date_column) -%}
with events_indexed as (
    select *, {{ quarter_index(date_column) }} as event_quarter_index
    from {{ events }}
),

snapshots as (
    select * from {{ ref('int_employer_snapshots') }}
),

earliest as (
    select * from snapshots
    qualify row_number() over (partition by province_code, uscc order by quarter_index) = 1
),

at_or_before as (
    select
        e.*,
        s.quarter_index as matched_quarter_index
    from events_indexed as e
    asof left join snapshots as s
        on e.province_code = s.province_code
        and e.uscc = s.uscc
        and e.event_quarter_index >= s.quarter_index
)

select
    a.* exclude (matched_quarter_index),
    coalesce(a.matched_quarter_index, f.quarter_index) as employer_snapshot_quarter_index,
    coalesce(a.matched_quarter_index, f.quarter_index) is not null as employer_in_snapshot,
    coalesce(m.industry_division, f.industry_division) as employer_industry_division,
    coalesce(m.key_industry_code, f.key_industry_code) as employer_key_industry_code,
    coalesce(m.employer_name, f.employer_name) as employer_name_in_snapshot
from at_or_before as a
left join snapshots as m
    on a.province_code = m.province_code and a.uscc = m.uscc and a.matched_quarter_index = m.quarter_index
left join earliest as f
    on a.province_code = f.province_code and a.uscc = f.uscc and a.matched_quarter_index is null
{%- endmacro %}
