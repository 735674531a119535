"""dbt's cross-database macros as sqlfluff sees them (sqlfluff's jinja templater has no dbt context)."""


def datediff(first, second, datepart):
    return f"date_diff('{datepart}', {first}, {second})"
