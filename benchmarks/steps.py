"""One benchmark step, run in a fresh process so that its peak memory is its own.

    python benchmarks/steps.py floor LANDING
    python benchmarks/steps.py ingest LANDING WAREHOUSE
    python benchmarks/steps.py dbt WAREHOUSE [--full-refresh]
    python benchmarks/steps.py pages WAREHOUSE REPEATS
    python benchmarks/steps.py checks WAREHOUSE
    python benchmarks/steps.py run LANDING WAREHOUSE [--engine duckdb|spark]

``run`` times the whole ``ipx run`` as an operator starts it (a new process, from the command to
its exit) and splits it into phases from the run's own Dagster event log.

Prints one JSON line: seconds, peak_rss_mb and step-specific counts.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the dashboard's page timer lives in dashboards/


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def floor(landing: Path) -> dict:
    """What DuckDB alone takes to read every landing file, counting records: one read_csv over all
    CSV files of a feed, XLSX through calamine (DuckDB's excel extension cannot be installed
    offline). GB18030 files are read as UTF-8 with ignore_errors: DuckDB has no GB18030 decoder
    offline (its latin-1 decoder refuses bytes 0x80-0x9F, which GB18030 uses), and counting needs
    no decoding; DuckDB still scans and splits every byte of them."""
    import duckdb
    from python_calamine import CalamineWorkbook

    con = duckdb.connect()
    records = 0
    started = time.perf_counter()
    for feed_dir in sorted(p for p in landing.iterdir() if p.is_dir() and not p.name.startswith("_")):
        files = [str(p) for p in sorted(feed_dir.glob("*.csv"))]
        if files:
            records += con.execute(
                "SELECT count(*) FROM read_csv(?, all_varchar = true, header = true, union_by_name = true, "
                "null_padding = true, strict_mode = false, ignore_errors = true, encoding = 'utf-8')",
                [files]).fetchone()[0]
        for path in sorted(feed_dir.glob("*.xlsx")):
            with contextlib.suppress(Exception):  # a corrupt workbook: the floor just skips it
                records += len(CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python())
    return {"seconds": time.perf_counter() - started, "records": records}


def ingest(landing: Path, warehouse: Path) -> dict:
    import duckdb

    from ipx.contracts import load_contracts
    from ipx.ingestion.loader import IngestContext, ingest_landing
    from ipx.ingestion.pseudonym import HmacPads
    from ipx.resources import duckdb_config
    from ipx.settings import archive_key, pseudonym_key
    from ipx.storage import WarehouseLayout

    layout = WarehouseLayout.at(warehouse)
    layout.warehouse.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(layout.warehouse), config=duckdb_config())
    ctx = IngestContext(layout.archive_dir, archive_key()[0], HmacPads.from_key(pseudonym_key()[0]), "benchmark")
    started = time.perf_counter()
    results = ingest_landing(con, landing, load_contracts(), ctx)
    seconds = time.perf_counter() - started
    con.close()
    taken = [r for r in results if r.status != "skipped"]
    return {"seconds": seconds, "files": len(taken), "records": sum(r.records for r in taken),
            "loaded": sum(r.loaded for r in taken), "rejected": sum(r.rejected for r in taken)}


def dbt(warehouse: Path, full_refresh: bool) -> dict:
    import tempfile

    from ipx.paths import DBT_PROJECT_DIR

    env = dict(os.environ, IPX_WAREHOUSE=str(warehouse.resolve()))
    target = tempfile.mkdtemp(prefix="ipx-bench-dbt-")  # never share dbt's target folder with another run
    args = [str(Path(sys.executable).parent / "dbt"), "build", "--project-dir", str(DBT_PROJECT_DIR),
            "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", target] + (["--full-refresh"] if full_refresh else [])
    started = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(done.stdout[-4000:])
    return {"seconds": seconds}


def checks(warehouse: Path) -> dict:
    """The feeds' data checks as ``ipx run`` runs them (records conserved, the GX suite over the
    latest run's rows), per feed, on a built warehouse opened read-only."""
    import duckdb

    from ipx.assets.raw_checks import conservation_violations, latest_run_expectations
    from ipx.contracts import load_contracts
    from ipx.resources import duckdb_config

    con = duckdb.connect(str(warehouse), read_only=True, config=duckdb_config())
    per_feed = {}
    started = time.perf_counter()
    for feed, contract in load_contracts().items():
        began = time.perf_counter()
        violations = conservation_violations(con, contract)
        outcome = latest_run_expectations(con, contract, reuse=False)
        per_feed[feed] = {"seconds": round(time.perf_counter() - began, 2),
                          "rows": outcome.rows if outcome else 0,
                          "passed": not violations and (outcome is None or outcome.success)}
    seconds = time.perf_counter() - started
    con.close()
    return {"seconds": seconds, "rows": sum(f["rows"] for f in per_feed.values()), "feeds": per_feed}


