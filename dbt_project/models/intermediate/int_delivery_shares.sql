-- On-time-and-clean share of each province and year: counting slices / expected slices.
select
    province_code,
    year,
    count(*) as slices_expected,
    count(*) filter (where counts_on_time_and_clean) as slices_on_time_and_clean,
    count(*) filter (where counts_on_time_and_clean) / count(*) as on_time_clean_share
from {{ ref('int_expected_slices') }}
where expected_in_delivery_share
group by all
