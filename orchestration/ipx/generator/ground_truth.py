"""The ground truth: what every written file should do when ingested, every injection with
its expected outcome, and totals. It never holds personal data (names, resident IDs)."""

from __future__ import annotations

import json
from pathlib import Path

from ipx.generator.delivery import QUARANTINE_FATES, Submission


def file_entry(sub: Submission, records: int, encoding: str, rejected: dict[int, str],
               flagged: dict[int, list[str]]) -> dict:
    loaded = sub.outcome == "loaded"
    return {
        "feed": sub.feed,
        "file": sub.file_name,
        "province": sub.province,
        "period": sub.period.label,
        "seq": f"{sub.seq:02d}",
        "format": sub.fmt,
        "encoding": encoding,
        "records": records,
        "outcome": sub.outcome,
        "quarantine_reason": QUARANTINE_FATES.get(sub.fate),
        "rejected": {str(k): v for k, v in sorted(rejected.items())} if loaded else {},
        "flagged": {str(k): v for k, v in sorted(flagged.items())} if loaded else {},
        "exported_at": sub.exported_at.isoformat(timespec="seconds"),
        "late": sub.late,
    }


def totals(files: list[dict]) -> dict:
    loaded = [f for f in files if f["outcome"] == "loaded"]
    return {
        "files_written": len(files),
        "files_loaded": len(loaded),
        "files_quarantined": sum(f["outcome"] == "quarantined" for f in files),
        "files_pending": sum(f["outcome"] == "pending" for f in files),
        "records_loaded": sum(f["records"] - len(f["rejected"]) for f in loaded),
        "records_rejected": sum(len(f["rejected"]) for f in loaded),
        "records_flagged": sum(len(f["flagged"]) for f in loaded),
    }


def build(scale_name: str, seed: int, provinces: list[str], first: str, last: str,
          files: list[dict], injections: list[dict]) -> dict:
    files = sorted(files, key=lambda f: (f["feed"], f["province"], f["period"], f["seq"]))
    injections = sorted(injections, key=lambda i: (i["feed"], i.get("file") or "", i.get("record") or 0, i["kind"]))
    return {
        "scale": scale_name,
        "seed": seed,
        "provinces": provinces,
        "periods": {"first": first, "last": last},
        "files": files,
        "injections": injections,
        "totals": totals(files),
    }


def write(path: Path, truth: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(truth, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
