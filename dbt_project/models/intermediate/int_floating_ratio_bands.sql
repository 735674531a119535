-- Premium-rate floating (spec 6, step 2): per province, the bands of the ratio R = B / P
-- (支缴率), in order: an employer with claims and P > 0 takes the grade of the first band with
-- R ≤ ratio_upper; the last band (ratio_upper blank) is open. Seed floating_ratio_bands:
-- '000000' rows are the defaults (≤ 0.5 → −1, ≤ 1.0 → 0, ≤ 1.5 → +1, else +2). A province
-- that has band rows of its own replaces the whole set (bands do not mix row by row).
-- ratio_lower is the previous band's upper bound (null for the first), for the reasons text;
-- the open band must be the last (tested), so every ratio finds a band.
with config as (
    select * from {{ ref('floating_ratio_bands') }}
),

provinces as (
    select province_code from {{ ref('provinces') }}
),

own_sets as (
    select distinct province_code from config where province_code <> '000000'
),

chosen as (
    select provinces.province_code, config.band_no, config.ratio_upper, config.grade,
           own_sets.province_code is not null as is_provincial
    from provinces
    left join own_sets on own_sets.province_code = provinces.province_code
    inner join config
        on config.province_code = case when own_sets.province_code is not null
                                       then provinces.province_code else '000000' end
)

select
    province_code,
    cast(band_no as integer) as band_no,
    cast(lag(ratio_upper) over (partition by province_code order by band_no) as decimal(18, 4)) as ratio_lower,
    cast(ratio_upper as decimal(18, 4)) as ratio_upper,
    cast(grade as integer) as grade,
    band_no = max(band_no) over (partition by province_code) as is_last_band,
    is_provincial
from chosen
