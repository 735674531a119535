"""Colour scales, number formats and the grids and bars of the 省级考核 and 数据交换 pages. They
only lay out figures read from the marts; nothing here computes a published figure.

The drawings are SVG / HTML made on the server (``drawing.py``; the map is ``map_svg.py``):
no Plotly in the browser, whose 4.7 MB front end made every fresh load of a chart page wait.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import pandas as pd
from plotly.colors import get_colorscale, sample_colorscale

from dashboards import drawing

NO_DATA_COLOUR = "#cfcfcf"  # every area without data: unreported provinces, Taiwan, Hong Kong, Macao
NO_DATA = "无数据"
SELECTED_COLOUR = "#1f3b73"
XPCC = "660000"  # 新疆生产建设兵团: no polygon of its own, a marker inside Xinjiang


def format_value(value, decimals: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return "无数据"
    return f"{float(value):,.{decimals}f}" if decimals else f"{int(round(float(value))):,}"


# ------------------------------------------------------------------ map


@dataclass(frozen=True)
class ColourScale:
    """How a map or heat table colours its values: colour stops (0..1) over a fixed range
    (the same for every year, so years can be compared), with the colour bar's title and ticks."""

    colours: tuple[tuple[float, str], ...]
    zmin: float
    zmax: float
    title: str
    tickvals: tuple[float, ...] | None = None
    ticktext: tuple[str, ...] | None = None

    def colour_of(self, value: float) -> str:
        """The fill of ``value`` (clipped to the range), as "rgb(r, g, b)"."""
        span = self.zmax - self.zmin
        at = 0.5 if span <= 0 else min(1.0, max(0.0, (float(value) - self.zmin) / span))
        return _sample(self.colours, at)

    def is_dark(self, value: float) -> bool:
        """Whether text on the fill of ``value`` should be white."""
        return is_dark(self.colour_of(value))


is_dark = drawing.is_dark


@functools.lru_cache(maxsize=16384)
def _sample(colours: tuple[tuple[float, str], ...], at: float) -> str:
    """The colour at ``at`` (0..1) of a scale given by its stops, as "rgb(r, g, b)" (Plotly's
    interpolation). Cached: a page colours hundreds of cells per run, and Plotly validates the
    scale on every call."""
    return sample_colorscale([list(c) for c in colours], [at], colortype="rgb")[0]


def sequential_scale(zmax: float, title: str) -> ColourScale:
    """Yellow to red from 0 to ``zmax`` (counts and rates without a target)."""
    colours = tuple((i / (len(SEQUENTIAL) - 1), c) for i, c in enumerate(SEQUENTIAL))
    return ColourScale(colours, 0.0, float(zmax) if zmax and zmax > 0 else 1.0, title)


# YlOrRd (ColorBrewer), lightest first.
SEQUENTIAL = ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026")

# ------------------------------------------------------------------ assessment

SCORE_COLOURS = "RdYlGn"  # score / weight: red 0 % to green 100 %
# Its stops, looked up once per process: resolving a scale's name made Plotly inspect its whole
# colour module on every call (about 0.2 s of every run of 省级考核, which colours ~235 cells).
_SCORE_STOPS = tuple((float(stop), colour) for stop, colour in get_colorscale(SCORE_COLOURS))


def score_colour(share: float) -> str:
    return _sample(_SCORE_STOPS, min(1.0, max(0.0, float(share))))


def component_grid(scores: pd.DataFrame, weights: pd.DataFrame, *, codes: dict[str, str] | None = None) -> str:
    """Rows = provinces (scores.index), columns = components; colour = score / weight, text = score
    (an HTML grid, see ``drawing.py``)."""
    columns = [f"{r.component} {r.component_name}（{r.weight:g}）" for r in weights.itertuples()]
    cells = {}
    for name, row in scores.iterrows():
        for column, component, weight in zip(columns, weights["component"], weights["weight"]):
            score = row[component]
            attrs = {"data-component": str(component)} | ({"data-code": codes[name]} if codes and name in codes else {})
            if pd.isna(score) or not weight:
                cells[(name, column)] = drawing.Cell(drawing.EMPTY_CELL, "—", f"{name} · {column}：无数据", attrs)
                continue
            share = float(score) / float(weight)
            cells[(name, column)] = drawing.Cell(
                score_colour(share), format_value(score, 2), f"{name} · {column}<br>得分：{format_value(score, 2)}"
                f"（得分/权重 {share:.0%}）", attrs | {"data-value": repr(float(score))})
    ticks = [(i / 4, f"{i * 25}%") for i in range(5)]
    stops = [(i / 10, score_colour(i / 10)) for i in range(11)]
    legend = drawing.gradient_legend(stops, ticks, title_text="得分/权重", no_data=None,
                                     gradient_id="ipx-scale-components", width=520)
    return drawing.grid(list(scores.index), columns, cells, name="as_components", legend=legend, corner="省份")


def scorecard_bars(card: pd.DataFrame) -> str:
    """One province's component scores against their weights (card: component, component_name,
    weight, score), as SVG bars."""
    rows = [drawing.BarRow(
        label=f"{r.component} {r.component_name}",
        segments=[drawing.Segment(float(r.weight), "#e3e8f0", f"{r.component} {r.component_name}<br>权重：{r.weight:g}",
                                  name="权重（满分）"),
                  drawing.Segment(None if pd.isna(r.score) else float(r.score), "#2f6db5",
                                  f"{r.component} {r.component_name}<br>得分：{format_value(r.score, 2)}"
                                  f"（权重 {r.weight:g}）", name="得分")],
        after=f"{format_value(r.score, 2)} / {r.weight:g}") for r in card.itertuples()]
    legend = drawing.legend_html([("权重（满分）", "#e3e8f0"), ("得分", "#2f6db5")])
    return drawing.hbars(rows, name="as_scorecard_chart", legend=legend, width=560, row_height=30)


# ------------------------------------------------------------------ feed health

# Worst first: a cell takes the colour of the worst state among its slices.
FEED_STATES = [
    ("missing", "缺报", "#d7301f"),
    ("quarantined", "被隔离", "#fc8d59"),
    ("late", "逾期", "#fdcc8a"),
    ("unclean", "拒收超1%", "#b39ddb"),
    ("on_time", "全部按时", "#74c476"),
    ("not_due", "未到期", "#f0f0f0"),
]


def feed_grid(cells: pd.DataFrame) -> str:
    """Province x feed grid (cells: province_code, province_name, feed, feed_title, state, text,
    hover), an HTML grid coloured by the worst state."""
    colours = {state: colour for state, _, colour in FEED_STATES}
    names = {state: name for state, name, _ in FEED_STATES}
    rows = list(dict.fromkeys(cells["province_name"]))
    cols = list(dict.fromkeys(cells["feed_title"]))
    grid_cells = {}
    for r in cells.itertuples():
        attrs = {"data-state": r.state, "data-feed": r.feed, "data-code": r.province_code}
        grid_cells[(r.province_name, r.feed_title)] = drawing.Cell(
            colours[r.state], r.text, f"{r.province_name} · {r.feed_title}（{names[r.state]}）<br>{r.hover}", attrs)
    legend = "<div><b>最差状态：</b></div>" + drawing.legend_html([(name, colour) for _, name, colour in FEED_STATES])
    return drawing.grid(rows, cols, grid_cells, name="fh_grid", legend=legend, corner="省份")
