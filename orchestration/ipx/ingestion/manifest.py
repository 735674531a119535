"""Reading and checking a delivery's manifest (spec section 1)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from ipx.ingestion.landing import Delivery
from ipx.ingestion.quarantine import Quarantine

BEIJING = dt.timezone(dt.timedelta(hours=8))
ENCODINGS = {"UTF-8": "utf-8", "UTF8": "utf-8", "GB18030": "gb18030", "GBK": "gb18030", "GB2312": "gb18030"}
MAX_ROWS = 2 ** 63 - 1  # the ledger's BIGINT


@dataclass(frozen=True)
class Manifest:
    feed: str
    province: str
    period: str
    seq: str
    file: str
    sha256: str
    rows: int
    encoding: str  # Python codec name
    exported_at: dt.datetime  # naive, Beijing time
    agency: str
    raw_bytes_sha256: str


def _beijing(value: str) -> dt.datetime:
    stamp = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=BEIJING)
    return stamp.astimezone(BEIJING).replace(tzinfo=None)


def read_manifest(delivery: Delivery, manifest_sha256: str) -> Manifest:
    """The checked manifest, or raise ``Quarantine`` with the reason the spec names."""
    path: Path = delivery.manifest_path  # type: ignore[assignment]
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        rows = data["rows"]
        if isinstance(rows, bool) or not isinstance(rows, int) or not 0 <= rows <= MAX_ROWS:
            raise ValueError(f"rows must be a non-negative integer, got {str(rows)[:40]}")
        sha = str(data["sha256"]).strip().lower()
        if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
            raise ValueError("sha256 is not 64 hex digits")
        encoding_name = str(data.get("encoding") or "UTF-8").strip().upper().replace("_", "-")
        if encoding_name not in ENCODINGS:
            raise ValueError(f"encoding {data.get('encoding')!r} is neither UTF-8 nor GB18030")
        manifest = Manifest(
            feed=str(data["feed"]).strip(), province=str(data["province"]).strip(),
            period=str(data["period"]).strip(), seq=str(data["seq"]).strip(),
            file=str(data["file"]).strip(), sha256=sha, rows=rows,
            encoding=ENCODINGS[encoding_name], exported_at=_beijing(str(data["exported_at"])),
            agency=str(data.get("agency") or ""), raw_bytes_sha256=manifest_sha256,
        )
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError, OverflowError,
            RecursionError) as exc:
        # OverflowError: a time stamp that leaves the calendar once moved to Beijing time;
        # RecursionError: JSON nested too deep to parse
        detail = f"missing field {exc}" if isinstance(exc, KeyError) else f"{exc}"[:300]
        raise Quarantine("manifest_unreadable", f"manifest cannot be read: {detail}") from exc
    if delivery.data_path is None:
        raise Quarantine("data_file_missing", f"manifest names {manifest.file!r} but no such data file arrived")
    named = {"feed": delivery.feed, "province": delivery.province, "period": delivery.period,
             "seq": delivery.seq, "file": delivery.data_path.name}
    said = {"feed": manifest.feed, "province": manifest.province, "period": manifest.period,
            "seq": manifest.seq, "file": manifest.file}
    wrong = [f"{k}={said[k]!r} (file says {v!r})" for k, v in named.items() if said[k] != v]
    if wrong:
        raise Quarantine("manifest_mismatch", "manifest names another slice: " + ", ".join(wrong))
    return manifest
