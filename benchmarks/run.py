"""The ipx benchmark: cost against work and against what the hardware allows, at several sizes.

    .venv/bin/python benchmarks/run.py --sizes small demo national --work /tmp/ipx-bench [--out BENCHMARKS.md]

For each size it generates a landing folder (unless one is given with SIZE=DIR), holds back the
last month of every monthly feed, and measures — each step in a fresh process, so that its peak
resident memory is its own:

1. the DuckDB read floor: DuckDB alone reading every landing file, counting records;
2. ipx ingestion of the history (everything but the last month) and its ratio to the floor;
3. the dbt build of the whole warehouse (full refresh);
4. absorbing the held-back month: ingestion of the new files plus an incremental dbt build, and
   its ratio to the full build (ingestion + dbt);
5. each dashboard page's time (p50, p95 over repeated loads, cached queries);
6. peak RSS of every step and records per second.

It appends a table per size to the output file with the machine (cores, memory) and the date.
Targets to report against (not asserted anywhere): ingestion within 3× the floor, one new month
under 10 % of a full build, pages p95 under 300 ms at national volume, peak memory under 8 GiB.
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
    work.mkdir(parents=True, exist_ok=True)
    history, month = work / "history", work / "month"
    last = split_last_month(landing, history, month)
    warehouse = work / "ipx.duckdb"
    for stale in work.glob("ipx.duckdb*"):
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    out: dict = {"size": size, "held_back_month": last}
    out["floor"] = step("floor", str(landing))
    out["floor_history"] = step("floor", str(history))
    out["ingest"] = step("ingest", str(history), str(warehouse))
    out["dbt_full"] = step("dbt", str(warehouse), "--full-refresh")
    # the new month arrives in the landing folder next to the history
    for path in month.rglob("*"):
        if path.is_file():
            target = history / path.relative_to(month)
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                os.link(path, target)
    out["ingest_month"] = step("ingest", str(history), str(warehouse))
    out["dbt_incremental"] = step("dbt", str(warehouse))
    from_ipx = [sys.executable, "-c", "import sys; from ipx.serving import publish_serving_copy; "
                "from ipx.storage import WarehouseLayout; publish_serving_copy(WarehouseLayout.at(sys.argv[1]), 'bench')",
                str(warehouse)]
    subprocess.run(from_ipx, check=True, cwd=ROOT)
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


def render(results: list[dict], host: str) -> str:
    today = dt.date.today().isoformat()
    lines = [f"## Run of {today}", "", f"Machine: {host}.", ""]
    lines += ["| size | records (floor count) | DuckDB read floor | ipx ingestion | ratio to floor (target ≤ 3×) | "
              "ingestion records/s | dbt full build | full build (ingest + dbt) | "
              "new month: ingest + dbt | ratio to full build (target < 10 %) |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        floor_h = r["floor_history"]["seconds"]
        ing = r["ingest"]
        full = ing["seconds"] + r["dbt_full"]["seconds"]
        month = r["ingest_month"]["seconds"] + r["dbt_incremental"]["seconds"]
        lines.append(
            f"| {r['size']} | {r['floor']['records']:,} | {floor_h:.1f} s | {ing['seconds']:.1f} s | "
            f"{_against(ing['seconds'] / floor_h, 3, '×')} | {ing['records'] / ing['seconds']:,.0f} | "
            f"{r['dbt_full']['seconds']:.1f} s | {full:.1f} s | "
            f"{r['ingest_month']['seconds']:.1f} + {r['dbt_incremental']['seconds']:.1f} s ({r['held_back_month']}) | "
            f"{_against(100 * month / full, 10, ' %', '{:.0f}')} |")
    lines += ["", "Peak resident memory of each step (target < 8 GiB = 8,192 MB):", "",
              "| size | DuckDB floor | ingestion | dbt full build | new month: ingestion | new month: dbt | dashboard pages |",
              "|---|---|---|---|---|---|---|"]
    for r in results:
        cells = [r.get(k, {}).get("peak_rss_mb") for k in
                 ("floor_history", "ingest", "dbt_full", "ingest_month", "dbt_incremental", "pages_step")]
        lines.append(f"| {r['size']} | " + " | ".join(
            "–" if v is None else _against(v, 8192, " MB", "{:,.0f}") for v in cells) + " |")
    lines += ["", "Dashboard pages (ms, cached queries after the first load; target p95 < 300 ms at national volume):", ""]
    lines += ["| size | page | p50 | p95 | first load |", "|---|---|---|---|---|"]
    for r in results:
        pages = r.get("pages") or {}
        if "error" in pages:
            lines.append(f"| {r['size']} | (not measured: {pages['error'][:80]}) | | | |")
            continue
        for page, t in pages.items():
            p95 = _against(t["p95_ms"], 300, "", "{:.0f}") if r["size"] == "national" else f"{t['p95_ms']:.0f}"
            lines.append(f"| {r['size']} | {page} | {t['p50_ms']:.0f} | {p95} | {t.get('first_ms', 0):.0f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", default=["small", "demo", "national"],
                        help="small, demo, national, or SIZE=LANDING_DIR to use an existing folder")
    parser.add_argument("--work", default="/tmp/ipx-bench")
    parser.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"))
    parser.add_argument("--page-repeats", type=int, default=20)
    parser.add_argument("--json", default=None, help="also write the raw results here")
    args = parser.parse_args()
    work = Path(args.work)
    results = []
    for spec in args.sizes:
        size, _, given = spec.partition("=")
        landing = Path(given) if given else work / f"{size}-landing"
        if not given and not landing.exists():
            gen = [str(Path(sys.executable).parent / "ipx"), "generate", "--out", str(landing), "--scale", size]
            if size == "national":
                gen += ["--years", "2024"]
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
