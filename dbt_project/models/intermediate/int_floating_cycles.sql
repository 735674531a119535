-- Premium-rate floating (spec 6), the cycles: the cycle ending Y covers the 12 quarters Q1 of
-- Y−2 .. Q4 of Y (cycle_years, default 3) and is computed for a province and Y when the
-- province has a snapshot in some quarter of Y and in some quarter of Y−2. Snapshots are the
-- accepted hrss_employers slices of the ledger (an accepted but empty slice is a snapshot).
-- The last snapshot is the latest such quarter within the window: its employers are floated.
-- The premium effect is measured over the window's last effect_quarters (default 4) quarters.
-- Quarter index = year * 4 + quarter − 1, as in int_employer_snapshots.
with snapshot_quarters as (
    select distinct
        province as province_code,
        cast(substr(period, 1, 4) as integer) as snapshot_year,
        cast(substr(period, 1, 4) as integer) * 4 + cast(substr(period, 6, 1) as integer) - 1 as quarter_index
    from {{ source('ingest', 'files') }}
    where feed = 'hrss_employers' and status = 'loaded'
      and {{ regex_full_match('period', '[0-9]{4}Q[1-4]') }}
),

parameters as (
    select province_code, cycle_years, effect_quarters from {{ ref('int_floating_parameters') }}
),

candidates as (
    select distinct
        snapshot_quarters.province_code,
        snapshot_quarters.snapshot_year as cycle_end_year,
        (snapshot_quarters.snapshot_year - parameters.cycle_years + 1) * 4 as window_start_quarter_index,
        snapshot_quarters.snapshot_year * 4 + 3 as window_end_quarter_index,
        parameters.effect_quarters
    from snapshot_quarters
    inner join parameters on parameters.province_code = snapshot_quarters.province_code
),

cycles as (
    select
        candidates.*,
        max(snapshot_quarters.quarter_index) as last_snapshot_quarter_index,
        count(*) as snapshot_quarters_in_window
    from candidates
    inner join snapshot_quarters
        on snapshot_quarters.province_code = candidates.province_code
        and snapshot_quarters.quarter_index between candidates.window_start_quarter_index
                                                and candidates.window_end_quarter_index
    group by all
    -- a snapshot in the window's first year (Y−2) as well as in Y
    having count(*) filter (where snapshot_quarters.quarter_index < candidates.window_start_quarter_index + 4) > 0
),

provinces as (
    select province_code, province_name from {{ ref('provinces') }}
)

select
    cycles.province_code,
    provinces.province_name,
    cycles.cycle_end_year,
    cycles.window_start_quarter_index,
    cycles.window_end_quarter_index,
    greatest(cycles.window_start_quarter_index,
             cycles.window_end_quarter_index - cycles.effect_quarters + 1) as effect_start_quarter_index,
    make_date({{ integer_divide('cycles.window_start_quarter_index', 4) }}, 1, 1) as window_start_date,
    make_date(cycles.cycle_end_year, 12, 31) as window_end_date,
    ({{ integer_divide('cycles.window_start_quarter_index', 4) }}) || 'Q' || (cycles.window_start_quarter_index % 4 + 1)
        as window_start_quarter,
    cycles.cycle_end_year || 'Q4' as window_end_quarter,
    cycles.last_snapshot_quarter_index,
    ({{ integer_divide('cycles.last_snapshot_quarter_index', 4) }}) || 'Q' || (cycles.last_snapshot_quarter_index % 4 + 1)
        as last_snapshot_period,
    cast(cycles.snapshot_quarters_in_window as integer) as snapshot_quarters_in_window
from cycles
inner join provinces on provinces.province_code = cycles.province_code
