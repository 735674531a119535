-- On-time-and-clean share of each province and year (spec 5): counting slices / expected slices.
-- Expected slices are those of the feeds that count for data sharing, inside each feed's life
-- span (int_expected_slices), so a feed added later changes no earlier year's share.
select
    province_code,
    year,
    count(*) as slices_expected,
    count(*) filter (where counts_on_time_and_clean) as slices_on_time_and_clean,
    count(*) filter (where counts_on_time_and_clean) / count(*) as on_time_clean_share
from {{ ref('int_expected_slices') }}
where expected_in_delivery_share
group by all
