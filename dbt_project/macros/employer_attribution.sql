{#-
  Attach to each event the employer's snapshot that spec section 5 prescribes: the employer's
  latest hrss_employers snapshot (same province, same USCC) at or before the quarter of the
  event's date, else its earliest one. Events of employers in no snapshot get nulls
  (`employer_in_snapshot` false): orphans.

  Most events fall in a quarter that has a snapshot of their employer, found by an equality
  join; only the rest go through the (costlier) as-of join, against the snapshots of just
  their employers.

  The snapshots are read where they are joined, not through a shared CTE: DuckDB materialises a
  CTE used twice, which at national volume is all 24 M snapshots in memory (4 s of every build
  of the four models that attribute, however few their events).
-#}
{% macro attribute_to_employer(events, date_column) -%}
with events_indexed as (
    select *, {{ quarter_index(date_column) }} as event_quarter_index
    from {{ events }}
),

exact as (
    select
        e.*,
        s.quarter_index as employer_snapshot_quarter_index,
        s.industry_division as employer_industry_division,
        s.key_industry_code as employer_key_industry_code,
        s.employer_name as employer_name_in_snapshot
    from events_indexed as e
    left join {{ ref('int_employer_snapshots') }} as s
        on s.province_code = e.province_code
        and s.uscc = e.uscc
        and s.quarter_index = e.event_quarter_index
),

unmatched as (
    select {{ star_except(['employer_snapshot_quarter_index', 'employer_industry_division',
                           'employer_key_industry_code', 'employer_name_in_snapshot']) }}
    from exact
    where employer_snapshot_quarter_index is null
),

their_snapshots as (
    select s.province_code, s.uscc, s.quarter_index, s.industry_division, s.key_industry_code,
           s.employer_name, s.is_first_snapshot
    from {{ ref('int_employer_snapshots') }} as s
    semi join unmatched as u on u.province_code = s.province_code and u.uscc = s.uscc
),

fallback as (
    select
        u.*,
        coalesce(b.quarter_index, f.quarter_index) as employer_snapshot_quarter_index,
        case when b.quarter_index is not null then b.industry_division else f.industry_division end
            as employer_industry_division,
        case when b.quarter_index is not null then b.key_industry_code else f.key_industry_code end
            as employer_key_industry_code,
        case when b.quarter_index is not null then b.employer_name else f.employer_name end
            as employer_name_in_snapshot
    from unmatched as u
    {{ asof_left_join('u', 'unmatched', 'their_snapshots', 'b', ['province_code', 'uscc'],
                      'event_quarter_index', 'quarter_index') }}
    left join their_snapshots as f
        on f.province_code = u.province_code and f.uscc = u.uscc and f.is_first_snapshot
)

select *, employer_snapshot_quarter_index is not null as employer_in_snapshot
from exact
where employer_snapshot_quarter_index is not null
{{ union_all_by_name() }}
select *, employer_snapshot_quarter_index is not null as employer_in_snapshot
from fallback
{%- endmacro %}
