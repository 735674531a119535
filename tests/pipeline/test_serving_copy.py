"""The serving copy holds what the dashboard and the exports read, and nothing record-level."""

import duckdb

from ipx.serving import PUBLISHED_MART_PREFIXES


def _tables(path, schema):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {name: con.execute(f'SELECT count(*) FROM {schema}."{name}"').fetchone()[0]
                for (name,) in con.execute(
                    "SELECT table_name FROM duckdb_tables() WHERE schema_name = ?", [schema]).fetchall()}
    finally:
        con.close()


def test_serving_copy_has_every_published_mart_and_dimension_but_no_fact(small_build):
    serving = small_build.summary.published
    warehouse_marts = _tables(small_build.warehouse, "marts")
    served = _tables(serving, "marts")
    assert any(t.startswith("fct_") for t in warehouse_marts)  # the facts exist in the warehouse
    expected = {t: n for t, n in warehouse_marts.items() if t.startswith(PUBLISHED_MART_PREFIXES)}
    assert len(expected) >= 20 and "dim_provinces" in expected and "mart_hotspots" in expected
    assert served == expected  # every published table, with all its rows
    assert _tables(serving, "reference") == _tables(small_build.warehouse, "reference")


def test_no_pseudonym_column_reaches_the_serving_copy(small_build):
    con = duckdb.connect(str(small_build.summary.published), read_only=True)
    try:
        columns = con.execute("SELECT table_schema, table_name, column_name FROM information_schema.columns "
                              "WHERE column_name ILIKE '%pseudonym%'").fetchall()
    finally:
        con.close()
    assert columns == []
