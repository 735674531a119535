-- Prevention training records.
select
    province_code, record_no, uscc, person_pseudonym, role, training_date, year(training_date) as training_year,
    mode, hours, result, period, seq, source_file, source_record_no
from {{ ref('stg_hrss_training') }}
