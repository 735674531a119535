"""Drawings of the 费率浮动 and 终期评估 pages (SVG / HTML made on the server, see ``drawing.py``).
They lay out published figures (and the what-if's re-grading); nothing here computes a
published figure."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence

import pandas as pd

from dashboards import drawing
from dashboards.floating_whatif import STATUSES

STATUS_BAR_COLOURS = {"下浮": "#4daf4a", "不浮动": "#bdbdbd", "上浮": "#e41a1c", "新参保": "#6baed6",
                      "未分类": "#8c8c8c"}

# Evaluation statuses and the colour a reader takes them for at once.
GOOD, FAIR, BAD, NONE, NOT_DELIVERED = "#2e9e4f", "#f0a202", "#d7301f", "#bdbdbd", "#e6e6e6"
STATUS_COLOURS = {
    "达成": GOOD, "基本达成": FAIR, "未达成": BAD,
    "进度正常": GOOD, "进度滞后": BAD,
    "下降": GOOD, "未下降": BAD,
    "达标": GOOD, "未达标": BAD,
    "无数据": NONE, "未报送": NOT_DELIVERED,
}
STATUS_ORDER = list(STATUS_COLOURS)


def status_bars(frame: pd.DataFrame, *, category: str, counts: Mapping[str, str], name: str = "fl_class_chart") -> str:
    """Stacked horizontal bars: one bar per ``frame[category]``, segments = status counts
    (``counts``: column -> status name)."""
    rows = []
    for _, r in frame.iterrows():
        total = sum(int(r[c]) for c in counts)
        segments = [drawing.Segment(float(int(r[c])), STATUS_BAR_COLOURS.get(s, "#999999"),
                                    f"{r[category]} · {s}：{int(r[c]):,} 家", name=s) for c, s in counts.items()]
        rows.append(drawing.BarRow(label=str(r[category]), segments=segments, after=f"{total:,} 家"))
    legend = drawing.legend_html([(s, STATUS_BAR_COLOURS.get(s, "#999999")) for s in counts.values()])
    return drawing.hbars(rows, name=name, stacked=True, x_title="单位数（家）", legend=legend, width=900, row_height=30,
                         tick_format=lambda v: f"{v:,.0f}")


def whatif_bars(published: Mapping[str, int], whatif: Mapping[str, int]) -> str:
    """Employers by status: published beside what-if."""
    series = [drawing.Series(name, colour, [float(counts.get(s, 0)) for s in STATUSES],
                             tooltips=[f"{s} · {name}：{counts.get(s, 0):,} 家" for s in STATUSES],
                             labels=[f"{counts.get(s, 0):,}" for s in STATUSES])
              for name, counts, colour in (("公布结果", published, "#9ecae1"), ("测算结果", whatif, "#2171b5"))]
    return drawing.vbars(list(STATUSES), series, name="fl_whatif_chart", y_title="单位数（家）",
                         tick_format=lambda v: f"{v:,.0f}", height=300)


def status_grid(rows: Sequence[str], columns: Sequence[str], cells: Mapping[tuple[str, str], tuple[str, str, str]],
                bold: Collection[str] = (), codes: Mapping[str, str] | None = None) -> str:
    """Rows x columns of statuses, coloured by status (an HTML grid). ``cells[(row, column)]`` =
    (status, text, hover); a missing cell is left white (the row has no such column); ``bold``
    rows' labels in bold; ``codes``: row -> province code (``data-code`` of its row)."""
    grid_cells = {}
    for (r, c), (status, text, hover) in cells.items():
        grid_cells[(r, c)] = drawing.Cell(STATUS_COLOURS.get(status, NONE), text, hover, {"data-status": status})
    empty = drawing.Cell("#ffffff", "", "无此行业", {"data-status": ""})
    row_attrs = {r: {"data-code": code} for r, code in (codes or {}).items()}
    shown = [s for s in STATUS_ORDER if any(cell[0] == s for cell in cells.values())]
    legend = drawing.legend_html([(s, STATUS_COLOURS[s]) for s in shown])
    return drawing.grid(list(rows), list(columns), grid_cells, name="ev_status_grid", bold=bold, empty=empty,
                        row_attrs=row_attrs, legend=legend, corner="省份")


def training_bars(frame: pd.DataFrame) -> str:
    """Key-position training coverage by province against the year's target (frame: name,
    coverage, target; shares 0..1)."""
    rows = []
    for r in frame.itertuples():
        coverage = None if pd.isna(r.coverage) else float(r.coverage)
        target = None if pd.isna(r.target) else float(r.target)
        colour = NONE if coverage is None else (GOOD if target is not None and coverage >= target else BAD)
        text = "无数据" if coverage is None else f"{coverage:.2%}"
        tip = f"{r.name}：培训覆盖率 {text}" + ("" if target is None else f"，目标 {target:.0%}")
        rows.append(drawing.BarRow(label=str(r.name), segments=[drawing.Segment(coverage, colour, tip, name="培训覆盖率")],
                                   marker=target, marker_tooltip=tip, after=text, after_colour=colour if coverage is not None else
                                   drawing.MUTED, tooltip=tip))
    legend = drawing.legend_html([("达到目标", GOOD), ("未达到目标", BAD), ("无数据", NONE)], marker="当年目标")
    return drawing.hbars(rows, name="ev_training_chart", x_max=1.0, legend=legend, width=900, row_height=26,
                         tick_format=lambda v: f"{v:.0%}")


def od_rates(frame: pd.DataFrame) -> str:
    """Occupational-disease and pneumoconiosis rates (per 100,000) by province, baseline beside the
    year (frame: name, od_base, od, pn_base, pn)."""
    names = list(frame["name"])
    series = []
    for column, name, colour in (("od_base", "职业病 基期(2020年)", "#c6dbef"), ("od", "职业病 本年", "#2171b5"),
                                 ("pn_base", "其中尘肺病 基期(2020年)", "#fdd0a2"), ("pn", "其中尘肺病 本年", "#d94801")):
        values = [None if pd.isna(v) else float(v) for v in frame[column]]
        series.append(drawing.Series(name, colour, values, tooltips=[
            f"{n} · {name}：" + ("无数据" if v is None or math.isnan(v) else f"{v:,.4f} /10万") for n, v in zip(names, values)]))
    return drawing.vbars(names, series, name="ev_od_chart", y_title="每10万参保职工", height=320)
