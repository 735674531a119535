"""The ipx benchmark: what an operator waits for, against the work and what the hardware allows.

    .venv/bin/python benchmarks/run.py --sizes small demo national --work /tmp/ipx-bench [--out BENCHMARKS.md]
    .venv/bin/python benchmarks/run.py --sizes national --national-years 2022 2023 2024 --page-repeats 0

For each size it generates a landing folder (unless one is given with SIZE=DIR), holds back the
last month of every monthly feed, and measures, each in a new process (so its peak resident
memory is its own):

1. the DuckDB read floor: DuckDB alone reading every landing file, counting records;
2. the whole ``ipx run`` over the history (a full build into a new warehouse), split into its
   phases from the run's Dagster event log: ingestion (ratio to the floor), the feeds' checks
   (GX suites and record conservation), the ledger, dbt, the freshness checks, and start-up and
   publishing (outside the Dagster run);
3. the whole ``ipx run`` once the held-back month has arrived (the monthly run) and its ratio to
   the full build, and a run with nothing new;
4. optionally each dashboard page's time (p50, p95 over repeated loads, cached queries).

It appends its tables to the output file with the machine (cores, memory) and the date.
Targets reported against (never asserted in tests; issue 14): ingestion within 2x the floor,
feed checks at most 10 % of a run, one new month at most 5 % of a full build, peak memory under
8 GiB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STEPS = ROOT / "benchmarks" / "steps.py"
MONTH = re.compile(r"^\d{6}_(\d{6})_\d{2}\.")


def step(*args: str) -> dict:
    done = subprocess.run([sys.executable, str(STEPS), *args], capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"step {args[0]} failed:\n{done.stderr[-4000:]}{done.stdout[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def split_last_month(landing: Path, history: Path, month: Path) -> str:
    """Hard-link the landing folder into `history` without its last month and `month` with it only."""
    periods = sorted({m.group(1) for p in landing.glob("*/*") if (m := MONTH.match(p.name))})
    last = periods[-1]
    for target in (history, month):
        if target.exists():
            shutil.rmtree(target)
    for path in landing.rglob("*"):
        if path.is_dir():
            continue
        rel = path.relative_to(landing)
        m = MONTH.match(path.name)
        target = (month if m and m.group(1) == last else history) / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(path, target)
    return last


def machine() -> str:
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    mem_kb = int(next(line.split()[1] for line in meminfo if line.startswith("MemTotal")))
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")),
               platform.processor())
    return f"{os.cpu_count()} cores ({cpu}), {mem_kb / 1024 / 1024:.1f} GiB, Python {platform.python_version()}"


def bench(size: str, landing: Path, work: Path, page_repeats: int) -> dict:
    """The whole ``ipx run`` on the history (a full build), then again once the held-back month
    has arrived (what an operator's monthly run costs), each beside its phases."""
    work.mkdir(parents=True, exist_ok=True)
    history, month = work / "history", work / "month"
    last = split_last_month(landing, history, month)
    warehouse = work / "ipx.duckdb"
    for stale in work.glob("ipx.duckdb*"):
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    out: dict = {"size": size, "held_back_month": last}
    out["floor"] = step("floor", str(landing))
    out["floor_history"] = step("floor", str(history))
    out["run_full"] = step("run", str(history), str(warehouse))
    # the new month arrives in the landing folder next to the history
    for path in month.rglob("*"):
        if path.is_file():
            target = history / path.relative_to(month)
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                os.link(path, target)
    out["run_month"] = step("run", str(history), str(warehouse))
    out["run_nothing_new"] = step("run", str(history), str(warehouse))
    if page_repeats > 0:
        try:
            pages = step("pages", str(warehouse), str(page_repeats))
            out["pages"], out["pages_step"] = pages["pages"], {"peak_rss_mb": pages["peak_rss_mb"]}
        except SystemExit as exc:  # the dashboard's page timer is not available
            out["pages"] = {"error": str(exc)[:300]}
    return out


def _against(value: float, target: float, unit: str, fmt: str = "{:.1f}") -> str:
    """``value`` and whether it meets ``target`` (lower is better); by how much when it does not."""
    shown = fmt.format(value) + unit
    if value <= target:
        return f"{shown} ✓"
    return f"{shown} ✗ (target {fmt.format(target)}{unit}: {value / target:.1f}× over)"


PHASES = ("ingestion", "feed checks", "ledger", "dbt", "freshness checks", "start-up and publish")


def _phases(run: dict) -> str:
    return ", ".join(f"{name} {run['phases'].get(name, 0):.1f}" for name in PHASES)


def render(results: list[dict], host: str) -> str:
    today = dt.date.today().isoformat()
    lines = [f"## Whole runs of {today}", "", f"Machine: {host}.", "",
             "Each figure is one `ipx run --quiet` in a new process, from the command to its exit "
             "(what the operator waits for); its phases come from the run's Dagster event log "
             "(\"start-up and publish\" is the time outside the Dagster run: imports, definitions, "
             "the summary and the serving copy).", ""]
    lines += ["| size | records | full build: whole run | ingestion (ratio to floor, target ≤ 2×) | "
              "feed checks (share of the run, target ≤ 10 %) | dbt | new month: whole run | "
              "ratio to full build (target ≤ 5 %) | nothing new: whole run |",
              "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        full, month, idle = r["run_full"], r["run_month"], r["run_nothing_new"]
        ingestion = full["phases"].get("ingestion", 0)
        checks = full["phases"].get("feed checks", 0)
        lines.append(
            f"| {r['size']} | {full['warehouse_records']:,} | {full['seconds']:.1f} s | {ingestion:.1f} s "
            f"({_against(ingestion / r['floor_history']['seconds'], 2, '×')}) | {checks:.1f} s "
            f"({_against(100 * checks / full['seconds'], 10, ' %', '{:.1f}')}) | {full['phases'].get('dbt', 0):.1f} s | "
            f"{month['seconds']:.1f} s ({r['held_back_month']}) | "
            f"{_against(100 * month['seconds'] / full['seconds'], 5, ' %', '{:.1f}')} | {idle['seconds']:.1f} s |")
    lines += ["", "Phases (s):", "", "| size | run | " + " | ".join(PHASES) + " | peak RSS (target ≤ 8 GiB) |",
              "|---|---|" + "---|" * len(PHASES) + "---|"]
    for r in results:
        for label, key in (("full build", "run_full"), ("new month", "run_month"), ("nothing new", "run_nothing_new")):
            run = r[key]
            lines.append(f"| {r['size']} | {label} | " + " | ".join(f"{run['phases'].get(n, 0):.1f}" for n in PHASES)
                         + f" | {_against(run['peak_rss_mb'], 8192, ' MB', '{:,.0f}')} |")
    lines.append("")
    lines.append("DuckDB read floor of the history: " + ", ".join(
        f"{r['size']} {r['floor_history']['seconds']:.1f} s ({r['floor_history']['records']:,} records)" for r in results) + ".")
    pages_rows = [(r, p, t) for r in results for p, t in (r.get("pages") or {}).items() if isinstance(t, dict)]
    if pages_rows:
        lines += ["", "Dashboard pages (ms, cached queries after the first load):", "",
                  "| size | page | p50 | p95 | first load |", "|---|---|---|---|---|"]
        for r, page, t in pages_rows:
            lines.append(f"| {r['size']} | {page} | {t['p50_ms']:.0f} | {t['p95_ms']:.0f} | {t.get('first_ms', 0):.0f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", default=["small", "demo", "national"],
                        help="small, demo, national, or SIZE=LANDING_DIR to use an existing folder")
    parser.add_argument("--work", default="/tmp/ipx-bench")
    parser.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"))
    parser.add_argument("--page-repeats", type=int, default=20, help="0: no page timings")
    parser.add_argument("--national-years", nargs="+", default=["2024"],
                        help="years generated for the national size (e.g. 2022 2023 2024)")
    parser.add_argument("--json", default=None, help="also write the raw results here")
    args = parser.parse_args()
    work = Path(args.work)
    results = []
    for spec in args.sizes:
        size, _, given = spec.partition("=")
        landing = Path(given) if given else work / f"{size}-landing"
        if not given and not landing.exists():
            gen = [str(Path(sys.executable).parent / "ipx"), "generate", "--out", str(landing), "--scale", size]
            if size.startswith("national"):
                gen = [*gen[:-1], "national", "--years", *args.national_years]
            subprocess.run(gen, check=True)
        print(f"benchmarking {size} ({landing})", flush=True)
        results.append(bench(size, landing, work / size, args.page_repeats))
        print(json.dumps(results[-1], ensure_ascii=False), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    out = Path(args.out)
    previous = out.read_text(encoding="utf-8") if out.exists() else "# Benchmarks\n\n"
    out.write_text(previous.rstrip() + "\n\n" + render(results, machine()), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
