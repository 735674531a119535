-- The data's as-of time: the latest delivery time (exported_at, Beijing time) of any loaded
-- slice. Windows such as "the last 12 months" and "overdue" are judged at this date, so the
-- published figures depend only on the data, not on when the build ran.
select
    max(exported_at) as as_of_at,
    cast(max(exported_at) as date) as as_of_date,
    max(taken_at) as last_taken_at,
    count(*) as loaded_files
from {{ source('ingest', 'files') }}
where status = 'loaded'