def _phase(step_key: str) -> str:
    """Which phase of ``ipx run`` a Dagster step belongs to."""
    if step_key == "ipx_dbt_models":
        return "dbt"
    if step_key.endswith(("_contract_expectations", "_records_conserved")):
        return "feed checks"
    if step_key.endswith("_deliveries_current"):
        return "freshness checks"
    if step_key.startswith("ingest"):
        return "ledger"
    return "ingestion"


# What a Spark build logs inside the dbt step (orchestration/ipx/assets/warehouse_models.py).
SPARK_STEPS = {
    "lake export": re.compile(r"^lake .* up to date \((?P<s>[\d.]+) s\)"),
    "dbt on Spark": re.compile(r"^dbt on Spark took (?P<s>[\d.]+) s"),
    "copy-back": re.compile(r"^copied \d+ published tables .* in (?P<s>[\d.]+) s"),
}


def run_phases(warehouse: Path) -> dict:
    """Seconds per phase of the latest ``ipx run`` in the warehouse's Dagster instance (its Dagster
    runs: ingestion, then the build, tagged with the same ``ipx/invocation``), and, for a Spark
    build, the lake export, dbt on Spark and the copy-back inside the dbt step."""
    import dagster as dg

    from ipx.storage import WarehouseLayout

    instance = dg.DagsterInstance.from_config(str(WarehouseLayout.at(warehouse).dagster_home))
    latest = instance.get_runs(limit=1)[0]
    invocation = latest.tags.get("ipx/invocation")
    runs = (instance.get_runs(filters=dg.RunsFilter(tags={"ipx/invocation": invocation}))
            if invocation else [latest])
    kinds = {dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS,
             dg.DagsterEventType.STEP_FAILURE, dg.DagsterEventType.RUN_START, dg.DagsterEventType.RUN_SUCCESS}
    phases, run_seconds, spark_steps = {}, 0.0, {}
    for run in runs:
        started, run_start, run_end = {}, None, None
        for entry in instance.all_logs(run.run_id, of_type=kinds):
            kind = entry.dagster_event.event_type
            if kind == dg.DagsterEventType.RUN_START:
                run_start = entry.timestamp
            elif kind == dg.DagsterEventType.RUN_SUCCESS:
                run_end = entry.timestamp
            elif kind == dg.DagsterEventType.STEP_START:
                started[entry.step_key] = entry.timestamp
            elif entry.step_key in started:
                phase = _phase(entry.step_key)
                phases[phase] = phases.get(phase, 0.0) + entry.timestamp - started[entry.step_key]
        run_seconds += (run_end or 0) - (run_start or 0)
        for entry in instance.all_logs(run.run_id):
            if entry.dagster_event is None and entry.user_message:
                for name, pattern in SPARK_STEPS.items():
                    found = pattern.match(entry.user_message)
                    if found:
                        spark_steps[name] = float(found["s"])
    instance.dispose()
    return {"dagster_run_seconds": run_seconds, "phases": phases, "spark_steps": spark_steps}


def whole_run(landing: Path, warehouse: Path, engine: str = "duckdb") -> dict:
    """``ipx run --quiet`` in its own process: wall time, peak RSS, and its phases."""
    ipx = Path(sys.executable).parent / "ipx"
    started = time.perf_counter()
    done = subprocess.run([str(ipx), "run", "--landing", str(landing), "--warehouse", str(warehouse), "--quiet",
                           "--engine", engine], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode not in (0,):
        raise SystemExit(f"ipx run exited {done.returncode}:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    records = con.execute("SELECT coalesce(sum(records), 0) FROM ingest.files").fetchone()[0]
    con.close()
    out = {"seconds": seconds, "warehouse_records": int(records)}
    out.update(run_phases(warehouse))
    # outside the Dagster run: start-up (imports, definitions), the summary and publishing
    out["phases"]["start-up and publish"] = seconds - out["dagster_run_seconds"]
    return out


def main() -> None:
    step, *args = sys.argv[1:]
    if step == "floor":
        out = floor(Path(args[0]))
    elif step == "ingest":
        out = ingest(Path(args[0]), Path(args[1]))
    elif step == "dbt":
        out = dbt(Path(args[0]), "--full-refresh" in args)
    elif step == "run":
        engine = args[args.index("--engine") + 1] if "--engine" in args else "duckdb"
        out = whole_run(Path(args[0]), Path(args[1]), engine)
    elif step == "checks":
        out = checks(Path(args[0]))
    elif step == "pages":
        from dashboards.measure_pages import measure  # the dashboard's own page timer

        out = {"pages": measure(Path(args[0]), int(args[1]))}
    else:
        raise SystemExit(f"unknown step {step}")
    out["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
