"""The dashboard's access log: who signed in (or failed to), who signed out, every file
downloaded (who, role, what, which year, which provinces' details it holds), and every employer
profile opened (``profile_open``: who, role, the employer's USCC and province — a USCC is an
organisation's code, not personal data — once per employer and session; ``profile_refused`` when
a provincial user asks for another province's employer).

One JSON object per line in ``<warehouse>.logs/access-YYYYMM.jsonl`` (``IPX_ACCESS_LOG_DIR``
overrides the folder), times in UTC. Files older than ``IPX_ACCESS_LOG_MONTHS`` months (default
24) are removed when a new month's file is started. No personal data: account names, roles and
province codes only — never a password, and a failed sign-in under a name that is no configured
account is logged as ``(unknown)`` (people type the oddest things into a user-name box). A log
that cannot be written never stops the dashboard; the failure goes to the server's stderr.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from ipx.storage import WarehouseLayout

DIR_ENV, MONTHS_ENV = "IPX_ACCESS_LOG_DIR", "IPX_ACCESS_LOG_MONTHS"
DEFAULT_MONTHS = 24
UNKNOWN = "(unknown)"


def log_dir(warehouse: Path) -> Path:
    return Path(os.environ[DIR_ENV]) if os.environ.get(DIR_ENV) else WarehouseLayout.at(warehouse).log_dir


def _months_kept() -> int:
    try:
        return max(1, int(os.environ.get(MONTHS_ENV, DEFAULT_MONTHS)))
    except ValueError:
        return DEFAULT_MONTHS


def _prune(folder: Path, now: dt.datetime) -> None:
    oldest = now.year * 12 + now.month - 1 - (_months_kept() - 1)
    for path in folder.glob("access-??????.jsonl"):
        stamp = path.stem.removeprefix("access-")
        if stamp.isdigit() and int(stamp[:4]) * 12 + int(stamp[4:]) - 1 < oldest:
            path.unlink(missing_ok=True)


def record(warehouse: Path, event: str, *, user: str | None, role: str | None = None,
           province: str | None = None, **details) -> None:
    """Append one event; ``details`` are plain values (what, year, provinces, ...)."""
    now = dt.datetime.now(dt.UTC)
    entry = {"at": now.isoformat(timespec="seconds"), "event": event, "user": user, "role": role,
             "province": province, **details}
    try:
        folder = log_dir(warehouse)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"access-{now:%Y%m}.jsonl"
        if not path.exists():
            _prune(folder, now)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
    except OSError as exc:
        print(f"ipx dashboard: access log not written ({exc})", file=sys.stderr)


def record_viewer(warehouse: Path, event: str, viewer, **details) -> None:
    record(warehouse, event, user=viewer.name, role=viewer.role, province=viewer.province,
           via="sso" if viewer.via_sso else "password", **details)


def download(warehouse: Path, viewer, what: str, make: Callable[[], bytes], *, year: int | None = None,
             provinces: frozenset[str] | list[str] | None = None) -> bytes:
    """Make a download's bytes and log it: ``provinces`` are those whose details the file holds
    (None: every province)."""
    content = make()
    record_viewer(warehouse, "download", viewer, what=what, year=year,
                  provinces="all" if provinces is None else sorted(provinces), bytes=len(content))
    return content


def profile(warehouse: Path, viewer, event: str, *, uscc: str, employer_province: str | None) -> None:
    """An employer profile opened (``profile_open``) or refused (``profile_refused``): the viewer's
    own province stays in ``province``; the employer's is ``employer_province`` (None when refused,
    so that a refusal does not tell which province the employer belongs to)."""
    record_viewer(warehouse, event, viewer, uscc=uscc, employer_province=employer_province)


def read(warehouse: Path) -> list[dict]:
    """Every logged event, oldest first (for tests and operators)."""
    folder = log_dir(warehouse)
    events = []
    for path in sorted(folder.glob("access-??????.jsonl")):
        events += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return events
