"""A generated `small` landing folder built once through the whole pipeline (Dagster, dbt)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ipx.generator import generate
from ipx.pipeline import RunSummary, run_pipeline


@dataclass
class Build:
    landing: Path
    warehouse: Path
    truth: dict
    summary: RunSummary

    def query(self, sql: str, params=None) -> list[tuple]:
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    def frame(self, sql: str, params=None):
        """Rows as a DataFrame of plain Python values (dates stay dates, decimals Decimals)."""
        con = duckdb.connect(str(self.warehouse), read_only=True)
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
