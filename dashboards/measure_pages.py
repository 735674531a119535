"""Measure how long each dashboard page takes to render, headless, with Streamlit's AppTest.

    .venv/bin/python dashboards/measure_pages.py --warehouse /tmp/gdw/ipx.duckdb [--runs 20]

Signs in as a temporary national user (a throw-away user file, so every page is reachable), then
for each page: one first load (cold caches: boundaries, queries; for the first page, the run
right after signing in, which lands there), then ``--runs`` reruns of the
page as a user's interaction would cause them; reports the first load and the p50 / p95 of the
reruns in milliseconds. The times are the server side of a page (running the script and
building every element), not the browser's drawing.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from dashboards.headless import app_test
from dashboards.users import User, hash_password, save_users

PAGES = {
    "热点总览": "views/hotspots.py",
    "超标与隐患整改": "views/watchlist.py",
    "省级考核": "views/assessment.py",
    "费率浮动": "views/floating.py",
    "终期评估": "views/evaluation.py",
    "数据交换": "views/feed_health.py",
}
_USER, _PASSWORD = "measure", "measure-pages-only"


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def _signed_in_app():
    """An AppTest session signed in; the sign-in lands on the first page, cold: that run's time."""
    app = app_test()
    app.run()
    app.text_input(key="sign_in_name").input(_USER)
    app.text_input(key="sign_in_password").input(_PASSWORD)
    app.button(key="FormSubmitter:sign_in-登录").click()
    start = time.perf_counter()
    app.run()
    landing = time.perf_counter() - start
    if app.exception:
        raise RuntimeError(f"sign-in failed: {app.exception[0].value}")
    return app, landing


def measure(warehouse: Path, runs: int) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="ipx-measure-") as tmp:
        users = Path(tmp) / "users.toml"
        save_users(users, {_USER: User(_USER, "national", None, "页面计时", hash_password(_PASSWORD))})
        os.environ["IPX_WAREHOUSE"] = str(warehouse)
        os.environ["IPX_USERS_FILE"] = str(users)
        os.environ.pop("IPX_AUTH_HEADER", None)
        app, landing = _signed_in_app()
        for i, (title, page) in enumerate(PAGES.items()):
            app.switch_page(page)
            start = time.perf_counter()
            app.run()
            # the first page was already loaded cold by the sign-in (it includes the sign-in check)
            first = landing if i == 0 else time.perf_counter() - start
            if app.exception:
                raise RuntimeError(f"{title}: {app.exception[0].value}")
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                app.run()
                times.append(time.perf_counter() - start)
            results[title] = {
                "first_ms": round(first * 1000, 1),
                "p50_ms": round(percentile(times, 50) * 1000, 1),
                "p95_ms": round(percentile(times, 95) * 1000, 1),
                "mean_ms": round(statistics.fmean(times) * 1000, 1),
                "runs": runs,
            }
    return results


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")  # no bare-mode warnings in the report
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", required=True, help="warehouse file; its published serving copy is read")
    parser.add_argument("--runs", type=int, default=20, help="reruns per page after the first load")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    results = measure(Path(args.warehouse).expanduser().resolve(), max(1, args.runs))
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return 0
    print(f"{'page':<10}\t{'first load':>10}\t{'p50':>8}\t{'p95':>8}\t(ms, {args.runs} reruns each)")
    for title, r in results.items():
        print(f"{title:<10}\t{r['first_ms']:>10.1f}\t{r['p50_ms']:>8.1f}\t{r['p95_ms']:>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
