"""Reading the published data: the live serving copy named by ``<warehouse>.serving/current.json``
(or the warehouse itself when nothing has been published), always read-only.

The dashboard never keeps a DuckDB connection: every query opens the file read-only, reads, and
closes it, and its result is cached under the *version* of the published data (the serving
file's name, which is unique per publication). Reruns therefore touch no file at all, a running
pipeline is never blocked, and when ``current.json`` names a new copy the next rerun reads it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from ipx import published_db
from ipx.exports.published import published_file
from ipx.settings import ConfigurationError
from ipx.storage import WarehouseLayout

WAREHOUSE_ENV = "IPX_WAREHOUSE"
DEFAULT_WAREHOUSE = Path("data/ipx.duckdb")
_SESSION_KEY = "_ipx_publication"


class DataUnavailable(Exception):
    """The published data cannot be read right now; ``str(exc)`` is a Chinese message for users."""


@dataclass(frozen=True)
class Publication:
    """One published version of the data."""

    path: Path
    version: str
    serving_copy: bool
    published_at: dt.datetime | None
    run_id: str | None


def warehouse_path() -> Path:
    return Path(os.environ.get(WAREHOUSE_ENV) or DEFAULT_WAREHOUSE).expanduser()


def locate_publication(warehouse: Path | None = None) -> Publication | None:
    """The live published version, or None when nothing has been built yet."""
    warehouse = warehouse or warehouse_path()
    layout = WarehouseLayout.at(warehouse)
    try:
        path = published_file(warehouse)
    except ConfigurationError:
        return None
    serving = path != layout.warehouse
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        return None
    # A serving copy's name is unique per publication; the warehouse fallback changes in place.
    version = path.name if serving else f"{path.name}@{stamp}"
    meta = _publication_meta(version, str(path)) if serving else (None, None)
    if serving and meta == (None, None):
        meta = _pointer_meta(layout, path.name)
    return Publication(path=path, version=version, serving_copy=serving, published_at=meta[0], run_id=meta[1])


@st.cache_data(show_spinner=False, max_entries=64)
def _publication_meta(version: str, path: str) -> tuple[dt.datetime | None, str | None]:
    frame = _read(path, "SELECT published_at, run_id FROM meta.publication LIMIT 1", ())
    if frame is None or frame.empty:
        return None, None
    row = frame.iloc[0]
    published = row["published_at"]
    return (pd.Timestamp(published).to_pydatetime() if pd.notna(published) else None,
            str(row["run_id"]) if pd.notna(row["run_id"]) else None)


def _pointer_meta(layout: WarehouseLayout, name: str) -> tuple[dt.datetime | None, str | None]:
    """Publication time and run from ``current.json`` (copies made before ``meta.publication``)."""
    try:
        pointer = json.loads((layout.serving_dir / "current.json").read_text(encoding="utf-8"))
        if pointer.get("file") != name:
            return None, None
        published = pointer.get("published_at")
        return (dt.datetime.fromisoformat(published) if published else None), pointer.get("run_id")
    except (OSError, ValueError):
        return None, None


def resolve_publication() -> Publication | None:
    """Find the live version once per script run (the app's router calls this)."""
    publication = locate_publication()
    st.session_state[_SESSION_KEY] = publication
    return publication


def publication() -> Publication | None:
    """The version resolved at the start of this run, so that a whole page reads one version."""
    if _SESSION_KEY not in st.session_state:
        return resolve_publication()
    return st.session_state[_SESSION_KEY]


def _read(path: str, sql: str, params: tuple) -> pd.DataFrame | None:
    """Run one query on a fresh read-only connection; None when a table is missing."""
    try:
        con = published_db.connect(path, read_only=True)
    except duckdb.IOException as exc:
        raise DataUnavailable("数据文件暂时无法读取（可能正在被数据处理流程写入），请稍后刷新页面。") from exc
    try:
        return con.execute(sql, list(params)).df()
    except duckdb.CatalogException:
        return None
    finally:
        con.close()


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_query(version: str, path: str, sql: str, params: tuple) -> pd.DataFrame | None:
    return _read(path, sql, params)


@st.cache_resource(show_spinner=False, max_entries=8)
def _shared_query(version: str, path: str, sql: str) -> pd.DataFrame | None:
    return _read(path, sql, ())


@st.cache_data(show_spinner=False, max_entries=64)
def _tables(version: str, path: str) -> frozenset[str]:
    frame = _read(path, "SELECT schema_name || '.' || table_name AS name FROM duckdb_tables()", ())
    return frozenset(frame["name"]) if frame is not None else frozenset()


@st.cache_resource(show_spinner=False, max_entries=16)
def _shared_params_query(version: str, path: str, sql: str, params: tuple) -> pd.DataFrame | None:
    return _read(path, sql, params)


def has_table(pub: Publication, table: str) -> bool:
    return table in _tables(pub.version, str(pub.path))


def query(pub: Publication, sql: str, params: tuple = (), shared: bool = False) -> pd.DataFrame | None:
    """A cached query against one published version; None when a table it reads is missing.
    ``shared`` as for ``load``: one frame for every session, which callers never modify."""
    if shared:
        return _shared_params_query(pub.version, str(pub.path), sql, tuple(params))
    return _cached_query(pub.version, str(pub.path), sql, tuple(params))


def default_year(pub: Publication, years: list[int]) -> int:
    """The latest of ``years`` that ended before the data's as-of date (a year in progress is
    incomplete), else the latest."""
    as_of = load(pub, AS_OF)
    if as_of is not None and not as_of.empty and pd.notna(as_of.iloc[0]["as_of_date"]):
        as_of_year = pd.Timestamp(as_of.iloc[0]["as_of_date"]).year
        for candidates in ([y for y in years if y < as_of_year], [y for y in years if y <= as_of_year]):
            if candidates:
                return max(candidates)
    return max(years)


def load(pub: Publication, table: str, columns: str = "*", order: str | None = None,
         shared: bool = False) -> pd.DataFrame | None:
    """A whole published table, or None when it is missing. Most are small (aggregates per
    province and period) and each rerun gets its own copy. ``shared`` is for a table too large to
    copy on every rerun (the watchlist: 115,000 rows at national volume, whose copy out of
    ``st.cache_data`` took longer than the page's budget): every session then gets the *same*
    frame, which callers filter into new frames and never modify."""
    if not has_table(pub, table):
        return None
    order_by = f" ORDER BY {order}" if order else ""
    sql = f"SELECT {columns} FROM {table}{order_by}"
    return _shared_query(pub.version, str(pub.path), sql) if shared else query(pub, sql)


# ------------------------------------------------------------------ the tables the pages read

HOTSPOTS = "marts.mart_hotspots"
WATCHLIST = "marts.mart_watchlist"
EMPLOYER_PROFILE = "marts.mart_employer_profile"
EMPLOYER_EVENTS = "marts.mart_employer_events"
EMPLOYER_YEARLY = "marts.mart_employer_yearly"
ASSESSMENT = "marts.mart_provincial_assessment"
SCORECARD = "marts.mart_assessment_scorecard"
COVERAGE = "marts.mart_assessment_coverage"
FLOATING = "marts.mart_premium_floating"
FLOATING_SUMMARY = "marts.mart_premium_floating_summary"
EVALUATION = "marts.mart_plan_evaluation"
EVALUATION_GROUPS = "marts.mart_plan_evaluation_groups"
FEED_HEALTH = "marts.mart_feed_health"
DATA_QUALITY = "marts.mart_data_quality"
AS_OF = "marts.mart_data_as_of"
PROVINCES = "marts.dim_provinces"
FLOATING_SEEDS = {name: f"reference.floating_{name}"
                  for name in ("parameters", "ratio_bands", "grade_multipliers", "base_rates")}
WEIGHTS = "reference.assessment_weights"
GRADES = "reference.assessment_grades"
PLAN_CYCLES = "reference.plan_cycles"
KEY_INDUSTRIES = "reference.key_industries"
REJECTED = "ingest.rejected_records"
FILES = "ingest.files"

# Rejected records without the pseudonymised record itself (the page stays lean).
REJECTED_COLUMNS = "feed, file_name, province, period, record_no, field, rule, reason"
QUARANTINED_SQL = (
    "SELECT feed, file_name, province, period, seq, quarantine_reason, quarantine_detail, exported_at "
    "FROM ingest.files WHERE status = 'quarantined' ORDER BY feed, province, period, seq"
)
