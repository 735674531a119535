"""The same `small` landing folder built on both engines gives the same published tables and the
same assessment export (issue 12): `ipx run --engine spark` (dbt-spark in local mode, published
tables copied back into DuckDB) against the session's DuckDB build."""

from __future__ import annotations

import zipfile
from pathlib import Path

import duckdb
import pytest

from ipx.cli import main
from ipx.engine import JAVA_MISSING, java_available
from ipx.serving import current_serving_file
from ipx.storage import WarehouseLayout

pytestmark = pytest.mark.spark

# (table, column) whose value is the time of ingestion, not derived from the deliveries
INGESTION_TIMES = {("marts.mart_data_as_of", "last_taken_at")}


@pytest.fixture(scope="module")
def spark_build(small_build, tmp_path_factory) -> Path:
    """The warehouse of `ipx run --engine spark` on the session's `small` landing folder."""
    if not java_available():
        pytest.fail(JAVA_MISSING)  # `make test` installs it (make java): never skipped
    warehouse = tmp_path_factory.mktemp("spark") / "wh" / "ipx.duckdb"
    code = main(["run", "--engine", "spark", "--landing", str(small_build.landing), "--warehouse", str(warehouse)])
    assert code == 0, f"ipx run --engine spark exited {code}; run log under {warehouse}.logs"
    return warehouse


def _published(serving: Path) -> dict[str, list[tuple[str, str]]]:
    """schema.table -> [(column, type)] of every table of the published schemas."""
    con = duckdb.connect(str(serving), read_only=True)
    try:
        rows = con.execute(
            "SELECT schema_name, table_name, column_name, data_type FROM duckdb_columns() "
            "WHERE schema_name IN ('marts', 'reference') AND database_name = current_database() "
            "ORDER BY schema_name, table_name, column_index").fetchall()
    finally:
        con.close()
    tables: dict[str, list[tuple[str, str]]] = {}
    for schema, table, column, data_type in rows:
        tables.setdefault(f"{schema}.{table}", []).append((column, data_type))
    return tables


def test_the_spark_run_publishes_and_leaves_no_spark_dirs_behind(spark_build):
    layout = WarehouseLayout.at(spark_build)
    assert current_serving_file(layout) is not None
    assert not layout.spark_dir.exists()  # local mode: fresh dirs per run, removed after success
    con = duckdb.connect(str(spark_build), read_only=True)
    try:
        fingerprint = con.execute("SELECT fingerprint FROM meta.model_build ORDER BY built_at DESC").fetchone()[0]
    finally:
        con.close()
    assert fingerprint.startswith("spark:")


def test_every_published_table_is_equal_row_for_row_on_both_engines(small_build, spark_build):
    duck = current_serving_file(WarehouseLayout.at(small_build.warehouse))
    spark = current_serving_file(WarehouseLayout.at(spark_build))
    duck_tables, spark_tables = _published(duck), _published(spark)
    assert sorted(spark_tables) == sorted(duck_tables)
    assert any(t.startswith("marts.mart_") for t in duck_tables) and any(t.startswith("reference.") for t in duck_tables)
    differences = {t: (duck_tables[t], spark_tables[t]) for t in duck_tables if duck_tables[t] != spark_tables[t]}
    assert differences == {}, "column names or types differ"
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{duck}' AS d (READ_ONLY)")
        con.execute(f"ATTACH '{spark}' AS s (READ_ONLY)")
        unequal, total = {}, 0
        for table, columns in sorted(duck_tables.items()):
            # the one published value that is not the data's: when this warehouse's ingestion took
            # its last file (each build ingested the folder itself); checked against its own ledger
            kept = [c for c, _ in columns if (table, c) not in INGESTION_TIMES]
            select = ", ".join(f'"{c}"' for c in kept)
            rows = con.execute(f"SELECT count(*) FROM d.{table}").fetchone()[0]
            only_duck = con.execute(f"SELECT count(*) FROM (SELECT {select} FROM d.{table} EXCEPT ALL "
                                    f"SELECT {select} FROM s.{table})").fetchone()[0]
            only_spark = con.execute(f"SELECT count(*) FROM (SELECT {select} FROM s.{table} EXCEPT ALL "
                                     f"SELECT {select} FROM d.{table})").fetchone()[0]
            if only_duck or only_spark:
                unequal[table] = {"rows": rows, "only_duckdb": only_duck, "only_spark": only_spark}
            total += rows
        for db in ("d", "s"):
            assert con.execute(f"SELECT (SELECT last_taken_at FROM {db}.marts.mart_data_as_of) = "
                               f"(SELECT max(taken_at) FROM {db}.ingest.files)").fetchone()[0]
    finally:
        con.close()
    assert unequal == {}
    assert total > 10_000  # the marts of `small` are not empty


def test_the_assessment_export_is_byte_identical(small_build, spark_build, tmp_path):
    files = {}
    for engine, warehouse in (("duckdb", small_build.warehouse), ("spark", spark_build)):
        for suffix in (".csv", ".xlsx"):
            out = tmp_path / f"assessment-{engine}{suffix}"
            assert main(["export", "assessment", "--warehouse", str(warehouse), "--out", str(out)]) == 0
            files[engine, suffix] = out
    assert files["duckdb", ".csv"].read_bytes() == files["spark", ".csv"].read_bytes()
    assert files["duckdb", ".csv"].stat().st_size > 0
    # the workbook is dated with the data's as-of time (not the time of writing): the same bytes
    assert files["duckdb", ".xlsx"].read_bytes() == files["spark", ".xlsx"].read_bytes()
    with zipfile.ZipFile(files["spark", ".xlsx"]) as book:
        assert "xl/worksheets/sheet4.xml" in book.namelist()  # all four sheets


def _builds(warehouse: Path) -> list[str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return [r[0] for r in con.execute("SELECT fingerprint FROM meta.model_build ORDER BY built_at").fetchall()]
    finally:
        con.close()


def test_a_second_spark_run_with_nothing_new_builds_nothing(small_build, spark_build, capsys):
    """(Runs last: it reruns on the Spark warehouse.) Nothing new since the last Spark build: dbt
    is not run (Spark is not even started) and the published copy stands."""
    builds = _builds(spark_build)
    published = current_serving_file(WarehouseLayout.at(spark_build))
    assert main(["run", "--engine", "spark", "--landing", str(small_build.landing),
                 "--warehouse", str(spark_build)]) == 0
    out = capsys.readouterr().out
    assert "unchanged: nothing new since the last build" in out and "engine              spark" in out
    assert _builds(spark_build) == builds
    assert current_serving_file(WarehouseLayout.at(spark_build)) == published
