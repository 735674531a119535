"""Canonical values -> the text (CSV) or cell values (XLSX) of real exports, in the forms
spec section 1 allows: date forms, date-times, fixed decimals, thousands separators,
``（万元）`` amounts, percent signs and Chinese grade numerals. Vectorised with numpy."""

from __future__ import annotations

import datetime as dt

import numpy as np

DATE_FORMS = ("iso", "slash", "compact", "chinese", "dot")
DATE_FORM_LABELS = {"iso": "YYYY-MM-DD", "slash": "YYYY/M/D", "compact": "YYYYMMDD",
                    "chinese": "YYYY年M月D日", "dot": "YYYY.M.D"}
CN_GRADES = ("一级", "二级", "三级", "四级", "五级", "六级", "七级", "八级", "九级", "十级")


def _parts(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    months = days.astype("datetime64[M]")
    y = months.astype(np.int64) // 12 + 1970
    m = months.astype(np.int64) % 12 + 1
    d = (days - months.astype("datetime64[D]")).astype(np.int64) + 1
    return y, m, d


def date_strings(days: np.ndarray, form: str) -> np.ndarray:
    """Dates (datetime64[D], NaT = blank) in one of the spec's forms, as an object array."""
    days = np.asarray(days, dtype="datetime64[D]")
    if len(days) == 0:
        return np.array([], dtype=object)
    blank = np.isnat(days)
    safe = np.where(blank, np.datetime64("2000-01-01"), days)
    if form in ("iso", "compact"):
        out = np.datetime_as_string(safe, unit="D")
        if form == "compact":
            out = np.strings.replace(out, "-", "")
    else:
        y, m, d = (a.astype(str) for a in _parts(safe))
        sep1, sep2, tail = {"slash": ("/", "/", ""), "dot": (".", ".", ""), "chinese": ("年", "月", "日")}[form]
        out = np.strings.add(np.strings.add(np.strings.add(np.strings.add(np.strings.add(y, sep1), m), sep2), d), tail)
    out = out.astype(object)
    out[blank] = ""
    return out


def datetime_strings(moments: np.ndarray, seconds: bool) -> np.ndarray:
    moments = np.asarray(moments, dtype="datetime64[s]")
    if len(moments) == 0:
        return np.array([], dtype=object)
    blank = np.isnat(moments)
    safe = np.where(blank, np.datetime64("2000-01-01T00:00:00"), moments)
    out = np.strings.replace(np.datetime_as_string(safe, unit="s" if seconds else "m"), "T", " ")
    out = out.astype(object)
    out[blank] = ""
    return out


def int_strings(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=np.int64)
    out = values.astype(str).astype(object)
    out[values < 0] = ""
    return out


def fixed_strings(values: np.ndarray, decimals: int) -> np.ndarray:
    """Non-negative decimals with exactly ``decimals`` places (NaN = blank)."""
    values = np.asarray(values, dtype=float)
    if len(values) == 0:
        return np.array([], dtype=object)
    blank = np.isnan(values)
    scaled = np.rint(np.where(blank, 0.0, values) * 10**decimals).astype(np.int64)
    whole = (scaled // 10**decimals).astype(str)
    if decimals:
        frac = np.strings.zfill((scaled % 10**decimals).astype(str), decimals)
        out = np.strings.add(np.strings.add(whole, "."), frac)
    else:
        out = whole
    out = out.astype(object)
    out[blank] = ""
    return out


def trimmed_strings(values: np.ndarray, max_decimals: int) -> np.ndarray:
    """Decimals with at most ``max_decimals`` places and no trailing zeros (``2.5``, ``16``)."""
    out = fixed_strings(values, max_decimals)
    mask = out != ""
    if max_decimals and mask.any():
        s = out[mask].astype(str)
        s = np.strings.rstrip(np.strings.rstrip(s, "0"), ".")
        out[mask] = s.astype(object)
    return out


def thousands_strings(values: np.ndarray, decimals: int = 2) -> np.ndarray:
    return np.array(["" if np.isnan(v) else f"{v:,.{decimals}f}" for v in np.asarray(values, float).tolist()],
                    dtype=object)


def wan_strings(values: np.ndarray) -> np.ndarray:
    """Yuan amounts written in units of 10,000 yuan, exactly (up to 6 decimals)."""
    return trimmed_strings(np.asarray(values, float) / 10_000.0, 6)


def grade_strings(values: np.ndarray, chinese: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=np.int64)
    out = int_strings(values)
    cn = np.asarray(chinese, bool) & (values >= 1) & (values <= 10)
    out[cn] = np.array(CN_GRADES, dtype=object)[values[cn] - 1]
    return out


def to_date_cells(days: np.ndarray) -> list:
    """XLSX date cells (datetime at midnight; None = blank)."""
    days = np.asarray(days, dtype="datetime64[D]")
    return [None if d is None else dt.datetime(d.year, d.month, d.day) for d in days.astype(object).tolist()]


def to_datetime_cells(moments: np.ndarray) -> list:
    moments = np.asarray(moments, dtype="datetime64[s]")
    return [None if m is None else m for m in moments.astype(object).tolist()]
