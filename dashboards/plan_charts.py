"""Plotly figures of the 费率浮动 and 终期评估 pages. They lay out published figures (and the
what-if's re-grading); nothing here computes a published figure."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from dashboards.charts import FONT
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


def status_bars(frame: pd.DataFrame, *, category: str, counts: Mapping[str, str],
                height: int | None = None) -> go.Figure:
    """Stacked horizontal bars: one bar per ``frame[category]``, segments = status counts
    (``counts``: column -> status name)."""
    fig = go.Figure()
    for column, status in counts.items():
        fig.add_trace(go.Bar(
            y=list(frame[category]), x=[int(v) for v in frame[column]], name=status, orientation="h",
            marker_color=STATUS_BAR_COLOURS.get(status, "#999999"),
            hovertemplate="%{y} · " + status + "：%{x:,} 家<extra></extra>"))
    fig.update_layout(barmode="stack", height=height or max(220, 70 + 30 * len(frame)), font=FONT,
                      margin=dict(l=0, r=0, t=10, b=0), xaxis=dict(title="单位数（家）", tickformat=","),
                      yaxis=dict(autorange="reversed", type="category"),
                      legend=dict(orientation="h", y=-0.2, traceorder="normal"))
    return fig


def whatif_bars(published: Mapping[str, int], whatif: Mapping[str, int]) -> go.Figure:
    """Employers by status: published beside what-if."""
    fig = go.Figure()
    for name, counts, colour in (("公布结果", published, "#9ecae1"), ("测算结果", whatif, "#2171b5")):
        fig.add_trace(go.Bar(x=list(STATUSES), y=[counts.get(s, 0) for s in STATUSES], name=name, marker_color=colour,
                             text=[f"{counts.get(s, 0):,}" for s in STATUSES], textposition="outside",
                             cliponaxis=False, hovertemplate="%{x}：%{y:,} 家<extra>" + name + "</extra>"))
    fig.update_layout(barmode="group", height=300, font=FONT, margin=dict(l=0, r=0, t=20, b=0),
                      yaxis=dict(title="单位数（家）", tickformat=","), legend=dict(orientation="h", y=-0.2))
    return fig


def status_grid(rows: Sequence[str], columns: Sequence[str], cells: Mapping[tuple[str, str], tuple[str, str, str]],
                bold: Collection[str] = ()) -> go.Figure:
    """Rows x columns of statuses, coloured by status. ``cells[(row, column)]`` = (status, text,
    hover); a missing cell is left white (the row has no such column); ``bold`` rows' labels in bold."""
    order = {s: i for i, s in enumerate(STATUS_ORDER)}
    n = len(STATUS_ORDER)
    z, text, hover = [], [], []
    for r in rows:
        z_row, t_row, h_row = [], [], []
        for c in columns:
            cell = cells.get((r, c))
            z_row.append(order.get(cell[0], order["无数据"]) if cell else math.nan)
            t_row.append(cell[1] if cell else "")
            h_row.append(cell[2] if cell else f"{r}：无此行业")
        z.append(z_row)
        text.append(t_row)
        hover.append(h_row)
    scale = []
    for i, status in enumerate(STATUS_ORDER):
        scale += [[i / n, STATUS_COLOURS[status]], [(i + 1) / n, STATUS_COLOURS[status]]]
    fig = go.Figure(go.Heatmap(
        z=z, x=list(columns), y=list(rows), text=text, customdata=hover, texttemplate="%{text}",
        textfont=dict(size=12), colorscale=scale, zmin=-0.5, zmax=n - 0.5, xgap=2, ygap=2, showscale=False,
        hovertemplate="%{customdata}<extra></extra>", name="评估结果"))
    fig.update_layout(height=max(220, 90 + 44 * len(rows)), margin=dict(l=0, r=0, t=60, b=0), font=FONT,
                      xaxis=dict(side="top", type="category"),
                      yaxis=dict(autorange="reversed", type="category", tickmode="array", tickvals=list(rows),
                                 ticktext=[f"<b>{r}</b>" if r in bold else r for r in rows]))
    return fig


def training_bars(frame: pd.DataFrame) -> go.Figure:
    """Key-position training coverage by province against the year's target (frame: name,
    coverage, target; shares 0..1)."""
    colours = [GOOD if pd.notna(c) and pd.notna(t) and c >= t else (NONE if pd.isna(c) else BAD)
               for c, t in zip(frame["coverage"], frame["target"])]
    fig = go.Figure()
    fig.add_trace(go.Bar(
        y=list(frame["name"]), x=[None if pd.isna(v) else float(v) for v in frame["coverage"]], orientation="h",
        marker_color=colours, name="培训覆盖率",
        text=["无数据" if pd.isna(v) else f"{float(v):.2%}" for v in frame["coverage"]], textposition="outside",
        cliponaxis=False, hovertemplate="%{y}：%{x:.2%}<extra>培训覆盖率</extra>"))
    fig.add_trace(go.Scatter(
        y=list(frame["name"]), x=[None if pd.isna(v) else float(v) for v in frame["target"]], mode="markers",
        marker=dict(symbol="line-ns", size=26, line=dict(width=3, color="#1a1a1a")), name="目标",
        hovertemplate="%{y} 目标：%{x:.0%}<extra></extra>"))
    fig.update_layout(height=max(220, 110 + 40 * len(frame)), font=FONT, margin=dict(l=0, r=40, t=10, b=0),
                      xaxis=dict(range=[0, 1.1], tickformat=".0%"),
                      yaxis=dict(autorange="reversed", type="category"),
                      legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0))
    return fig


def od_rates(frame: pd.DataFrame) -> go.Figure:
    """Occupational-disease and pneumoconiosis rates (per 100,000) by province, baseline beside the
    year (frame: name, od_base, od, pn_base, pn)."""
    fig = go.Figure()
    for column, name, colour in (("od_base", "职业病 基期(2020年)", "#c6dbef"), ("od", "职业病 本年", "#2171b5"),
                                 ("pn_base", "其中尘肺病 基期(2020年)", "#fdd0a2"), ("pn", "其中尘肺病 本年", "#d94801")):
        fig.add_trace(go.Bar(x=list(frame["name"]), y=[None if pd.isna(v) else float(v) for v in frame[column]],
                             name=name, marker_color=colour,
                             hovertemplate="%{x}：%{y:.4f}<extra>" + name + "</extra>"))
    fig.update_layout(barmode="group", height=340, font=FONT, margin=dict(l=0, r=0, t=10, b=0),
                      yaxis=dict(title="每10万参保职工"), xaxis=dict(type="category"),
                      legend=dict(orientation="h", y=-0.2))
    return fig
