"""How the newer pages' tables show numbers: thousands separators, fixed decimals, and "—" for a
missing value (never ``None`` or ``NaN``), while the cells stay numbers (sorting works).

``styled`` returns a pandas Styler: Streamlit sends its display strings beside the values, so the
browser shows the formatted text and sorts by the number; AppTest's ``.value`` is the raw frame.
The browser draws a missing cell with the table's ``placeholder`` whatever the Styler says, so
tables go through ``show_table``, which sets it to "—".
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from dashboards import drawing

MISSING = "—"
WAN = 10_000  # 1 万元 = 10,000 元


def number(value, decimals: int = 2, *, signed: bool = False, missing: str = MISSING) -> str:
    """``1,234.50``; ``+1,234.50`` when ``signed``; ``missing`` for None / NaN."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return missing
    try:
        if pd.isna(value):
            return missing
    except (TypeError, ValueError):
        pass
    sign = "+" if signed else ""
    return f"{float(value):{sign},.{decimals}f}"


def signed(decimals: int = 2):
    """A format for a change: ``+1,234.50`` / ``-1,234.50``, and ``0.00`` without a sign."""
    return lambda v: f"{float(v):+,.{decimals}f}" if round(float(v), decimals) else f"{0:.{decimals}f}"


def count(value, missing: str = MISSING) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return missing
    return f"{int(value):,}"


def percent(value, decimals: int = 2, missing: str = MISSING) -> str:
    """A share 0..1 as ``12.34%``."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return missing
    return f"{float(value) * 100:,.{decimals}f}%"


def yuan(value, *, signed: bool = False) -> str:
    """An amount in 元 with separators and its unit: ``1,234.50 元``."""
    text = number(value, 2, signed=signed)
    return text if text == MISSING else f"{text} 元"


def wan_yuan(value, *, signed: bool = False, decimals: int = 2) -> str:
    """An amount given in 元, shown in 万元: ``123.45 万元``."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    return f"{number(float(value) / WAN, decimals, signed=signed)} 万元"


def _formatter(spec):
    if callable(spec):
        return lambda v: MISSING if _missing(v) else spec(v)
    return lambda v: MISSING if _missing(v) else spec.format(v)


def _missing(value) -> bool:
    if value is None or value is pd.NA:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def styled(frame: pd.DataFrame, formats: Mapping[str, str | object] | None = None) -> Styler:
    """The frame with ``formats`` (column -> format string such as ``"{:,.2f}"``, or a callable) and
    "—" for every missing cell of every column. Columns without a format show as they are."""
    formats = dict(formats or {})
    column_formats = {}
    for column in frame.columns:
        if column in formats:
            column_formats[column] = _formatter(formats[column])
        elif pd.api.types.is_float_dtype(frame[column]):
            column_formats[column] = _formatter("{:,.2f}")
        else:
            column_formats[column] = _formatter("{}")
    return frame.style.format(column_formats)


# A table of at most this many rows, without a fixed height or link columns, is drawn as plain
# HTML on the server (``drawing.table``): st.dataframe's grid front end (about 1.8 MB of
# JavaScript) is then not loaded and compiled in a new tab for a ranking of 32 provinces
# (issue 11, perceived speed). Longer tables stay grids: sortable, scrollable, virtualised.
PLAIN_ROWS = 60
# The most rows a grid is sent (the watchlist, a province's floating employers, rejected records):
# a screenful many times over. The count above each table and the downloads and filters cover
# every row; sending 1,000 rows cost 0.1-0.3 s of every fresh load at national volume (issue 11).
GRID_ROWS = 300


def show_table(data, *, key: str, **kwargs) -> None:
    """A read-only table without the index, missing values drawn as "—": plain HTML when it is
    short (``PLAIN_ROWS``), else ``st.dataframe`` (``kwargs`` are its options)."""
    frame = data.data if isinstance(data, Styler) else data
    if len(frame) <= PLAIN_ROWS and "height" not in kwargs and not _has_links(kwargs.get("column_config")):
        drawing.show(plain_table(data, name=key), key=key)
        return
    kwargs.setdefault("hide_index", True)
    st.dataframe(data, placeholder=MISSING, key=key, **kwargs)


def plain_table(data, *, name: str) -> str:
    """A DataFrame, or a Styler made by ``styled`` (its formats and the cell styles of its
    ``.map`` / ``.apply``), as ``drawing.table`` HTML: the same texts the grid would show."""
    if not isinstance(data, Styler):
        return drawing.table(data, name=name, missing=MISSING)
    frame = data.data
    # pandas computes the cell styles and keeps each cell's formatter in private attributes (the
    # same ones Streamlit reads to send a Styler's display values); pandas is pinned.
    data._compute()
    index = {column: j for j, column in enumerate(frame.columns)}
    formatters = {column: data._display_funcs[(0, j)] for column, j in index.items()} if len(frame) else {}

    def styles(position: int, column: str) -> str:
        return "; ".join(f"{prop}: {value}" for prop, value in data.ctx.get((position, index[column]), []))

    return drawing.table(frame, name=name, missing=MISSING, formats=formatters, styles=styles)


def _has_links(column_config) -> bool:
    """A link column needs the grid (it opens a page)."""
    return any(isinstance(c, dict) and (c.get("type_config") or {}).get("type") == "link"
               for c in (column_config or {}).values())
