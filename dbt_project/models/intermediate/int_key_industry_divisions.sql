-- Key-industry divisions of every province: the national list plus the province's own
-- additions (configuration in seeds, never code). A national division keeps its national code.
with provinces as (
    select province_code from {{ ref('provinces') }}
),

national as (
    select
        provinces.province_code,
        key_industries.division,
        key_industries.key_industry_code,
        key_industries.key_industry_name,
        key_industries.segment_name,
        'national' as scope
    from provinces
    cross join {{ ref('key_industries') }} as key_industries
),

provincial as (
    select
        additions.province_code,
        additions.division,
        additions.key_industry_code,
        additions.key_industry_name,
        additions.segment_name,
        'provincial' as scope
    from {{ ref('province_key_industry_additions') }} as additions
    anti join national
        on national.province_code = additions.province_code and national.division = additions.division
)

select * from national
union all
select * from provincial
