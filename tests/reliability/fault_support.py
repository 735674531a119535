"""Helpers of the fault tests: start ``ipx run`` as operators do, kill it at a chosen moment, and
read back what a warehouse publishes, in a form two warehouses can be compared in."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ipx import published_db
from ipx.storage import WarehouseLayout

IPX = Path(sys.executable).with_name("ipx")
# Columns that say when or by which run something happened, not what was published.
VOLATILE = ("taken_at", "loaded_at", "run_id", "published_at", "rejected_at", "seen_at", "built_at")


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    killed: bool = False


def start_run(landing: Path, warehouse: Path, log: Path, env: dict | None = None) -> subprocess.Popen:
    """``ipx run`` in its own session, so that a kill takes dbt (its child) with it."""
    log.parent.mkdir(parents=True, exist_ok=True)
    out, err = log.with_suffix(".out").open("w"), log.with_suffix(".err").open("w")
    try:
        return subprocess.Popen([str(IPX), "run", "--landing", str(landing), "--warehouse", str(warehouse)],
                                stdout=out, stderr=err, start_new_session=True,
                                env={**os.environ, **(env or {})})
    finally:
        out.close()
        err.close()


def finish(proc: subprocess.Popen, log: Path, timeout: float = 900, killed: bool = False) -> Run:
    code = proc.wait(timeout=timeout)
    return Run(code, log.with_suffix(".out").read_text(), log.with_suffix(".err").read_text(), killed)


def run_ipx(landing: Path, warehouse: Path, log: Path, env: dict | None = None, timeout: float = 900) -> Run:
    return finish(start_run(landing, warehouse, log, env), log, timeout)


def kill_when(proc: subprocess.Popen, ready: Callable[[], bool], log: Path, timeout: float = 600,
              whole_group: bool = True) -> Run:
    """SIGKILL the run as soon as ``ready()`` holds (the whole process group: a machine or
    container going down; or the ipx process alone). ``killed`` is False when the run ended
    before the moment came."""
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        if ready():
            if whole_group:
                os.killpg(proc.pid, signal.SIGKILL)
            else:
                proc.send_signal(signal.SIGKILL)
            return finish(proc, log, killed=True)
        time.sleep(0.02)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    return finish(proc, log)


def archived(warehouse: Path) -> int:
    """Sealed deliveries in the warehouse's archive so far."""
    return sum(1 for _ in WarehouseLayout.at(warehouse).archive_dir.glob("*/*.sealed"))


def dbt_started(warehouse: Path) -> int:
    """dbt ``START`` lines in the newest run log (dbt's progress goes to the run log)."""
    logs = sorted(WarehouseLayout.at(warehouse).log_dir.glob("run-*.log"), key=lambda p: p.stat().st_mtime)
    if not logs:
        return 0
    try:
        return logs[-1].read_text(encoding="utf-8", errors="replace").count(" START ")
    except OSError:
        return 0


def _plain(value):
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, list):
        return tuple(_plain(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _plain(v)) for k, v in value.items()))
    return value


def _table(con, schema: str, table: str) -> list[tuple]:
    columns = [r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
        "ORDER BY ordinal_position", [schema, table]).fetchall()]
    kept = [c for c in columns if not any(v in c for v in VOLATILE)]
    rows = con.execute(f'SELECT {", ".join(chr(34) + c + chr(34) for c in kept)} FROM {schema}."{table}"').fetchall()
    return sorted((tuple(_plain(v) for v in row) for row in rows), key=repr)


def published_state(warehouse: Path) -> dict:
    """What a warehouse publishes and holds, without times and run ids: every ``marts`` table
    whole, the ledger's counts, and the identity of every raw and rejected record."""
    con = published_db.connect(warehouse)  # the published marts are views over the published file
    try:
        state = {}
        for (table,) in con.execute("SELECT table_name FROM information_schema.tables WHERE table_catalog = "
                                    "current_database() AND table_schema = 'marts' ORDER BY 1").fetchall():
            state[f"marts.{table}"] = _table(con, "marts", table)
        state["ingest.files counts"] = con.execute(
            "SELECT feed, status, quarantine_reason, count(*), sum(records_loaded), sum(records_rejected) "
            "FROM ingest.files GROUP BY ALL ORDER BY ALL").fetchall()
        state["ingest.files"] = con.execute(
            "SELECT feed, file_name, sha256, status, quarantine_reason, records, records_loaded, records_rejected, "
            "records_flagged FROM ingest.files ORDER BY ALL").fetchall()
        state["ingest.rejected_records"] = con.execute(
            "SELECT feed, file_name, sha256, record_no, rule, reason FROM ingest.rejected_records ORDER BY ALL").fetchall()
        state["ingest.pending_files"] = con.execute(
            "SELECT feed, file_name FROM ingest.pending_files ORDER BY ALL").fetchall()
        for (table,) in con.execute("SELECT table_name FROM information_schema.tables "
                                    "WHERE table_schema = 'raw' ORDER BY 1").fetchall():
            state[f"raw.{table} rows"] = con.execute(f'SELECT count(*) FROM raw."{table}"').fetchall()
            state[f"raw.{table} records"] = con.execute(
                f'SELECT _file, _sha256, _record_no, count(*) FROM raw."{table}" GROUP BY ALL ORDER BY ALL').fetchall()
        return state
    finally:
        con.close()


def differences(got: dict, want: dict) -> list[str]:
    out = []
    for key in sorted(set(got) | set(want)):
        if got.get(key) != want.get(key):
            a, b = got.get(key) or [], want.get(key) or []
            extra = [r for r in a if r not in b][:3]
            missing = [r for r in b if r not in a][:3]
            out.append(f"{key}: {len(a)} rows vs {len(b)}; only here {extra}; missing {missing}")
    return out


def serving_snapshot(warehouse: Path) -> dict[str, str]:
    """SHA-256 of every file under ``<warehouse>.serving/`` (current.json and the copies)."""
    serving = WarehouseLayout.at(warehouse).serving_dir
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(serving.iterdir()) if p.is_file()}


def read_current(warehouse: Path) -> int:
    """Open the live serving copy named by current.json read-only; the published rows it holds."""
    import json

    serving = WarehouseLayout.at(warehouse).serving_dir
    name = json.loads((serving / "current.json").read_text(encoding="utf-8"))["file"]
    con = duckdb.connect(str(serving / name), read_only=True)
    try:
        return sum(con.execute(f'SELECT count(*) FROM marts."{t}"').fetchone()[0] for (t,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'").fetchall())
    finally:
        con.close()
