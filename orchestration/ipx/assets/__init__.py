"""Dagster assets of ipx, one module per stage."""
