-- Provincial plan filings and yearly reports, current version of each annual slice.
with current_records as (
    {{ current_version('province_reports') }}
)

select
    report_type,
    report_year,
    submitted_date,
    {{ lineage_columns() }}
from current_records
