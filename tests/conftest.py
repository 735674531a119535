"""Shared fixtures: a fresh landing folder and warehouse per test, ingestion without Dagster, and a
generated `small` landing folder built once per session through the whole pipeline."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ipx import published_db
from ipx.contracts import load_contracts
from ipx.generator import generate
from ipx.ingestion.loader import IngestContext, ingest_landing
from ipx.ingestion.pseudonym import HmacPads
from ipx.pipeline import RunSummary, run_pipeline


def pytest_sessionstart(session):
    """Tests load the Dagster definitions, which need dbt's manifest: parse the project first
    (``dagster dev`` would do it; a test run must do it itself)."""
    from ipx.assets.warehouse_models import prepare_manifest

    prepare_manifest()


from support.keys import TEST_ARCHIVE_KEY, TEST_PSEUDONYM_KEY


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
        con = published_db.connect(warehouse)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    return run


@dataclass
class Build:
    landing: Path
    warehouse: Path
    truth: dict
    summary: RunSummary

    def query(self, sql: str, params=None) -> list[tuple]:
        con = published_db.connect(self.warehouse)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    def frame(self, sql: str, params=None):
        """Rows as a DataFrame of plain Python values (dates stay dates, decimals Decimals)."""
        con = published_db.connect(self.warehouse)
        try:
            cur = con.execute(sql, params or [])
            columns = [d[0] for d in cur.description]
            return pd.DataFrame(cur.fetchall(), columns=columns, dtype=object)
        finally:
            con.close()


@pytest.fixture(scope="session")
def small_build(tmp_path_factory) -> Build:
    root = tmp_path_factory.mktemp("small")
    landing = root / "landing"
    generate(landing, scale="small", seed=7)
    truth = json.loads((landing / "_meta" / "ground_truth.json").read_text(encoding="utf-8"))
    summary = run_pipeline(landing, root / "wh" / "ipx.duckdb")
    return Build(landing, root / "wh" / "ipx.duckdb", truth, summary)
