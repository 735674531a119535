-- Production-safety accidents, current version of each monthly slice. Severity is null where
-- it disagrees with the counts (W).
with current_records as (
    {{ current_version('em_accidents') }}
),

latest as (
    {{ latest_period_per_key('current_records', ['accident_no']) }}
)

select
    accident_no,
    uscc,
    employer_name,
    area_code,
    industry_code,
    substr(regexp_extract(industry_code, '[0-9]+', 0), 1, 2) as industry_division,
    occurred_at,
    cast(occurred_at as date) as occurred_date,
    accident_category,
    coalesce(deaths, 0) as deaths,
    coalesce(serious_injuries, 0) as serious_injuries,
    direct_loss_10k_yuan,
    {{ unflagged('severity') }} as severity,
    {{ lineage_columns() }}
from latest
