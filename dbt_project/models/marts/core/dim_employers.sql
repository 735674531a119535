-- Insured employers per province as in their latest snapshot, with first and last quarter seen.
select
    province_code,
    uscc,
    employer_name,
    area_code,
    industry_code,
    industry_division,
    key_industry_code,
    key_industry_name,
    risk_class,
    insured_workers as latest_insured_workers,
    period as latest_snapshot,
    min(period) over (partition by province_code, uscc) as first_snapshot
from {{ ref('int_employer_snapshots') }}
qualify row_number() over (partition by province_code, uscc order by quarter_index desc) = 1
