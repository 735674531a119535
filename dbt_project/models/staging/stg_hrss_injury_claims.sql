-- Work-injury recognitions, current version of each monthly slice; a decision number sent
-- again in a later month keeps only its latest record.
with current_records as (
    {{ current_version('hrss_injury_claims') }}
),

latest as (
    {{ latest_period_per_key('current_records', ['decision_no']) }}
)

select
    decision_no,
    uscc,
    person_pseudonym,
    sex,
    incident_date,
    decision_date,
    decision,
    harm_type,
    accident_category,
    disease_name,
    disability_grade,
    fatal = '是' as is_fatal,
    fund_paid_yuan,
    accident_no,
    {{ lineage_columns() }}
from latest
