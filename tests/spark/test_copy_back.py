"""The copy-back of Spark's published tables into DuckDB, on Parquet files laid out as Spark
writes them (no Spark needed): declared types win, partition columns go back in place, a failure
leaves the warehouse as it was."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from ipx.spark_marts import CopyBackError, copy_back, published_tables


def _manifest(path: Path, nodes: list[dict]) -> Path:
    path.write_text(json.dumps({"nodes": {f"{n['resource_type']}.ipx.{n['name']}": n for n in nodes}}),
                    encoding="utf-8")
    return path


def _node(name, schema, kind="model", columns=(), column_types=None, materialized="table"):
    return {"resource_type": kind, "name": name, "alias": name, "schema": schema,
            "config": {"materialized": materialized, "column_types": column_types or {},
                       "contract": {"enforced": bool(columns)}},
            "columns": {c: {"name": c, "data_type": t} for c, t in columns}}


@pytest.fixture
def spark_warehouse(tmp_path) -> Path:
    """Parquet as Spark leaves it: a contracted mart, a dimension partitioned by province (the
    partition column last, in folder names), a seed, and a fact that is not published."""
    root = tmp_path / "spark-warehouse"
    con = duckdb.connect()
    try:
        (root / "marts.db" / "mart_scores").mkdir(parents=True)
        con.execute(f"""COPY (SELECT * FROM (VALUES ('110000', 2023, 81.5::DOUBLE, 12::BIGINT),
                                                   ('120000', 2023, 90.25::DOUBLE, 3::BIGINT))
                              AS t(province_code, year, total, n))
                        TO '{root}/marts.db/mart_scores/part-00000-x.snappy.parquet' (FORMAT parquet)""")
        (root / "marts.db" / "dim_employers").mkdir(parents=True)
        con.execute(f"""COPY (SELECT * FROM (VALUES ('e1', 'A', TIMESTAMPTZ '2024-01-02 03:04:05+00', '110000'),
                                                   ('e2', 'B', NULL, '120000'))
                              AS t(employer_id, name, first_seen_at, province_code))
                        TO '{root}/marts.db/dim_employers' (FORMAT parquet, PARTITION_BY (province_code))""")
        (root / "reference.db" / "provinces").mkdir(parents=True)
        con.execute(f"""COPY (SELECT * FROM (VALUES ('110000', 'Beijing'), ('120000', 'Tianjin')) AS t(code, name))
                        TO '{root}/reference.db/provinces/part-00000.parquet' (FORMAT parquet)""")
        (root / "marts.db" / "fct_events").mkdir(parents=True)
    finally:
        con.close()
    (root / "marts.db" / "mart_scores" / "_SUCCESS").write_text("")
    return root


@pytest.fixture
def manifest(tmp_path) -> Path:
    return _manifest(tmp_path / "manifest.json", [
        _node("mart_scores", "marts", columns=[("province_code", "varchar"), ("year", "integer"),
                                               ("total", "decimal(9,2)"), ("n", "bigint")]),
        _node("dim_employers", "marts", materialized="incremental"),
        _node("fct_events", "marts"),
        _node("provinces", "reference", kind="seed", column_types={"code": "varchar", "name": "varchar"}),
        _node("stg_x", "staging", materialized="view"),
    ])


def _columns(con, table):
    schema, name = table.split(".")
    return con.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = ? "
                       "AND table_name = ? ORDER BY column_index", [schema, name]).fetchall()


def test_only_published_tables_are_chosen(manifest):
    assert [f"{t.schema}.{t.name}" for t in published_tables(manifest)] == [
        "marts.dim_employers", "marts.mart_scores", "reference.provinces"]


def test_published_tables_come_back_with_the_duckdb_types_and_order(spark_warehouse, manifest, tmp_path):
    warehouse = tmp_path / "ipx.duckdb"
    con = duckdb.connect(str(warehouse))
    try:
        # a DuckDB build before: dim_employers with the province first, and a stale view of a mart
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE TABLE marts.dim_employers (province_code VARCHAR, employer_id VARCHAR, name VARCHAR, "
                    "first_seen_at TIMESTAMP)")
        con.execute("CREATE VIEW marts.mart_scores AS SELECT 1 AS stale")
        report = copy_back(con, spark_warehouse, manifest)
        assert report.tables == {"marts.dim_employers": 2, "marts.mart_scores": 2, "reference.provinces": 2}
        assert _columns(con, "marts.mart_scores") == [
            ("province_code", "VARCHAR"), ("year", "INTEGER"), ("total", "DECIMAL(9,2)"), ("n", "BIGINT")]
        assert _columns(con, "marts.dim_employers") == [
            ("province_code", "VARCHAR"), ("employer_id", "VARCHAR"), ("name", "VARCHAR"), ("first_seen_at", "TIMESTAMP")]
        assert con.execute("SELECT province_code, employer_id, first_seen_at::VARCHAR FROM marts.dim_employers "
                           "ORDER BY 1").fetchall() == [("110000", "e1", "2024-01-02 03:04:05"), ("120000", "e2", None)]
        assert con.execute("SELECT sum(total)::VARCHAR FROM marts.mart_scores").fetchone()[0] == "171.75"
        assert _columns(con, "reference.provinces") == [("code", "VARCHAR"), ("name", "VARCHAR")]
    finally:
        con.close()


def test_a_missing_spark_table_changes_nothing(spark_warehouse, manifest, tmp_path):
    import shutil

    shutil.rmtree(spark_warehouse / "reference.db")
    con = duckdb.connect(str(tmp_path / "ipx.duckdb"))
    try:
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE TABLE marts.mart_scores AS SELECT 'before' AS province_code")
        with pytest.raises(CopyBackError, match="reference.provinces"):
            copy_back(con, spark_warehouse, manifest)
        assert con.execute("SELECT * FROM marts.mart_scores").fetchall() == [("before",)]
    finally:
        con.close()


def test_a_column_outside_the_contract_is_refused(spark_warehouse, manifest, tmp_path):
    con = duckdb.connect()
    con.execute(f"""COPY (SELECT '110000' AS province_code, 2023 AS year, 1.0 AS total, 1 AS n, 1 AS surprise)
                    TO '{spark_warehouse}/marts.db/mart_scores/part-00000-x.snappy.parquet' (FORMAT parquet)""")
    con.close()
    con = duckdb.connect(str(tmp_path / "ipx.duckdb"))
    try:
        with pytest.raises(CopyBackError, match="surprise"):
            copy_back(con, spark_warehouse, manifest)
    finally:
        con.close()


def test_a_failure_midway_rolls_everything_back(spark_warehouse, manifest, tmp_path):
    # the last table's file is damaged: the tables copied before it are rolled back
    (spark_warehouse / "reference.db" / "provinces" / "part-00000.parquet").write_bytes(b"not parquet")
    con = duckdb.connect(str(tmp_path / "ipx.duckdb"))
    try:
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE TABLE marts.mart_scores AS SELECT 'before' AS province_code")
        with pytest.raises(duckdb.Error):
            copy_back(con, spark_warehouse, manifest)
        assert con.execute("SELECT * FROM marts.mart_scores").fetchall() == [("before",)]
        assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'dim_employers'").fetchone()[0] == 0
    finally:
        con.close()


def test_an_empty_spark_table_without_files_is_created_from_the_declared_types(spark_warehouse, manifest, tmp_path):
    for part in (spark_warehouse / "marts.db" / "mart_scores").iterdir():
        part.unlink()
    con = duckdb.connect(str(tmp_path / "ipx.duckdb"))
    try:
        report = copy_back(con, spark_warehouse, manifest)
        assert report.tables["marts.mart_scores"] == 0
        assert _columns(con, "marts.mart_scores")[2] == ("total", "DECIMAL(9,2)")
    finally:
        con.close()
