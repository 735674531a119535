-- One row: the data's as-of time and what the published figures were computed from.
select
    as_of.as_of_at,
    as_of.as_of_date,
    as_of.last_taken_at,
    cast(as_of.loaded_files as bigint) as loaded_files,
    (select cast(count(*) as bigint) from {{ ref('int_delivery_slices') }} where accepted) as current_slices
from {{ ref('int_as_of') }} as as_of
