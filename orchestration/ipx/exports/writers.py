"""Writing tables to CSV or XLSX safely.

Cells that come from source data and begin with ``=``, ``+``, ``-``, ``@`` (or a tab or
carriage return) would be read by spreadsheet programs as formulas; they are neutralised by
a leading apostrophe (OWASP's CSV-injection advice). Numbers are written as numbers and are
not touched.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _atomic_target(out: Path):
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    os.close(fd)
    return Path(tmp)


def write_csv(out: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """UTF-8 with BOM (so Excel shows Chinese), RFC 4180; returns the number of rows."""
    tmp = _atomic_target(out)
    n = 0
    try:
        with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            for row in rows:
                writer.writerow(["" if v is None else neutralise(v) for v in row])
                n += 1
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()
    return n


def write_xlsx(out: Path, sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]],
               created: dt.datetime | None = None) -> None:
    """Several sheets of (name, header, rows); strings are never interpreted as formulas.

    ``created`` (e.g. the data's as-of time) becomes the workbook's creation date and the zip
    members' times, so the same data gives the same bytes; without it, the time of writing."""
    import xlsxwriter

    tmp = _atomic_target(out)
    try:
        book = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False,
                                             "strings_to_numbers": False})
        if created is not None:
            book.set_properties({"created": created})
        bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        for name, header, rows in sheets:
            sheet = book.add_worksheet(name[:31])
            for c, title in enumerate(header):
                sheet.write_string(0, c, str(title), bold)
                sheet.set_column(c, c, max(10, min(40, len(str(title)) * 2)))
            for r, row in enumerate(rows, start=1):
                for c, value in enumerate(row):
                    if value is None:
                        continue
                    if isinstance(value, bool):
                        sheet.write_boolean(r, c, value)
                    elif isinstance(value, (int, float)):
                        sheet.write_number(r, c, value)
                    else:
                        sheet.write_string(r, c, str(neutralise(value)))
            sheet.freeze_panes(1, 0)
        book.close()
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()
