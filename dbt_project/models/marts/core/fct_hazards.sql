-- Hidden hazards in their current state.
select
    province_code, hazard_no, uscc, found_date, level, is_major, deadline, rectified_date,
    employer_in_snapshot, employer_key_industry_code, period, seq, source_file, source_record_no
from {{ ref('int_hazards_current') }}
