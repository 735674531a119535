-- Production-safety accidents with their key industry (from the accident's own industry code).
select
    accidents.province_code, accidents.accident_no, accidents.uscc, accidents.employer_name,
    accidents.area_code, accidents.industry_code, accidents.industry_division, key_divisions.key_industry_code,
    accidents.occurred_at, accidents.occurred_date, year(accidents.occurred_date) as occurred_year,
    accidents.accident_category, accidents.deaths, accidents.serious_injuries,
    accidents.direct_loss_10k_yuan, accidents.severity,
    accidents.period, accidents.seq, accidents.source_file, accidents.source_record_no
from {{ ref('stg_em_accidents') }} as accidents
left join {{ ref('int_key_industry_divisions') }} as key_divisions
    on key_divisions.province_code = accidents.province_code
    and key_divisions.division = accidents.industry_division
