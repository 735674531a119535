-- Cross-agency reconciliation: the under-reporting signals the plan asks agencies to share.
--   fatal_claim_without_accident: a recognised fatal work-injury claim with no emergency-
--     management accident of the same employer (province, USCC) in the month of the incident,
--     nor one named by its 事故编号;
--   fatal_accident_without_claim: an accident with deaths and no work-injury claim of the same
--     employer in the month it occurred, nor one naming it.
with claims as (
    select * from {{ ref('int_claims_attributed') }}
),

accidents as (
    select * from {{ ref('stg_em_accidents') }}
),

fatal_claims as (
    select * from claims where is_fatal and is_recognised
),

accident_months as (
    select distinct province_code, uscc, date_trunc('month', occurred_date) as month
    from accidents where uscc is not null
),

claim_months as (
    select distinct province_code, uscc, date_trunc('month', incident_date) as month
    from claims
),

claims_without_accident as (
    select
        'fatal_claim_without_accident' as signal,
        '工伤死亡未见生产安全事故报告' as signal_zh,
        c.province_code, c.uscc, c.employer_name_in_snapshot as employer_name,
        {{ year_month_label('c.incident_date') }} as month, year(c.incident_date) as year,
        c.decision_no, c.accident_no as claim_accident_no, cast(null as string) as accident_no,
        c.incident_date as event_date, 1 as deaths
    from fatal_claims as c
    anti join accident_months as m
        on m.province_code = c.province_code and m.uscc = c.uscc
        and m.month = date_trunc('month', c.incident_date)
    anti join accidents as named
        on named.province_code = c.province_code and named.accident_no = c.accident_no
),

accidents_without_claim as (
    select
        'fatal_accident_without_claim' as signal,
        '生产安全事故有死亡但无工伤认定' as signal_zh,
        a.province_code, a.uscc, a.employer_name,
        {{ year_month_label('a.occurred_date') }} as month, year(a.occurred_date) as year,
        cast(null as string) as decision_no, cast(null as string) as claim_accident_no, a.accident_no,
        a.occurred_date as event_date, a.deaths
    from accidents as a
    anti join claim_months as m
        on m.province_code = a.province_code and m.uscc = a.uscc
        and m.month = date_trunc('month', a.occurred_date)
    anti join claims as naming
        on naming.province_code = a.province_code and naming.accident_no = a.accident_no
    where a.deaths > 0
),

signals as (
    select * from claims_without_accident
    union all
    select * from accidents_without_claim
)

select
    signal, signal_zh, r.province_code, provinces.province_name, r.uscc, r.employer_name, r.month,
    cast(r.year as integer) as year, r.decision_no, r.claim_accident_no, r.accident_no, r.event_date,
    cast(r.deaths as integer) as deaths
from signals as r
inner join {{ ref('dim_provinces') }} as provinces on provinces.province_code = r.province_code
