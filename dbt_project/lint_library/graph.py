"""dbt's ``graph`` for sqlfluff: no nodes, so loops over sources render nothing."""

sources: dict = {}
