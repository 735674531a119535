"""dbt's `target` as sqlfluff sees it: the default target, DuckDB (profiles.yml output `main`)."""

type = "duckdb"
name = "main"
