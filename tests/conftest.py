"""Shared fixtures: a fresh landing folder and warehouse per test, ingestion without Dagster."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ipx.contracts import load_contracts
from ipx.ingestion.loader import IngestContext, ingest_landing
from ipx.ingestion.pseudonym import HmacPads

TEST_PSEUDONYM_KEY = b"test-pseudonym-key"
TEST_ARCHIVE_KEY = b"\x01" * 32


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    path = tmp_path / "landing"
    path.mkdir()
    return path


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return tmp_path / "wh" / "ipx.duckdb"


@pytest.fixture
def ingest(landing: Path, warehouse: Path):
    """Ingest the landing folder into the warehouse; returns (results, connection factory)."""
    contracts = load_contracts()

    def run(run_id: str = "test-run"):
        warehouse.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(warehouse))
        try:
            ctx = IngestContext(warehouse.parent / "archive", TEST_ARCHIVE_KEY,
                                HmacPads.from_key(TEST_PSEUDONYM_KEY), run_id)
            return ingest_landing(con, landing, contracts, ctx)
        finally:
            con.close()

    return run


@pytest.fixture
def query(warehouse: Path):
    def run(sql: str, params=None):
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    return run
