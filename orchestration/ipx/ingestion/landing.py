"""Finding deliveries in a landing folder (spec section 1).

``<landing>/<feed_id>/<province>_<period>_<seq>.<csv|xlsx>`` with its
``<province>_<period>_<seq>.manifest.json``. A data file is taken only once its manifest is
present; a manifest whose data file is absent is a delivery to quarantine; names starting
with ``_`` or ``.`` are not deliveries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ipx import reference
from ipx.contracts import FeedContract

DATA_SUFFIXES = (".csv", ".xlsx")
MANIFEST_SUFFIX = ".manifest.json"
STEM_RE = re.compile(r"^(?P<province>\d{6})_(?P<period>\d{4}(?:\d{2}|Q[1-4])?)_(?P<seq>\d{2})$")
PERIOD_RE = {
    "monthly": re.compile(r"^(?P<year>\d{4})(?P<month>0[1-9]|1[0-2])$"),
    "quarterly": re.compile(r"^(?P<year>\d{4})Q(?P<quarter>[1-4])$"),
    "annual": re.compile(r"^(?P<year>\d{4})$"),
}


@dataclass(frozen=True)
class Delivery:
    """A data file and/or its manifest under one stem in a feed folder."""

    feed: str
    stem: str
    data_path: Path | None
    manifest_path: Path | None
    province: str | None = None
    period: str | None = None
    seq: str | None = None
    name_problem: str | None = None

    @property
    def file_name(self) -> str:
        return self.data_path.name if self.data_path else f"{self.stem}.?"

    @property
    def slice_key(self) -> tuple[str, str | None, str | None]:
        return (self.feed, self.province, self.period)


@dataclass
class LandingScan:
    deliveries: list[Delivery] = field(default_factory=list)
    pending: list[Delivery] = field(default_factory=list)  # data files still without manifest
    ignored: list[Path] = field(default_factory=list)  # not a delivery at all


def parse_stem(stem: str, contract: FeedContract) -> tuple[str | None, str | None, str | None, str | None]:
    """(province, period, seq, problem) of a file stem."""
    m = STEM_RE.match(stem)
    if not m:
        return None, None, None, f"name {stem!r} is not <province>_<period>_<seq>"
    province, period, seq = m["province"], m["period"], m["seq"]
    if province not in reference.provinces():
        return province, period, seq, f"{province} is not a provincial code of GB/T 2260 (or 660000)"
    if not PERIOD_RE[contract.cadence].match(period):
        return province, period, seq, f"period {period!r} is not a {contract.cadence} period"
    if seq == "00":
        return province, period, seq, "seq starts at 01"
    return province, period, seq, None


def scan_feed_folder(folder: Path, contract: FeedContract) -> LandingScan:
    scan = LandingScan()
    if not folder.is_dir():
        return scan
    data: dict[str, list[Path]] = {}
    manifests: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        name = path.name
        if name.startswith((".", "_")) or not path.is_file():
            continue
        if name.endswith(MANIFEST_SUFFIX):
            manifests[name[: -len(MANIFEST_SUFFIX)]] = path
        elif path.suffix.lower() in DATA_SUFFIXES:
            data.setdefault(path.stem, []).append(path)
        else:
            scan.ignored.append(path)
    for stem in sorted(set(data) | set(manifests)):
        province, period, seq, problem = parse_stem(stem, contract)
        paths = data.get(stem, [])
        if len(paths) > 1:
            # e.g. .csv and .xlsx under one name: which one the manifest means is ambiguous, and
            # neither may vanish without a trace
            twice = "more than one data file under one name: " + ", ".join(p.name for p in paths)
            problem = f"{problem}; {twice}" if problem else twice
        manifest = manifests.get(stem)
        if manifest is None:
            scan.pending.extend(Delivery(contract.feed, stem, path, None, province, period, seq, problem)
                                for path in paths)
        else:
            scan.deliveries.append(Delivery(contract.feed, stem, paths[0] if paths else None, manifest,
                                            province, period, seq, problem))
    scan.deliveries.sort(key=lambda d: (d.province or "", d.period or "", d.seq or "", d.stem))
    return scan


def scan_landing(landing: Path, contracts: dict[str, FeedContract]) -> dict[str, LandingScan]:
    """Every feed's deliveries; folders that are no feed are reported as ignored."""
    result = {feed: scan_feed_folder(landing / feed, c) for feed, c in contracts.items()}
    if landing.is_dir():
        strays = [p for p in sorted(landing.iterdir())
                  if p.name not in contracts and not p.name.startswith((".", "_"))]
        if strays:
            result.setdefault("_unknown", LandingScan()).ignored.extend(strays)
    return result


def period_year(period: str) -> int:
    return int(period[:4])
