"""The feeds' GX checks: what they validate, that they catch bad rows, and the fast path's shape
(Arrow chunks read ahead, nested columns as text, no per-batch fingerprint)."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from ipx.assets.raw_checks import latest_run_expectations
from ipx.contracts import load_contracts
from ipx.quality.gx_validation import SuiteRunner, frames_from_duckdb, validation_columns
from ipx.quality.suites import suite_spec


@pytest.fixture
def warehouse_copy(small_build, tmp_path):
    path = tmp_path / "ipx.duckdb"
    shutil.copyfile(small_build.warehouse, path)
    con = duckdb.connect(str(path))
    yield con
    con.close()


def test_every_feed_passes_its_suite_over_every_row_of_the_latest_run(warehouse_copy):
    con = warehouse_copy
    contracts = load_contracts()
    validated = 0
    for feed, contract in contracts.items():
        rows = con.execute(f"SELECT count(*) FROM {contract.raw_table}").fetchone()[0]
        outcome = latest_run_expectations(con, contract, chunk_rows=500, reuse=False)
        if rows == 0:
            assert outcome is None or outcome.rows == 0, feed
            continue
        assert outcome.success, (feed, outcome.failures)
        assert outcome.rows == rows, feed  # the small build loads everything in one run
        validated += rows
    assert validated == con.execute(
        "SELECT sum(records_loaded) FROM ingest.files WHERE status = 'loaded'").fetchone()[0]


def test_the_suite_catches_broken_rows_with_their_count(warehouse_copy):
    con = warehouse_copy
    contract = load_contracts()["hrss_injury_claims"]
    con.execute(f"UPDATE {contract.raw_table} SET uscc = 'not-a-uscc' WHERE _record_no IN (1, 2, 3)")
    broken = con.execute(f"SELECT count(*) FROM {contract.raw_table} WHERE uscc = 'not-a-uscc'").fetchone()[0]
    con.execute(f"UPDATE {contract.raw_table} SET person_pseudonym = NULL WHERE _record_no = 4")
    nulls = con.execute(f"SELECT count(*) FROM {contract.raw_table} WHERE person_pseudonym IS NULL").fetchone()[0]
    assert broken > 0 and nulls > 0
    outcome = latest_run_expectations(con, contract, chunk_rows=700, reuse=False)  # several chunks
    assert not outcome.success
    # chunked: the counts add up over the chunks that hold broken rows
    regex = sum(f["unexpected_count"] for f in outcome.failures
                if f["expectation"] == "expect_column_values_to_match_regex" and f["kwargs"].get("column") == "uscc")
    assert regex == broken
    null_count = sum(f["unexpected_count"] for f in outcome.failures
                     if f["expectation"] == "expect_column_values_to_not_be_null"
                     and f["kwargs"].get("column") == "person_pseudonym")
    assert null_count == nulls


def test_nested_and_decimal_columns_are_validated_as_text_and_doubles(warehouse_copy):
    con = warehouse_copy
    contract = load_contracts()["hrss_injury_claims"]
    select = validation_columns(con, contract.raw_table)
    assert 'CAST("_flags" AS VARCHAR) AS "_flags"' in select
    assert 'CAST("_extra" AS VARCHAR) AS "_extra"' in select
    assert 'CAST("fund_paid_yuan" AS DOUBLE) AS "fund_paid_yuan"' in select
    frame = next(frames_from_duckdb(con, f"SELECT {select} FROM {contract.raw_table}"))
    described = [r[0] for r in con.execute(f"DESCRIBE {contract.raw_table}").fetchall()]
    assert list(frame.columns) == described  # the column set the suite expects is unchanged
    assert frame["fund_paid_yuan"].dtype == "float64"


def test_chunks_read_ahead_cover_every_row_once_and_stop_cleanly(warehouse_copy):
    con = warehouse_copy
    total = con.execute("SELECT count(*) FROM raw.hrss_employers").fetchone()[0]
    frames = list(frames_from_duckdb(con, "SELECT _file, _record_no FROM raw.hrss_employers", chunk_rows=300))
    assert len(frames) > 2
    assert sum(len(f) for f in frames) == total
    keys = {(f, n) for frame in frames for f, n in zip(frame["_file"], frame["_record_no"], strict=True)}
    assert len(keys) == total
    # a consumer that stops after one chunk releases the reader: the connection is usable again
    reader = frames_from_duckdb(con, "SELECT * FROM raw.hrss_employers", chunk_rows=100)
    next(reader)
    reader.close()
    assert con.execute("SELECT 42").fetchone()[0] == 42
    # an error in the query surfaces in the consumer
    with pytest.raises(duckdb.Error):
        list(frames_from_duckdb(con, "SELECT 1/0::INTEGER FROM raw.hrss_employers WHERE error('boom')"))


def test_gx_does_not_fingerprint_batches(warehouse_copy):
    """The fingerprint pickled every frame (~90 % of the checks' time at national volume); if a GX
    upgrade brings it back this fails, and ``_skip_batch_fingerprints`` needs another way."""
    con = warehouse_copy
    contract = load_contracts()["hrss_training"]
    runner = SuiteRunner(suite_spec(contract))
    frame = next(frames_from_duckdb(
        con, f"SELECT {validation_columns(con, contract.raw_table)} FROM {contract.raw_table}"))
    result = runner.definition.run(batch_parameters={"dataframe": frame})
    markers = result.meta.get("batch_markers") or {}
    assert "ge_load_time" in markers  # the markers are where GX puts the fingerprint
    assert "pandas_data_fingerprint" not in markers


def test_an_outcome_recorded_for_the_same_rows_and_suite_is_reused(warehouse_copy, monkeypatch):
    """The pipeline's own checks recorded an outcome per feed for the rows of its run: asked again
    (a run with nothing new for the feed), the outcome is reused and GX is not run."""
    con = warehouse_copy
    contract = load_contracts()["hrss_injury_claims"]
    recorded = con.execute("SELECT count(*) FROM meta.gx_validations WHERE feed = 'hrss_injury_claims'").fetchone()[0]
    assert recorded == 1  # written by the small build's run
    import ipx.quality.gx_validation as gx_validation

    def no_gx(*args, **kwargs):
        raise AssertionError("GX ran although the outcome was recorded")

    monkeypatch.setattr(gx_validation.SuiteRunner, "__init__", no_gx)
    again = latest_run_expectations(con, contract)
    assert again.reused and again.success
    assert again.rows == con.execute(f"SELECT count(*) FROM {contract.raw_table}").fetchone()[0]
    assert again.metadata()["outcome_reused"] is True
    monkeypatch.undo()

    # another suite (a changed contract) validates again, and records its own outcome
    import ipx.assets.raw_checks as raw_checks

    original = raw_checks.suite_spec

    def stricter(c):
        spec = original(c)
        spec["expectations"].append({"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "_run_id"}})
        return spec

    monkeypatch.setattr(raw_checks, "suite_spec", stricter)
    fresh = latest_run_expectations(con, contract)
    assert not fresh.reused and fresh.success
    assert con.execute("SELECT count(*) FROM meta.gx_validations WHERE feed = 'hrss_injury_claims'").fetchone()[0] == 2
