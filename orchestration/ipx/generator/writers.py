"""Bytes of delivered files: RFC 4180 CSV in the file's encoding, XLSX laid out as agencies
export it (title rows, header, data, blank row, total row, a notes sheet), and manifests.
Everything is deterministic: XLSX files carry a fixed creation time and zip timestamps."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json

import numpy as np
import xlsxwriter

from ipx.generator.delivery import Submission
from ipx.generator.untidiness import FileStyle

MANIFEST_KEYS = ("feed", "province", "period", "seq", "file", "sha256", "rows", "encoding",
                 "exported_at", "agency")


def csv_bytes(headers: list[str], columns: list[np.ndarray], style: FileStyle) -> bytes:
    """RFC 4180 CSV (quotes only where needed) of string columns."""
    cols = [_quoted_column(c) for c in columns]
    lines = [",".join(_quoted_column(np.array(headers, dtype=object)))]
    if cols and len(cols[0]):
        lines.extend(map(",".join, zip(*cols)))
    text = style.line_end.join(lines) + style.line_end
    return text.encode(style.python_encoding)


def _quoted_column(values: np.ndarray) -> list[str]:
    items = ["" if v is None else str(v) for v in values.tolist()]
    joined = "\x00".join(items)
    if not any(ch in joined for ch in ',"\r\n'):
        return items
    for i, v in enumerate(items):
        if "," in v or '"' in v or "\n" in v or "\r" in v:
            items[i] = '"' + v.replace('"', '""') + '"'
    return items


def xlsx_bytes(headers: list[str], columns: list[np.ndarray], style: FileStyle, title: str,
               subtitle: str, notes: list[str], created: dt.datetime, total_columns: list[int]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                        "strings_to_formulas": False, "strings_to_urls": False})
    book.set_properties({"created": created.replace(tzinfo=None), "author": "exchange platform"})
    sheet = book.add_worksheet(style.sheet_name)
    title_fmt = book.add_format({"bold": True, "align": "center"})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    datetime_fmt = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss" if style.datetime_seconds else "yyyy-mm-dd hh:mm"})
    width = max(len(headers), 2)
    row = 0
    sheet.merge_range(row, 0, row, width - 1, title, title_fmt)
    row += 1
    if style.title_rows > 1:
        sheet.write_string(row, 0, subtitle)
        row += 1
    for c, h in enumerate(headers):
        sheet.write_string(row, c, h)
    row += 1
    n = len(columns[0]) if columns else 0
    sums = dict.fromkeys(total_columns, 0.0)
    for c, values in enumerate(columns):
        moment_fmt = datetime_fmt if _is_datetime_column(values) else date_fmt
        for r, v in enumerate(values.tolist()):
            if v is None:
                continue
            if isinstance(v, str):
                if v:
                    sheet.write_string(row + r, c, v)
            elif isinstance(v, bool):
                sheet.write_string(row + r, c, str(v))
            elif isinstance(v, dt.datetime):
                sheet.write_datetime(row + r, c, v, moment_fmt)
            else:
                sheet.write_number(row + r, c, v)
                if c in sums:
                    sums[c] += float(v)
    row += n + 1                                   # one blank row after the data
    sheet.write_string(row, 0, style.total_label)
    for c, total in sums.items():
        if c != 0:
            sheet.write_number(row, c, round(total, 2))
    notes_sheet = book.add_worksheet("填报说明")
    for r, line in enumerate(notes):
        notes_sheet.write_string(r, 0, line)
    book.close()
    return buffer.getvalue()


def _is_datetime_column(values: np.ndarray) -> bool:
    return any(isinstance(v, dt.datetime) and (v.hour or v.minute or v.second) for v in values.tolist())


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest_bytes(manifest: dict) -> bytes:
    ordered = {k: manifest[k] for k in MANIFEST_KEYS}
    return json.dumps(ordered, ensure_ascii=False).encode("utf-8")


def corrupt_manifest_bytes(manifest: dict, pick: int) -> bytes:
    """An unreadable manifest: cut short, or with a stray trailing comma."""
    text = manifest_bytes(manifest).decode("utf-8")
    if pick % 2:
        return text[: len(text) // 2].encode("utf-8")
    return (text[:-1] + ",}").encode("utf-8")


def _previous_period(sub: Submission) -> str:
    p = sub.period
    if p.cadence == "monthly":
        y, m = (p.year, p.index - 1) if p.index > 1 else (p.year - 1, 12)
        return f"{y}{m:02d}"
    if p.cadence == "quarterly":
        y, q = (p.year, p.index - 1) if p.index > 1 else (p.year - 1, 4)
        return f"{y}Q{q}"
    return str(p.year - 1)


def mismatched_manifest(manifest: dict, sub: Submission) -> dict:
    """A manifest naming another period, province or feed than its file."""
    bad = dict(manifest)
    if sub.mismatch_field == "period":
        bad["period"] = _previous_period(sub)
    elif sub.mismatch_field == "province":
        others = [p for p in ("440000", "450000", "430000", "510000") if p != sub.province]
        bad["province"] = others[0]
    else:
        bad["feed"] = "hrss_training" if sub.feed != "hrss_training" else "hrss_injury_claims"
    return bad


def truncated_csv(data: bytes, n: int, style: FileStyle) -> tuple[bytes, int]:
    """Cut a CSV after its header and half of its records (a transfer that broke off)."""
    end = style.line_end.encode("ascii")
    keep = n // 2
    pos = -1
    for _ in range(keep + 1):
        pos = data.find(end, pos + 1)
        if pos < 0:
            return data[: max(1, len(data) // 2)], 0
    if keep == 0 and n == 0:
        return data[: max(1, pos // 2)], 0
    return data[: pos + len(end)], keep
