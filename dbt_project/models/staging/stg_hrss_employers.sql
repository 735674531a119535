-- Insured employers, current version of each quarterly snapshot (a whole snapshot per slice).
with current_records as (
    {{ current_version('hrss_employers') }}
)

select
    uscc,
    employer_name,
    area_code,
    industry_code,
    substr(regexp_extract(industry_code, '[0-9]+', 0), 1, 2) as industry_division,
    {{ unflagged('risk_class') }} as risk_class,
    insured_workers,
    payroll_yuan,
    {{ unflagged('premium_rate_pct') }} as premium_rate_pct,
    cast(substr(_period, 1, 4) as integer) as snapshot_year,
    cast(substr(_period, 6, 1) as integer) as snapshot_quarter,
    {{ lineage_columns() }}
from current_records
