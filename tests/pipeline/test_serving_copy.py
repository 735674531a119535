"""The serving copy holds what the dashboard and the exports read, and nothing record-level; it is
a copy of the published file dbt builds (ipx.published_db), which the warehouse reads through views."""

import duckdb

from ipx import published_db
from ipx.storage import WarehouseLayout


def _relations(path, schema, kinds=("BASE TABLE", "VIEW")):
    """{name: rows} of the tables (and views) of ``schema`` in the file's own catalog."""
    con = published_db.connect(path)
    try:
        names = [name for (name,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database() "
            "AND table_schema = ? AND table_type IN ?", [schema, list(kinds)]).fetchall()]
        return {name: con.execute(f'SELECT count(*) FROM {schema}."{name}"').fetchone()[0] for name in names}
    finally:
        con.close()


def test_serving_copy_has_every_published_mart_and_dimension_but_no_fact(small_build):
    serving = small_build.summary.published
    warehouse_marts = _relations(small_build.warehouse, "marts")
    served = _relations(serving, "marts", kinds=("BASE TABLE",))
    assert any(t.startswith("fct_") for t in warehouse_marts)  # the facts exist in the warehouse
    expected = {t: n for t, n in warehouse_marts.items() if t.startswith(published_db.MART_PREFIXES)}
    assert len(expected) >= 20 and "dim_provinces" in expected and "mart_hotspots" in expected
    assert served == expected  # every published table, with all its rows
    assert _relations(serving, "reference", kinds=("BASE TABLE",)) == _relations(small_build.warehouse, "reference")
    assert len(_relations(serving, "reference")) >= 10


def test_published_tables_live_in_their_own_file_and_the_warehouse_reads_them_through_views(small_build):
    layout = WarehouseLayout.at(small_build.warehouse)
    built = _relations(layout.published_db, "marts", kinds=("BASE TABLE",))
    assert "mart_employer_events" in built and "dim_employers" in built
    assert not any(t.startswith("fct_") for t in built)  # the facts stay in the warehouse
    views = _relations(small_build.warehouse, "marts", kinds=("VIEW",))
    assert {t: n for t, n in views.items() if t.startswith(published_db.MART_PREFIXES)} == built  # one view over each
    assert set(_relations(small_build.warehouse, "reference", kinds=("VIEW",))) == set(
        _relations(layout.published_db, "reference", kinds=("BASE TABLE",)))
    # the warehouse itself holds none of them as a table any more
    assert not set(_relations(small_build.warehouse, "marts", kinds=("BASE TABLE",))) & set(built)


def test_serving_copy_leaves_out_the_incremental_bookkeeping(small_build):
    layout = WarehouseLayout.at(small_build.warehouse)
    assert "incremental_watermarks" in _relations(layout.published_db, "meta", kinds=("BASE TABLE",))
    assert set(_relations(small_build.summary.published, "meta")) == {"publication"}
    assert set(_relations(small_build.summary.published, "ingest")) == {
        "files", "rejected_records", "pending_files", "feed_catalogue"}


def test_no_pseudonym_column_reaches_the_serving_copy(small_build):
    con = duckdb.connect(str(small_build.summary.published), read_only=True)
    try:
        columns = con.execute("SELECT table_schema, table_name, column_name FROM information_schema.columns "
                              "WHERE column_name ILIKE '%pseudonym%'").fetchall()
    finally:
        con.close()
    assert columns == []

