"""The same ``ipx run`` on both engines: DuckDB (the default) and Spark in local mode (issue 12).

    .venv/bin/python benchmarks/engines.py --sizes small demo --work /tmp/ipx-engines [--out BENCHMARKS.md]

For each size it generates a landing folder (unless one is given with SIZE=DIR) and, each in a
new process (``benchmarks/steps.py run``), times the whole ``ipx run --engine E`` into a new
warehouse, split into its phases from the run's Dagster event log (for Spark also the lake
export, dbt on Spark and the copy-back inside the dbt step), then a second run with nothing new.
It checks that both engines published the same assessment export (CSV, byte for byte) and
writes its table between the ``engines`` markers of the output file.

On a machine of 2 cores Spark's local mode shows correctness and overhead (a JVM, a Derby
metastore, task scheduling for every model and test), not speed: the engine is there for
volumes one machine cannot hold.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import ROOT, machine, step  # the main benchmark's helpers

ENGINES = ("duckdb", "spark")
START, END = "<!-- engines:start -->", "<!-- engines:end -->"


def export_assessment(warehouse: Path, out: Path) -> bytes:
    ipx = Path(sys.executable).parent / "ipx"
    subprocess.run([str(ipx), "export", "assessment", "--warehouse", str(warehouse), "--out", str(out)],
                   check=True, capture_output=True)
    return out.read_bytes()


def bench(size: str, landing: Path, work: Path) -> dict:
    if not landing.exists():
        ipx = Path(sys.executable).parent / "ipx"
        subprocess.run([str(ipx), "generate", "--out", str(landing), "--scale", size], check=True,
                       capture_output=True)
    result = {"size": size, "engines": {}}
    exports = {}
    for engine in ENGINES:
        warehouse = work / f"{size}-{engine}" / "ipx.duckdb"
        shutil.rmtree(warehouse.parent, ignore_errors=True)
        warehouse.parent.mkdir(parents=True)
        full = step("run", str(landing), str(warehouse), "--engine", engine)
        again = step("run", str(landing), str(warehouse), "--engine", engine)
        exports[engine] = export_assessment(warehouse, warehouse.parent / "assessment.csv")
        result["engines"][engine] = {"full": full, "nothing_new": again}
        print(f"{size} {engine}: full {full['seconds']:.1f} s, nothing new {again['seconds']:.1f} s", flush=True)
    result["records"] = result["engines"]["duckdb"]["full"]["warehouse_records"]
    result["same_assessment_export"] = exports["duckdb"] == exports["spark"]
    return result


def render(results: list[dict], host: str) -> str:
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    lines = [
        START,
        f"### Both engines, {dt.date.today().isoformat()}",
        "",
        f"Machine: {host}; load average at the end {load}. Written by `benchmarks/engines.py`.",
        "Each figure is one whole `ipx run` (a new process, from the command to its exit) into a new",
        "warehouse, then the same command again with nothing new. Spark is local mode (`local[2]`) in",
        "the dbt process: on 2 cores this shows correctness and overhead, not speed.",
        "",
        "| size | records | engine | whole run | ingestion | feed checks | dbt step "
        "| of which: lake export / dbt on Spark / copy-back | peak RSS | nothing new | same assessment export |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for engine, runs in r["engines"].items():
            full, again = runs["full"], runs["nothing_new"]
            phases = full["phases"]
            spark = full.get("spark_steps") or {}
            inner = (" / ".join(f"{spark.get(k, 0):.1f} s" for k in ("lake export", "dbt on Spark", "copy-back"))
                     if engine == "spark" else "—")
            lines.append(
                f"| {r['size']} | {r['records']:,} | {engine} | {full['seconds']:.1f} s | "
                f"{phases.get('ingestion', 0):.1f} s | {phases.get('feed checks', 0):.1f} s | "
                f"{phases.get('dbt', 0):.1f} s | {inner} | {full.get('peak_rss_mb', 0):,.0f} MB | "
                f"{again['seconds']:.1f} s | {'yes' if r['same_assessment_export'] else 'NO'} |")
    lines += ["", END]
    return "\n".join(lines) + "\n"


def write(out: Path, block: str) -> None:
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    if START in text and END in text:
        before, rest = text.split(START, 1)
        text = before + block.rstrip("\n") + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n## Both engines: DuckDB and Spark local mode\n\n" + block
    out.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["small", "demo"], help="SIZE or SIZE=LANDING_DIR")
    parser.add_argument("--work", default="/tmp/ipx-engines")
    parser.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"))
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    results = []
    for spec in args.sizes:
        size, _, given = spec.partition("=")
        results.append(bench(size, Path(given) if given else work / f"{size}-landing", work))
    write(Path(args.out), render(results, machine()))


if __name__ == "__main__":
    main()
