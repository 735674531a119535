"""How the pages' tables show numbers and are drawn: thousands separators, fixed decimals, "—" for
a missing value (never ``None`` or ``NaN``), 是 / 否 for a yes-no column.

``styled`` returns a pandas Styler (formats, and the cell colours a page adds with ``.map``);
``show_table`` draws it as plain HTML on the server, a page at a time when it is long, each
number cell carrying its value (``data-value``) beside its text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

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
        elif pd.api.types.is_bool_dtype(frame[column]):
            column_formats[column] = _formatter(lambda v: "是" if v else "否")
        elif pd.api.types.is_float_dtype(frame[column]):
            column_formats[column] = _formatter("{:,.2f}")
        else:
            column_formats[column] = _formatter("{}")
    return frame.style.format(column_formats)


# Every table is plain HTML drawn on the server (``drawing.table``), never ``st.dataframe``: the
# grid's front end (about 1.8 MB of JavaScript with its data grid) was loaded and compiled in every
# new tab that showed one (issue 11, perceived speed). A long table is shown a page at a time:
# ``PAGE_ROWS`` rows and a page number (``pager``); its counts, filters and downloads cover every
# row. Read at call time, so a test can change it.
PAGE_ROWS = 50
# Column widths as Streamlit's grids named them, as a column's minimum width (CSS).
WIDTHS = {"small": "5em", "medium": "9em", "large": "16em"}


@dataclass(frozen=True)
class Link:
    """A column of addresses shown as links: ``text`` in every cell, ``title`` as its tooltip. The
    link opens in a new tab (as the grids' link columns did), so the list stays where it was."""

    text: str
    title: str = ""


def pager(total: int, *, key: str, unit: str = "行", signature=None, order: str = "") -> slice:
    """Which of ``total`` rows to show: all of them when they fit on one page, else one page of
    ``PAGE_ROWS`` chosen with a page number (widget ``key``) under a line saying which rows these
    are, and in what ``order`` (e.g. "按数据项、文件、记录号排列"). A new ``signature`` (e.g. the
    filters' values) goes back to the first page."""
    rows = PAGE_ROWS
    if total <= rows:
        return slice(0, total)
    pages = -(-total // rows)
    seen = f"{key}__of"
    if signature is not None and st.session_state.get(seen) != signature:
        st.session_state[seen] = signature
        st.session_state[key] = 1
    if not 1 <= int(st.session_state.get(key, 1)) <= pages:
        st.session_state[key] = 1
    text, number = st.columns([5, 1], vertical_alignment="bottom")
    page = int(number.number_input(f"页码（共 {pages:,} 页）", min_value=1, max_value=pages, step=1, key=key))
    start = (page - 1) * rows
    stop = min(total, start + rows)
    text.caption(f"第 {start + 1:,}–{stop:,} {unit}，共 {total:,} {unit}（每页 {rows} {unit}{'；' + order if order else ''}）")
    return slice(start, stop)


def show_table(data, *, key: str, links: Mapping[str, Link] | None = None,
               widths: Mapping[str, str | int] | None = None, formats: Mapping[str, str | object] | None = None,
               unit: str = "行", signature=None) -> None:
    """A read-only table (a DataFrame, or a Styler made by ``styled``) as plain HTML, without the
    index, missing values drawn as "—"; a DataFrame goes through ``styled(frame, formats)``. Longer
    than ``PAGE_ROWS``: one page at a time (``pager``, widget ``{key}_page``). ``links``: columns of
    addresses shown as links; ``widths``: a column's minimum width ("small" / "medium" / "large"
    or pixels)."""
    frame = data.data if isinstance(data, Styler) else data
    rows = pager(len(frame), key=f"{key}_page", unit=unit,
                 signature=signature if signature is not None else _signature(frame))
    if not isinstance(data, Styler):
        data = styled(frame.iloc[rows], formats)
        rows = slice(0, len(data.data))
    drawing.show(plain_table(data, name=key, rows=rows, links=links, widths=widths), key=key)


def _signature(frame: pd.DataFrame) -> tuple:
    """What a table holds, cheaply: its length and its first column's ends (a filter that changes
    the rows changes these, and the table goes back to its first page)."""
    if frame.empty or not len(frame.columns):
        return (len(frame),)
    first = frame.iloc[:, 0]
    return len(frame), str(first.iloc[0]), str(first.iloc[-1])


def _width(value: str | int) -> str:
    return f"{value}px" if isinstance(value, int) else WIDTHS.get(value, value)


def plain_table(data, *, name: str, rows: slice | None = None, links: Mapping[str, Link] | None = None,
                widths: Mapping[str, str | int] | None = None) -> str:
    """A DataFrame, or a Styler made by ``styled`` (its formats and the cell styles of its
    ``.map`` / ``.apply``), as ``drawing.table`` HTML: the same texts a grid would show. ``rows``:
    which rows (positions) to draw; the styles are those of the whole Styler."""
    links = {c: (link.text, link.title) for c, link in (links or {}).items()}
    widths = {c: _width(w) for c, w in (widths or {}).items()}
    if not isinstance(data, Styler):
        frame = data if rows is None else data.iloc[rows]
        return drawing.table(frame, name=name, missing=MISSING, links=links, widths=widths)
    frame = data.data
    offset = 0 if rows is None else rows.start or 0
    shown = frame if rows is None else frame.iloc[rows]
    # pandas computes the cell styles and keeps each cell's formatter in private attributes (the
    # same ones Streamlit reads to send a Styler's display values); pandas is pinned, and
    # tests/dashboard/test_table_format.py fails if they change.
    data._compute()
    index = {column: j for j, column in enumerate(frame.columns)}
    formatters = {column: data._display_funcs[(0, j)] for column, j in index.items()} if len(frame) else {}

    def styles(position: int, column: str) -> str:
        return "; ".join(f"{prop}: {value}" for prop, value in data.ctx.get((offset + position, index[column]), []))

    return drawing.table(shown, name=name, missing=MISSING, formats=formatters, styles=styles, links=links,
                         widths=widths)
