"""Mapping a delivery's header row onto its feed contract.

Headers are compared after NFKC with all whitespace removed. An amount column may carry its
unit (``预算金额（万元）`` → values × 10,000). Columns the contract does not know are kept
aside, except those whose header suggests personal data, which are dropped unread.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ipx.contracts import FeedContract
from ipx.ingestion.quarantine import Quarantine

UNIT_SUFFIXES = {"(万元)": 10000, "(元)": 1}
PII_HEADER_RE = re.compile(r"姓名|身份证|公民身份|证件号|手机|电话|住址|联系人|户籍")
_WS = re.compile(r"\s+")


def header_key(text: object) -> str:
    if text is None:
        return ""
    value = unicodedata.normalize("NFKC", str(text)).replace("\ufeff", "")
    return _WS.sub("", value)


@dataclass
class HeaderMap:
    width: int
    positions: dict[str, int] = field(default_factory=dict)  # contract column -> cell index
    scale: dict[str, int] = field(default_factory=dict)  # amount column -> multiplier
    extras: list[tuple[int, str]] = field(default_factory=list)  # (cell index, header) kept aside
    dropped: list[str] = field(default_factory=list)  # headers dropped as personal data

    @property
    def extra_headers(self) -> list[str]:
        return [h for _, h in self.extras]


def _lookup(contract: FeedContract) -> dict[str, tuple[str, int]]:
    table: dict[str, tuple[str, int]] = {}
    for col in contract.columns:
        key = header_key(col.header)
        table[key] = (col.name, 1)
        if col.type == "amount":
            for suffix, factor in UNIT_SUFFIXES.items():
                table[key + suffix] = (col.name, factor)
    return table


def score_header(cells: list[object], contract: FeedContract) -> int:
    lookup = _lookup(contract)
    return len({lookup[k][0] for k in map(header_key, cells) if k in lookup})


def map_header(cells: list[object], contract: FeedContract) -> HeaderMap:
    """Map header cells to contract columns, or raise ``Quarantine('header_invalid')``."""
    lookup = _lookup(contract)
    # trailing empty header cells are not columns
    width = len(cells)
    while width and header_key(cells[width - 1]) == "":
        width -= 1
    if width == 0:
        raise Quarantine("header_invalid", "no header row")
    hmap = HeaderMap(width=width)
    seen: dict[str, int] = {}
    for index, cell in enumerate(cells[:width]):
        key = header_key(cell)
        if key in lookup:
            name, factor = lookup[key]
            if name in seen:
                raise Quarantine("header_invalid", f"column {name} ({key}) appears twice")
            seen[name] = index
            if contract.column(name).loaded:
                hmap.positions[name] = index
                if factor != 1:
                    hmap.scale[name] = factor
        elif key == "":
            hmap.extras.append((index, f"(第{index + 1}列)"))
        elif PII_HEADER_RE.search(key):
            hmap.dropped.append(key)
        else:
            if key in hmap.extra_headers:
                raise Quarantine("header_invalid", f"header {key!r} appears twice")
            hmap.extras.append((index, key))
    missing = [c.header for c in contract.columns if c.required and c.name not in seen]
    if missing:
        raise Quarantine("header_invalid", "required columns missing: " + ", ".join(missing))
    return hmap
