"""One dashboard session for the concurrency test: signs in and keeps loading pages until a stop
file appears, writing one JSON line per page load (the as-of caption it showed, a figure it
showed, and any exception). Run as a separate process: python reader_session.py OUT STOP USERS."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for dashboard_support

from dashboard.dashboard_support import metrics, new_app, sign_in

PAGES = ["views/hotspots.py", "views/assessment.py", "views/watchlist.py"]


def main() -> None:
    out, stop = Path(sys.argv[1]), Path(sys.argv[2])
    at = sign_in(new_app(), "reader", "reader-password")
    loads = 0
    with out.open("w", encoding="utf-8") as fh:
        while not stop.exists() or loads < 6:
            page = PAGES[loads % len(PAGES)]
            at.switch_page(page)
            record = {"page": page, "at": time.time()}
            try:
                at.run()
                record["exception"] = [str(e.value) for e in at.exception]
                record["caption"] = next((str(c.value) for c in at.caption if "数据截至" in str(c.value)), None)
                record["metrics"] = metrics(at)
            except Exception as exc:  # a failure of the page run itself
                record["exception"] = [f"{type(exc).__name__}: {exc}"]
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            fh.flush()
            loads += 1


if __name__ == "__main__":
    main()
