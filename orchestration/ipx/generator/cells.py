"""One file's cells: a slice's canonical rows rendered in the file's style (strings for
CSV; typed cell values for XLSX: numbers, real dates, text)."""

from __future__ import annotations

import numpy as np

from ipx.contracts import Column, FeedContract
from ipx.generator.feeds.table import Rows
from ipx.generator.rendering import (
    date_strings,
    datetime_strings,
    fixed_strings,
    grade_strings,
    int_strings,
    thousands_strings,
    to_date_cells,
    to_datetime_cells,
    trimmed_strings,
    wan_strings,
)
from ipx.generator.untidiness import REMARKS, FileStyle
from ipx.reference import reference_enum

# How many decimals a decimal column is written with (trimmed ones drop trailing zeros).
FIXED_DECIMALS = {"direct_loss_10k_yuan": 2}
TRIMMED_DECIMALS = {"hours": 1, "exposure_years": 1, "value": 3}


def _qita_aliases() -> dict[str, str]:
    _, aliases = reference_enum("gb6441_classes")
    return {canonical: alias for alias, canonical in aliases.items()}


def _dates(values: np.ndarray, style: FileStyle, rng: np.random.Generator) -> np.ndarray:
    if len(style.date_forms) == 1:
        return date_strings(values, style.date_forms[0])
    pick = rng.integers(0, len(style.date_forms), len(values))
    out = np.empty(len(values), dtype=object)
    for j, form in enumerate(style.date_forms):
        sel = pick == j
        out[sel] = date_strings(values[sel], form)
    return out


def _object_array(items: list) -> np.ndarray:
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def _nan_to_none(values: np.ndarray) -> np.ndarray:
    out = np.asarray(values, dtype=float).astype(object)
    out[np.isnan(np.asarray(values, dtype=float))] = None
    return out


def render_column(col: Column, values: np.ndarray, style: FileStyle, rng: np.random.Generator) -> np.ndarray:
    xlsx = style.fmt == "xlsx"
    n = len(values)
    t = col.type
    if t in ("text", "uscc", "resident_id"):
        return values.astype(str).astype(object)
    if t == "enum":
        out = values.astype(str).astype(object)
        if col.name == "accident_category" and style.qita:
            for canonical, alias in _qita_aliases().items():
                out[out == canonical] = alias
        if col.name == "unit" and style.unit_alias:
            out[out == "mg/m³"] = "mg/m3"
        return out
    if t in ("area_code", "industry_code"):
        out = values.astype(str).astype(object)
        if xlsx and style.numeric_codes:
            for i, v in enumerate(out.tolist()):
                if v.isdigit() and not v.startswith("0"):
                    out[i] = int(v)
        return out
    if t == "int":
        if xlsx:
            out = values.astype(np.int64).astype(object)
            # Exports mix numeric and text cells in a column (a count typed in as text).
            as_text = np.flatnonzero((rng.random(n) < 0.03) & (values >= 0))
            out[as_text] = values[as_text].astype(str).astype(object)
            out[values < 0] = None
            return out
        return int_strings(values)
    if t == "grade":
        if style.cn_grade == "all":
            chinese = np.ones(n, bool)
        elif style.cn_grade == "mixed":
            chinese = rng.random(n) < 0.5
        else:
            chinese = np.zeros(n, bool)
        out = grade_strings(values, chinese)
        if xlsx:
            numeric = ~chinese & (values >= 0)
            out[numeric] = values[numeric].astype(np.int64).astype(object)
            out[values < 0] = None
        return out
    if t == "dec":
        if xlsx:
            return _nan_to_none(values)
        if col.name in FIXED_DECIMALS:
            return fixed_strings(values, FIXED_DECIMALS[col.name])
        return trimmed_strings(values, TRIMMED_DECIMALS.get(col.name, 4))
    if t == "amount":
        if col.name in style.wan_columns:
            if xlsx:
                return _nan_to_none(np.round(values / 10_000.0, 6))
            return wan_strings(values)
        if style.thousands:
            return thousands_strings(values)
        return _nan_to_none(values) if xlsx else fixed_strings(values, 2)
    if t == "percent":
        text = fixed_strings(values, 2)
        if style.percent == "all":
            sign = np.ones(n, bool)
        elif style.percent == "mixed":
            sign = rng.random(n) < 0.5
        else:
            sign = np.zeros(n, bool)
        sign &= text != ""
        if sign.any():
            text[sign] = np.array([v + "%" for v in text[sign].tolist()], dtype=object)
        if xlsx:
            out = _nan_to_none(values)
            out[sign] = text[sign]
            return out
        return text
    if t == "date":
        if xlsx and style.date_cells:
            return _object_array(to_date_cells(values))
        return _dates(values, style, rng)
    if t == "datetime":
        if xlsx and style.date_cells:
            return _object_array(to_datetime_cells(values))
        return datetime_strings(values, style.datetime_seconds)
    raise ValueError(f"{col.name}: unknown type {t}")


def render_cells(contract: FeedContract, rows: Rows, style: FileStyle, rng: np.random.Generator,
                 province_name: str) -> dict[str, np.ndarray]:
    """Cells of every contract column and of the file's extra columns."""
    cells = {c.name: render_column(c, rows.columns[c.name], style, rng) for c in contract.columns}
    n = len(rows)
    for extra in style.extras:
        if extra == "序号":
            seq = np.arange(1, n + 1)
            cells[extra] = seq.astype(object) if style.fmt == "xlsx" else seq.astype(str).astype(object)
        elif extra == "所属省份":
            cells[extra] = np.full(n, province_name, dtype=object)
        else:
            remarks = np.full(n, "", dtype=object)
            hit = np.flatnonzero(rng.random(n) < 0.05)
            remarks[hit] = np.array(REMARKS, dtype=object)[rng.integers(0, len(REMARKS), len(hit))]
            if style.fmt == "xlsx":
                remarks[remarks == ""] = None
            cells[extra] = remarks
    return cells
