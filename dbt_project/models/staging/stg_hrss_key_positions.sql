-- Key-position roster, current version of each province's annual roster (a whole snapshot).
with current_records as (
    {{ current_version('hrss_key_positions') }}
)

select
    uscc,
    person_pseudonym,
    role,
    cast(_period as integer) as roster_year,
    {{ lineage_columns() }}
from current_records
