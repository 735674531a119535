"""The lake (raw feeds, rejected records, ledger as Hive-partitioned Parquet) holds exactly the
warehouse's rows, is rewritten only where the warehouse changed, and repairs itself."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest
from lake_support import lake_differences

from ipx.contracts import load_contracts
from ipx.ingestion.landing import scan_landing
from ipx.ingestion.loader import IngestContext, ingest_feed
from ipx.ingestion.pseudonym import HmacPads
from ipx.lake import LakeError, export_lake, spark_table_specs
from ipx.lake.export import MANIFEST_NAME
from ipx.storage import WarehouseLayout
from support.deliveries import beijing, claim, write_delivery
from support.keys import TEST_ARCHIVE_KEY, TEST_PSEUDONYM_KEY

INGEST_TABLES = {"ingest/files", "ingest/rejected_records", "ingest/pending_files", "ingest/feed_catalogue"}


def _snapshot(lake: Path) -> dict[str, tuple[int, int, int]]:
    """Every file of the lake (hidden ones too, the manifest included): size, mtime, inode."""
    out = {}
    for root, _dirs, files in os.walk(lake):
        for name in files:
            st = (Path(root) / name).stat()
            out[str((Path(root) / name).relative_to(lake))] = (st.st_size, st.st_mtime_ns, st.st_ino)
    return out


def _partitions(lake: Path) -> set[str]:
    """Every partition folder (or unpartitioned table folder) holding a data file."""
    return {str(p.parent.relative_to(lake)) for p in lake.rglob("*.parquet")
            if not any(part.startswith(".") for part in p.relative_to(lake).parts)}


def _raw_feeds(warehouse: Path) -> set[str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'raw'").fetchall()}
    finally:
        con.close()


def _assert_equal(warehouse: Path, lake: Path) -> dict:
    diffs = lake_differences(warehouse, lake)
    assert set(diffs) == INGEST_TABLES | {f"raw/{f}" for f in _raw_feeds(warehouse)}
    for table, (n_duck, n_lake, only_duck, only_lake) in diffs.items():
        assert (n_lake, only_duck, only_lake) == (n_duck, 0, 0), table
    return diffs


# ------------------------------------------------------------------------------ content and layout


def test_lake_equals_the_warehouse_row_for_row(small_lake):
    diffs = _assert_equal(small_lake.warehouse, small_lake.lake)
    first = small_lake.first
    assert sum(d[0] for d in diffs.values()) == first.rows_written == first.rows_total > 0
    assert diffs["raw/hrss_injury_claims"][0] > 0 and diffs["ingest/files"][0] > 0
    assert first.kept == first.removed == 0
    assert len(first.written_partitions) == first.written == len(_partitions(small_lake.lake))


def test_layout_partitions_and_types(small_lake):
    lake = small_lake.lake
    con = duckdb.connect(str(small_lake.warehouse), read_only=True)
    try:
        slices = con.execute("SELECT DISTINCT _province, _period FROM raw.hrss_injury_claims").fetchall()
        feeds = {r[0] for r in con.execute("SELECT DISTINCT feed FROM ingest.files").fetchall()}
        claim = sorted((lake / "raw/hrss_injury_claims").glob("*/*/*"))
        assert claim == sorted(lake / f"raw/hrss_injury_claims/_province={p}/_period={q}/part-0.parquet"
                               for p, q in slices)
        assert {p.name for p in (lake / "ingest/files").iterdir()} == {f"feed={f}" for f in feeds}
        for table in ("pending_files", "feed_catalogue"):
            assert [p.name for p in (lake / "ingest" / table).iterdir()] == ["part-0.parquet"]
        # partition columns live in the folder names only; the types survive the trip
        def describe(path: Path) -> dict[str, str]:
            return dict(r[:2] for r in con.execute(
                f"DESCRIBE SELECT * FROM read_parquet('{path}', hive_partitioning = false)").fetchall())

        described = describe(claim[0])
        assert "_province" not in described and "_period" not in described
        assert described["_exported_at"] == "TIMESTAMP"  # without time zone
        assert described["_flags"] == "VARCHAR[]"
        assert described["_extra"] == "MAP(VARCHAR, VARCHAR)"
        assert described["fund_paid_yuan"] == "DECIMAL(18,2)"
        files = next((lake / "ingest/files").glob("*/part-0.parquet"))
        ledger = describe(files)
        assert "feed" not in ledger
        assert ledger["amount_scales"] == "VARCHAR"  # JSON as a plain string
        assert ledger["extra_columns"] == "VARCHAR[]"
        assert ledger["taken_at"] == "TIMESTAMP"
        # the Parquet timestamps are wall-clock times, not instants (Spark: timestamp_ntz)
        adjusted = con.execute(f"SELECT logical_type FROM parquet_schema('{claim[0]}') "
                               "WHERE name = '_exported_at'").fetchone()[0]
        assert "isAdjustedToUTC=0" in adjusted
        # lists and maps are not trivially empty, so the row comparison covers them
        assert con.execute("SELECT count(*) FROM raw.hrss_employers WHERE len(_flags) > 0").fetchone()[0] > 0
        assert con.execute("SELECT count(*) FROM raw.hrss_injury_claims "
                           "WHERE cardinality(_extra) > 0").fetchone()[0] > 0
    finally:
        con.close()


def test_lake_dir_is_beside_the_warehouse(tmp_path):
    assert WarehouseLayout.at(tmp_path / "ipx.duckdb").lake_dir == tmp_path / "ipx.duckdb.lake"


# ------------------------------------------------------------------------------ incremental, idempotent


def test_rerun_writes_nothing(small_lake):
    before = _snapshot(small_lake.lake)
    again = export_lake(small_lake.warehouse, small_lake.lake)
    assert (again.written, again.removed, again.rows_written) == (0, 0, 0)
    assert again.kept == small_lake.first.written
    assert not again.changed
    assert _snapshot(small_lake.lake) == before


def test_new_deliveries_rewrite_only_their_partitions(own_lake, tmp_path):
    landing = tmp_path / "landing"
    # a new month for one province, and a seq 02 replacement of an existing slice of another
    write_delivery(landing, "hrss_injury_claims",
                   [claim(i, incident_date="2023-01-05", decision_date="2023-01-20") for i in range(3)],
                   province="440000", period="202301", exported_at=beijing(2023, 2, 3))
    write_delivery(landing, "hrss_injury_claims",
                   [claim(10 + i, incident_date="2022-12-05", decision_date="2022-12-20") for i in range(2)],
                   province="510000", period="202212", seq="02", exported_at=beijing(2023, 1, 9))
    before = _snapshot(own_lake.lake)
    assert (own_lake.lake / "raw/hrss_injury_claims/_province=510000/_period=202212/part-0.parquet").exists()
    assert not (own_lake.lake / "raw/hrss_injury_claims/_province=440000/_period=202301").exists()

    contract = load_contracts()["hrss_injury_claims"]
    con = duckdb.connect(str(own_lake.warehouse))
    try:
        ctx = IngestContext(tmp_path / "archive", TEST_ARCHIVE_KEY, HmacPads.from_key(TEST_PSEUDONYM_KEY), "lake")
        taken = ingest_feed(con, contract, scan_landing(landing, {contract.feed: contract})[contract.feed], ctx)
    finally:
        con.close()
    assert [(t.status, t.loaded, t.rejected) for t in taken] == [("loaded", 3, 0), ("loaded", 2, 0)]

    result = export_lake(own_lake.warehouse, own_lake.lake)
    changed = {"raw/hrss_injury_claims/_province=440000/_period=202301",
               "raw/hrss_injury_claims/_province=510000/_period=202212",
               "ingest/files/feed=hrss_injury_claims"}
    assert set(result.written_partitions) == changed
    assert result.written == 3 and result.removed == 0
    assert result.kept == own_lake.first.written - 2  # two existing partitions rewritten, one new
    after = _snapshot(own_lake.lake)
    rewritten = {k for k in before if k in after and after[k] != before[k]}
    assert rewritten == {f"{p}/part-0.parquet" for p in changed - {
        "raw/hrss_injury_claims/_province=440000/_period=202301"}} | {MANIFEST_NAME}
    assert set(after) - set(before) == {"raw/hrss_injury_claims/_province=440000/_period=202301/part-0.parquet"}
    diffs = _assert_equal(own_lake.warehouse, own_lake.lake)
    con = duckdb.connect(str(own_lake.warehouse), read_only=True)
    try:
        rewritten_rows = con.execute(
            "SELECT (SELECT count(*) FROM raw.hrss_injury_claims WHERE _province = '510000' AND _period = '202212')"
            " + (SELECT count(*) FROM ingest.files WHERE feed = 'hrss_injury_claims')").fetchone()[0]
    finally:
        con.close()
    assert result.rows_written == 3 + rewritten_rows  # the rewritten partitions' rows, no more
    assert sum(d[0] for d in diffs.values()) == own_lake.first.rows_total + 5 + 2  # 5 records, 2 ledger rows
    again = export_lake(own_lake.warehouse, own_lake.lake)
    assert (again.written, again.removed) == (0, 0)


def test_deleted_or_damaged_partitions_are_restored(own_lake):
    lake = own_lake.lake
    gone = next((lake / "raw/hrss_training").glob("*/*/part-0.parquet"))
    gone.unlink()  # a file deleted
    province = next((lake / "raw/em_hazards").glob("_province=*"))
    lost = {str(p.parent.relative_to(lake)) for p in province.glob("*/part-0.parquet")}
    shutil.rmtree(province)  # a whole province folder deleted
    swapped = sorted((lake / "raw/hrss_employers").glob("*/*/part-0.parquet"))[:2]
    shutil.copyfile(swapped[1], swapped[0])  # a file replaced by another partition's rows
    doubled = sorted((lake / "ingest/rejected_records").glob("*/part-0.parquet"))[0]
    shutil.copyfile(doubled, doubled.with_name("part-1.parquet"))  # a stray file: rows read twice
    ghost = lake / "raw/no_such_feed/_province=440000/_period=202001"
    ghost.mkdir(parents=True)
    shutil.copyfile(next((lake / "raw/hrss_injury_claims").glob("*/*/part-0.parquet")),
                    ghost / "part-0.parquet")  # a table the warehouse does not have
    stray = lake / "raw/hrss_training/notes.txt"
    stray.write_text("not a partition", encoding="utf-8")

    result = export_lake(own_lake.warehouse, own_lake.lake)
    assert set(result.written_partitions) == {
        str(gone.parent.relative_to(lake)), *lost, str(swapped[0].parent.relative_to(lake)),
        str(doubled.parent.relative_to(lake))}
    assert "raw/no_such_feed" in result.removed_partitions
    assert not (lake / "raw/no_such_feed").exists() and not stray.exists()
    assert not doubled.with_name("part-1.parquet").exists()
    _assert_equal(own_lake.warehouse, lake)
    assert not export_lake(own_lake.warehouse, lake).changed


def test_lost_or_broken_manifest_means_a_full_rewrite(own_lake):
    lake = own_lake.lake
    (lake / MANIFEST_NAME).unlink()
    result = export_lake(own_lake.warehouse, lake)
    assert (result.written, result.kept, result.rows_written) == (
        own_lake.first.written, 0, own_lake.first.rows_written)
    _assert_equal(own_lake.warehouse, lake)
    # a crash while the manifest was written: an unreadable manifest vouches for nothing
    (lake / MANIFEST_NAME).write_text('{"format": 1, "tables": {"raw/hrss', encoding="utf-8")
    assert export_lake(own_lake.warehouse, lake).written == own_lake.first.written
    assert not export_lake(own_lake.warehouse, lake).changed
    # files written after the manifest (a crash before it was replaced) are not vouched for
    touched = next((lake / "raw/hrss_training").glob("*/*/part-0.parquet"))
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 1))
    assert export_lake(own_lake.warehouse, lake).written_partitions == [str(touched.parent.relative_to(lake))]
    # an interrupted export's staging folder is cleared, and never read as data
    (lake / ".staging/raw/hrss_training").mkdir(parents=True)
    shutil.copyfile(touched, lake / ".staging/raw/hrss_training/part-0.parquet")
    assert not export_lake(own_lake.warehouse, lake).changed
    assert not (lake / ".staging").exists()


def test_removed_rows_and_new_columns(own_lake):
    lake = own_lake.lake
    con = duckdb.connect(str(own_lake.warehouse))
    try:
        training = con.execute("SELECT count(DISTINCT (_province, _period)) FROM raw.hrss_training").fetchone()[0]
        province, period = con.execute(
            "SELECT _province, _period FROM raw.em_accidents GROUP BY ALL ORDER BY ALL LIMIT 1").fetchone()
        last_of_province = con.execute(
            "SELECT count(DISTINCT _period) = 1 FROM raw.em_accidents WHERE _province = ?", [province]).fetchone()[0]
        con.execute("DELETE FROM raw.em_accidents WHERE _province = ? AND _period = ?", [province, period])
        reports = con.execute("SELECT count(DISTINCT (_province, _period)) FROM raw.province_reports").fetchone()[0]
        con.execute("DELETE FROM raw.province_reports")  # a feed with no rows left
        con.execute("ALTER TABLE raw.hrss_training ADD COLUMN trainer_grade VARCHAR")  # a contract gained a column
    finally:
        con.close()

    result = export_lake(own_lake.warehouse, lake)
    removed = {f"raw/em_accidents/_province={province}/_period={period}"}
    assert set(result.removed_partitions) - removed == {
        p for p in own_lake.first.written_partitions if p.startswith("raw/province_reports/")}
    assert result.removed == 1 + reports
    assert not (lake / removed.pop()).exists()
    assert (lake / f"raw/em_accidents/_province={province}").exists() != last_of_province
    assert (lake / "raw/province_reports").is_dir()  # the empty feed's table stays, with no partitions
    assert not list((lake / "raw/province_reports").iterdir())
    assert set(result.written_partitions) == {
        p for p in own_lake.first.written_partitions if p.startswith("raw/hrss_training/")}
    assert result.written == training
    _assert_equal(own_lake.warehouse, lake)
    specs = {(s["schema"], s["name"]): s for s in spark_table_specs(own_lake.warehouse, lake)}
    assert ["trainer_grade", "string"] in specs["raw", "hrss_training"]["columns"]
    assert specs["raw", "province_reports"]["partitioned_by"] == [["_province", "string"], ["_period", "string"]]


def test_an_open_connection_and_partitions_duckdb_splits(own_lake, tmp_path):
    """export_lake(con=...) uses the caller's connection; when DuckDB's partitioned write splits
    a partition over several files (few open files allowed), the lake still gets one file per
    partition (so replacing it stays one atomic rename) with every row."""
    con = duckdb.connect(str(own_lake.warehouse))
    try:
        con.execute("SET partitioned_write_max_open_files = 2")
        con.execute("SET partitioned_write_flush_threshold = 10")
        con.execute(f"COPY (SELECT * FROM raw.hrss_employers) TO '{tmp_path / 'probe'}' "
                    "(FORMAT parquet, PARTITION_BY (_province, _period))")
        assert any(len(files) > 1 for _root, _dirs, files in os.walk(tmp_path / "probe"))  # it does split
        lake = tmp_path / "lake"
        result = export_lake(own_lake.warehouse, lake, con=con)
        assert con.execute("SELECT current_setting('partitioned_write_max_open_files')").fetchone()[0] == 2
    finally:
        con.close()
    assert result.written == own_lake.first.written
    assert {tuple(files) for _root, _dirs, files in os.walk(lake / "raw") if files} == {("part-0.parquet",)}
    _assert_equal(own_lake.warehouse, lake)


def test_a_value_that_cannot_name_a_folder_is_refused(own_lake):
    con = duckdb.connect(str(own_lake.warehouse))
    try:
        con.execute("UPDATE raw.em_accidents SET _period = '2020/01' WHERE rowid IN "
                    "(SELECT min(rowid) FROM raw.em_accidents)")
    finally:
        con.close()
    with pytest.raises(LakeError, match="_period = '2020/01'"):
        export_lake(own_lake.warehouse, own_lake.lake)


# ------------------------------------------------------------------------------ the Spark table specs


def test_spark_table_specs(small_lake):
    specs = spark_table_specs(small_lake.warehouse, small_lake.lake)
    by_name = {(s["schema"], s["name"]): s for s in specs}
    assert set(by_name) == {("raw", f) for f in _raw_feeds(small_lake.warehouse)} | {
        tuple(k.split("/")) for k in INGEST_TABLES}
    claims = by_name["raw", "hrss_injury_claims"]
    assert claims["location"] == "file://" + (small_lake.lake.resolve() / "raw/hrss_injury_claims").as_posix()
    assert claims["partitioned_by"] == [["_province", "string"], ["_period", "string"]]
    columns = dict(claims["columns"])
    assert "_province" not in columns and "_period" not in columns
    assert columns["_flags"] == "array<string>"
    assert columns["_extra"] == "map<string,string>"
    assert columns["_exported_at"] == columns["_loaded_at"] == "timestamp_ntz"
    assert columns["fund_paid_yuan"] == "decimal(18,2)"
    assert columns["disability_grade"] == "int"
    assert columns["_record_no"] == "bigint"
    assert columns["incident_date"] == "date"
    # the column order is the warehouse's (Spark matches Parquet columns by name, dbt by order)
    con = duckdb.connect(str(small_lake.warehouse), read_only=True)
    try:
        order = [r[0] for r in con.execute("DESCRIBE raw.hrss_injury_claims").fetchall()]
    finally:
        con.close()
    assert [c for c, _ in claims["columns"]] == [c for c in order if c not in ("_province", "_period")]
    files = dict(by_name["ingest", "files"]["columns"])
    assert by_name["ingest", "files"]["partitioned_by"] == [["feed", "string"]]
    assert "feed" not in files
    assert files["amount_scales"] == "string" and files["extra_columns"] == "array<string>"
    assert by_name["ingest", "feed_catalogue"]["partitioned_by"] == []
    assert dict(by_name["ingest", "feed_catalogue"]["columns"])["snapshot"] == "boolean"
    cluster = spark_table_specs(small_lake.warehouse, small_lake.lake, base_uri="s3a://bucket/ipx-lake/")
    assert {s["location"] for s in cluster} == {f"s3a://bucket/ipx-lake/{s['schema']}/{s['name']}" for s in specs}
