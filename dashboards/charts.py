"""The dashboard's Plotly figures. They only lay out figures read from the marts; nothing here
computes a published figure.

The province map is a ``go.Choropleth`` on the package's own boundaries (``geo.py``). Plotly's
geo subplots otherwise load a world base map from cdn.plot.ly; all base layers are off and
``MAP_CONFIG`` points plotly.js at an empty inline topology, so the browser fetches nothing.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from dashboards.geo import INSET_VIEW, MAIN_VIEW, OUTSIDE_PLAN, UNLABELLED, XPCC_POINT, Boundaries

# An empty TopoJSON as a data: URL; plotly.js appends "<scope>_<resolution>m.json", which
# lands in the URL fragment and is ignored.
EMPTY_TOPOLOGY_URL = 'data:application/json,{"type":"Topology","objects":{},"arcs":[]}#'
# No Plotly mode bar (its buttons and tooltips are English and leaders need none of them).
MAP_CONFIG = {"topojsonURL": EMPTY_TOPOLOGY_URL, "displaylogo": False, "scrollZoom": False, "displayModeBar": False}
CHART_CONFIG = {"displaylogo": False, "displayModeBar": False}

NO_DATA_COLOUR = "#cfcfcf"  # every area without data: unreported provinces, Taiwan, Hong Kong, Macao
NO_DATA = "无数据"
SELECTED_COLOUR = "#1f3b73"
MAP_COLOURS = "YlOrRd"
XPCC = "660000"  # 新疆生产建设兵团: no polygon of its own, a marker inside Xinjiang
FONT = dict(family="Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif")


def format_value(value, decimals: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return "无数据"
    return f"{float(value):,.{decimals}f}" if decimals else f"{int(round(float(value))):,}"


# ------------------------------------------------------------------ map


def geojson_data_url(collection: dict, codes: tuple[str, ...]) -> str:
    """The features of ``codes`` as an inline ``data:`` URL for a trace's ``geojson``.

    Each trace carries only its own provinces, so a figure holds every boundary once; as a
    string, Plotly and Streamlit do not deep-copy and re-validate thousands of coordinate lists
    on every rerun, and plotly.js reads it without any network request.
    """
    key = (id(collection), codes)
    url = _DATA_URLS.get(key)
    if url is None:
        wanted = set(codes)
        subset = {"type": "FeatureCollection", "features": [f for f in collection["features"] if f["id"] in wanted]}
        url = "data:application/json;base64," + base64.b64encode(
            json.dumps(subset, separators=(",", ":")).encode()).decode()
        if len(_DATA_URLS) > 512:
            _DATA_URLS.clear()
        _DATA_URLS[key] = url
    return url


# (id of a boundary collection, province codes) -> data URL; the collections live for the process.
_DATA_URLS: dict[tuple[int, tuple[str, ...]], str] = {}


def decode_geojson(value) -> dict:
    """A trace's ``geojson`` back as a dict (for tests and tools)."""
    if isinstance(value, dict):
        return value
    return json.loads(base64.b64decode(value.split(",", 1)[1]))


@dataclass(frozen=True)
class ColourScale:
    """How a map or heat table colours its values: a Plotly colour scale over a fixed range
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
        return sample_colorscale([list(c) for c in self.colours], [at], colortype="rgb")[0]

    def is_dark(self, value: float) -> bool:
        """Whether text on the fill of ``value`` should be white."""
        return is_dark(self.colour_of(value))

    def coloraxis(self, horizontal: bool = False) -> dict:
        """A layout ``coloraxis`` (vertical colour bar on the right, or horizontal below the plot)."""
        if horizontal:
            bar = dict(orientation="h", title=dict(text=self.title, side="top"), thickness=12, len=0.5,
                       x=0.12, xanchor="left", y=0.0, yanchor="top", ticklabeloverflow="allow")
        else:
            bar = dict(title=dict(text=self.title, side="right"), thickness=14, len=0.6, x=0.94)
        if self.tickvals is not None:
            bar |= dict(tickvals=list(self.tickvals), ticktext=list(self.ticktext or ()))
        return dict(colorscale=[list(c) for c in self.colours], cmin=self.zmin, cmax=self.zmax, colorbar=bar)


def is_dark(colour: str) -> bool:
    """Whether a fill ("rgb(...)" or "#rrggbb") is dark enough to need white text on it."""
    if colour.startswith("#"):
        r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    else:
        r, g, b = (float(x) for x in colour[colour.index("(") + 1:colour.index(")")].split(",")[:3])
    return 0.299 * r + 0.587 * g + 0.114 * b < 150


def sequential_scale(zmax: float, title: str) -> ColourScale:
    """Yellow to red from 0 to ``zmax`` (counts and rates without a target)."""
    colours = tuple((i / (len(SEQUENTIAL) - 1), c) for i, c in enumerate(SEQUENTIAL))
    return ColourScale(colours, 0.0, float(zmax) if zmax and zmax > 0 else 1.0, title)


# YlOrRd (ColorBrewer), lightest first.
SEQUENTIAL = ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026")

TEXT_DARK = dict(color="#1a1a1a", shadow="0px 0px 2px #ffffff, 0px 0px 3px #ffffff")
TEXT_LIGHT = dict(color="#ffffff", shadow="0px 0px 2px #000000, 0px 0px 3px #000000")


def province_map(values: pd.DataFrame, *, label: str, decimals: int, boundaries: Boundaries,
                 short_names: dict[str, str], selected: str | None = None,
                 scale: ColourScale | None = None) -> go.Figure:
    """Provinces coloured by ``values.value`` (columns province_code, province_name, value and,
    optionally, ``hover``: the tooltip of each province, HTML).

    ``scale`` fixes the colours and their range (default: yellow to red over the values shown).
    A province without a value, Taiwan, Hong Kong and Macao are the same grey, "无数据" in the
    tooltip (or the row's ``hover``). The corps (660000, no polygon of its own) is a marker inside
    Xinjiang on the same scale. The South China Sea islands are in an inset. Every clickable
    point carries its province code as ``customdata[0]`` (see ``selected_province``).
    """
    drawn = set(boundaries.codes)
    values = values.copy()
    if "hover" not in values:
        values["hover"] = [f"{n}<br>{label}：{format_value(v, decimals)}"
                           for n, v in zip(values["province_name"], values["value"])]
    present = values[values["province_code"].isin(drawn)]
    with_value = present[present["value"].notna()]
    if scale is None:
        top = with_value["value"].max() if not with_value.empty else 1.0
        scale = sequential_scale(float(top), label)
    names = dict(zip(values["province_code"], values["province_name"])) | OUTSIDE_PLAN
    hover = dict(zip(values["province_code"], values["hover"]))
    coloured = dict(zip(with_value["province_code"], with_value["value"].astype(float)))
    missing = [c for c in boundaries.codes if c not in coloured]

    def missing_hover(code: str) -> str:
        return hover.get(code) or f"{names.get(code, code)}<br>{NO_DATA}"

    fig = go.Figure()
    # Leader lines first: besides the config above, a first trace without `locationmode` keeps
    # plotly.js from asking for its world topology; later scatter traces (the names) draw on top.
    lines = [boundaries.leader_line(c) for c in boundaries.codes]
    lon, lat = [], []
    for line in filter(None, lines):
        lon += [line[0][0], line[1][0], None]
        lat += [line[0][1], line[1][1], None]
    fig.add_trace(go.Scattergeo(lon=lon, lat=lat, mode="lines", line=dict(color="#555555", width=0.8),
                                hoverinfo="skip", showlegend=False, name="标注引线", geo="geo"))
    for geo_id, south in (("geo", MAIN_VIEW["lat"][0]), ("geo2", -90.0)):
        lon, lat = [], []
        for line in boundaries.maritime:
            if min(p[1] for p in line) >= south:
                lon += [p[0] for p in line] + [None]
                lat += [p[1] for p in line] + [None]
        fig.add_trace(go.Scattergeo(lon=lon, lat=lat, mode="lines", line=dict(color="#7a8ca3", width=1.2),
                                    hoverinfo="skip", showlegend=False, name="海上边界", geo=geo_id))

    for geo_id, collection in (("geo", boundaries.main), ("geo2", boundaries.inset)):
        inset_codes = {f["id"] for f in collection["features"]}

        def subset(codes, collection=collection) -> str:
            return geojson_data_url(collection, tuple(codes))

        grey = [c for c in missing if c in inset_codes]
        if grey:
            fig.add_trace(go.Choropleth(
                geojson=subset(grey), featureidkey="id", locations=grey, z=[0] * len(grey),
                colorscale=[[0, NO_DATA_COLOUR], [1, NO_DATA_COLOUR]], showscale=False,
                marker=dict(line=dict(color="white", width=0.6)),
                customdata=[[c, missing_hover(c)] for c in grey],
                hovertemplate="%{customdata[1]}<extra></extra>", name=NO_DATA, geo=geo_id, showlegend=False))
        shown = [c for c in coloured if c in inset_codes]
        if shown:
            fig.add_trace(go.Choropleth(
                geojson=subset(shown), featureidkey="id", locations=shown, z=[coloured[c] for c in shown],
                coloraxis="coloraxis", marker=dict(line=dict(color="white", width=0.6)),
                customdata=[[c, hover[c]] for c in shown],
                hovertemplate="%{customdata[1]}<extra></extra>", name=label, geo=geo_id, showlegend=False))
        if selected and selected in inset_codes:
            fig.add_trace(go.Choropleth(
                geojson=subset([selected]), featureidkey="id", locations=[selected], z=[0],
                colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], showscale=False,
                marker=dict(line=dict(color=SELECTED_COLOUR, width=2.5)), hoverinfo="skip",
                name="所选省份", geo=geo_id, showlegend=False))

    # Province names: white with a dark halo on dark fills, dark with a white halo elsewhere.
    label_codes = [c for c in boundaries.codes if c in short_names or c in OUTSIDE_PLAN]
    label_codes = [c for c in label_codes if c not in UNLABELLED]
    for name, font, codes in (
        ("省份名称", TEXT_DARK, [c for c in label_codes if not (c in coloured and scale.is_dark(coloured[c])
                                                             and c not in boundaries.outside_labels)]),
        ("省份名称（深色底）", TEXT_LIGHT, [c for c in label_codes if c in coloured and scale.is_dark(coloured[c])
                                            and c not in boundaries.outside_labels]),
    ):
        fig.add_trace(go.Scattergeo(
            lon=[boundaries.label_at(c)[0] for c in codes], lat=[boundaries.label_at(c)[1] for c in codes],
            text=[short_names.get(c) or OUTSIDE_PLAN[c].removesuffix("省").removesuffix("特别行政区")
                  for c in codes],
            mode="text", textfont=dict(size=11, **font), hoverinfo="skip", showlegend=False, name=name, geo="geo"))

    if XPCC in names:
        value = values.loc[values["province_code"] == XPCC, "value"].iloc[0]
        has_value = pd.notna(value)
        marker = dict(size=17, line=dict(color=SELECTED_COLOUR if selected == XPCC else "white",
                                         width=3 if selected == XPCC else 1.5))
        if has_value:
            marker |= dict(color=[float(value)], coloraxis="coloraxis")
        else:
            marker |= dict(color=NO_DATA_COLOUR)
        fig.add_trace(go.Scattergeo(
            lon=[XPCC_POINT[0]], lat=[XPCC_POINT[1]], mode="markers+text", marker=marker,
            text=[short_names.get(XPCC, "兵团")], textposition="middle right",
            textfont=dict(size=11, **TEXT_DARK), customdata=[[XPCC, hover.get(XPCC) or missing_hover(XPCC)]],
            hovertemplate="%{customdata[1]}<extra></extra>", name=names.get(XPCC, XPCC), showlegend=False,
            geo="geo"))

    # Fixed views rather than `fitbounds` (which does not frame conic projections well here).
    geo_common = dict(visible=False, bgcolor="rgba(0,0,0,0)")
    fig.update_layout(
        geo=dict(**geo_common, showframe=False,
                 projection=dict(type="conic equal area", parallels=[25, 47], rotation=dict(lon=105)),
                 lonaxis=dict(range=list(MAIN_VIEW["lon"])), lataxis=dict(range=list(MAIN_VIEW["lat"])),
                 domain=dict(x=[0.0, 1.0], y=[0.0, 1.0])),
        geo2=dict(**geo_common, showframe=True, framecolor="#999999", framewidth=1,
                  projection=dict(type="mercator"),
                  lonaxis=dict(range=list(INSET_VIEW["lon"])), lataxis=dict(range=list(INSET_VIEW["lat"])),
                  domain=dict(x=[0.82, 0.97], y=[0.02, 0.34])),
        coloraxis=scale.coloraxis(horizontal=True),
        margin=dict(l=0, r=0, t=10, b=60), height=600, font=FONT, clickmode="event+select", dragmode=False,
        hoverlabel=dict(align="left"),
        annotations=[dict(text="南海诸岛", x=0.895, y=0.035, xref="paper", yref="paper", showarrow=False,
                          font=dict(size=11, color="#555555"))],
    )
    return fig


def selected_province(selection) -> str | None:
    """The province code of a click on the map or a chart (a Streamlit plotly selection state):
    a choropleth point's ``location``, else a province code as the point's ``customdata[0]``
    (the corps' marker, the bars of the ranking)."""
    try:
        points = selection["selection"]["points"]
    except (KeyError, TypeError):
        return None
    for point in points:
        if not isinstance(point, dict):
            continue
        if point.get("location"):
            return str(point["location"])
        custom = point.get("customdata")
        if isinstance(custom, (list, tuple)) and custom and _is_code(custom[0]):
            return str(custom[0])
    return None


def _is_code(value) -> bool:
    return isinstance(value, str) and len(value) == 6 and value.isdigit()


# ------------------------------------------------------------------ tables as heat maps


def heat_table(pivot: pd.DataFrame, *, label: str, decimals: int, height_per_row: int = 24,
               text: pd.DataFrame | None = None, hover: pd.DataFrame | None = None,
               scale: ColourScale | None = None) -> go.Figure:
    """A province x column table coloured by value (pivot: index = row labels, columns = column labels).

    ``text`` (same shape, strings, "<br>" between lines) replaces the formatted values in the
    cells, written over them in white on dark fills; ``hover`` gives the tooltips; ``scale`` fixes
    the colours and their range. A cell without a value is light grey and reads "—".
    """
    z = pivot.to_numpy(dtype=float)
    rows, cols = list(pivot.index), list(pivot.columns)
    colours = dict(colorscale=MAP_COLOURS, colorbar=dict(title=dict(text=label, side="right"), thickness=12))
    if scale is not None:
        axis = scale.coloraxis()
        colours = dict(colorscale=axis["colorscale"], zmin=scale.zmin, zmax=scale.zmax,
                       colorbar=axis["colorbar"] | dict(len=0.85, y=0.45, x=1.01, thickness=12,
                                                        title=dict(text=scale.title, side="top")))
    fig = go.Figure()
    # Cells without a colour (no value, or deliberately uncoloured) get a light background.
    fig.add_trace(go.Heatmap(z=[[0.0] * len(cols) for _ in rows], x=cols, y=rows, showscale=False,
                             colorscale=[[0, "#f4f4f4"], [1, "#f4f4f4"]], xgap=1, ygap=1, hoverinfo="skip",
                             name="背景"))
    if text is None:
        cells = [[format_value(v, decimals) if not math.isnan(v) else "—" for v in row] for row in z]
        fig.add_trace(go.Heatmap(
            z=z, x=cols, y=rows, text=cells, texttemplate="%{text}",
            hovertemplate="%{y} · %{x}<br>" + label + "：%{text}<extra></extra>", xgap=1, ygap=1, name=label,
            **colours))
    else:
        cells = [[t if isinstance(t, str) and t else "—" for t in row] for row in text.to_numpy(dtype=object)]
        tips = cells if hover is None else [[t if isinstance(t, str) else "" for t in row]
                                            for row in hover.to_numpy(dtype=object)]
        fig.add_trace(go.Heatmap(z=z, x=cols, y=rows, customdata=tips, xgap=1, ygap=1, name=label,
                                 hovertemplate="%{y} · %{x}<br>%{customdata}<extra></extra>", **colours))
        sample = scale or sequential_scale(float(pd.Series(z.ravel()).max()) if (~pd.isna(z)).any() else 1.0, label)
        dark_fill = [[not math.isnan(v) and sample.is_dark(v) for v in row] for row in z]
        for on_dark, name in ((False, "格内文字"), (True, "格内文字（深色底）")):
            xs, ys, ts = [], [], []
            for i, r in enumerate(rows):
                for j, c in enumerate(cols):
                    if dark_fill[i][j] == on_dark:
                        xs.append(c)
                        ys.append(r)
                        ts.append(cells[i][j])
            fig.add_trace(go.Scatter(x=xs, y=ys, text=ts, mode="text", hoverinfo="skip", showlegend=False,
                                     name=name, textfont=dict(size=12, color="#ffffff" if on_dark else "#1a1a1a")))
    fig.update_layout(height=max(260, 80 + height_per_row * len(pivot.index)), margin=dict(l=0, r=0, t=30, b=0),
                      font=FONT, xaxis=dict(side="top", showgrid=False, zeroline=False),
                      yaxis=dict(autorange="reversed", showgrid=False, zeroline=False),
                      hoverlabel=dict(align="left"), plot_bgcolor="rgba(0,0,0,0)")
    return fig


def trend_chart(series: Sequence[tuple[str, pd.DataFrame]], *, label: str) -> go.Figure:
    """Per series (name, frame of year, actual, target): the actual rate and the plan's target path."""
    palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]
    fig = go.Figure()
    for i, (name, frame) in enumerate(series):
        colour = palette[i % len(palette)]
        fig.add_trace(go.Scatter(x=frame["year"], y=frame["actual"], mode="lines+markers", name=f"{name} 实际",
                                 line=dict(color=colour, width=2.5), connectgaps=False,
                                 hovertemplate="%{x}年：%{y:.4f}<extra>" + name + " 实际</extra>"))
        fig.add_trace(go.Scatter(x=frame["year"], y=frame["target"], mode="lines", name=f"{name} 目标路径",
                                 line=dict(color=colour, width=1.5, dash="dash"),
                                 hovertemplate="%{x}年：%{y:.4f}<extra>" + name + " 目标路径</extra>"))
    fig.update_layout(height=360, margin=dict(l=0, r=0, t=30, b=0), font=FONT, yaxis_title=label,
                      xaxis=dict(dtick=1, title="年度"), legend=dict(orientation="h", y=-0.25))
    return fig


# ------------------------------------------------------------------ assessment


def component_grid(scores: pd.DataFrame, weights: pd.DataFrame) -> go.Figure:
    """Rows = provinces (scores.index), columns = components; colour = score / weight, text = score."""
    columns = [f"{r.component} {r.component_name}（{r.weight:g}）" for r in weights.itertuples()]
    z, text = [], []
    for _, row in scores.iterrows():
        z.append([float(row[c]) / float(w) if w else math.nan for c, w in zip(weights["component"], weights["weight"])])
        text.append([format_value(row[c], 2) for c in weights["component"]])
    fig = go.Figure(go.Heatmap(
        z=z, x=columns, y=list(scores.index), text=text, texttemplate="%{text}", zmin=0, zmax=1,
        colorscale="RdYlGn", colorbar=dict(title=dict(text="得分/权重", side="right"), tickformat=".0%", thickness=12),
        hovertemplate="%{y} · %{x}<br>得分：%{text}<extra></extra>", xgap=1, ygap=1, name="得分"))
    fig.update_layout(height=max(260, 90 + 24 * len(scores.index)), margin=dict(l=0, r=0, t=40, b=0), font=FONT,
                      xaxis=dict(side="top"), yaxis=dict(autorange="reversed"))
    return fig


def scorecard_bars(card: pd.DataFrame) -> go.Figure:
    """One province's component scores against their weights (card: component, component_name, weight, score)."""
    names = [f"{r.component} {r.component_name}" for r in card.itertuples()]
    fig = go.Figure()
    fig.add_trace(go.Bar(y=names, x=card["weight"], orientation="h", name="权重（满分）", marker_color="#e3e8f0",
                         hovertemplate="%{y}<br>权重：%{x}<extra></extra>"))
    fig.add_trace(go.Bar(y=names, x=card["score"], orientation="h", name="得分", marker_color="#2f6db5",
                         text=[format_value(v, 2) for v in card["score"]], textposition="outside", cliponaxis=False,
                         hovertemplate="%{y}<br>得分：%{x:.2f}<extra></extra>"))
    fig.update_layout(barmode="overlay", height=320, margin=dict(l=0, r=20, t=10, b=0), font=FONT,
                      xaxis=dict(range=[0, float(card["weight"].max()) * 1.2]),
                      yaxis=dict(autorange="reversed"), legend=dict(orientation="h", y=-0.15))
    return fig


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


def feed_grid(cells: pd.DataFrame) -> go.Figure:
    """Province x feed grid (cells: province_name, feed_title, state, text, hover)."""
    states = [s[0] for s in FEED_STATES]
    rows = list(dict.fromkeys(cells["province_name"]))
    cols = list(dict.fromkeys(cells["feed_title"]))
    index = {(r.province_name, r.feed_title): r for r in cells.itertuples()}
    n = len(FEED_STATES)
    z, text, hover = [], [], []
    for p in rows:
        z_row, t_row, h_row = [], [], []
        for f in cols:
            cell = index.get((p, f))
            z_row.append(states.index(cell.state) if cell is not None else math.nan)
            t_row.append(cell.text if cell is not None else "")
            h_row.append(cell.hover if cell is not None else "")
        z.append(z_row)
        text.append(t_row)
        hover.append(h_row)
    scale = []
    for i, (_, _, colour) in enumerate(FEED_STATES):
        scale += [[i / n, colour], [(i + 1) / n, colour]]
    fig = go.Figure(go.Heatmap(
        z=z, x=cols, y=rows, text=text, customdata=hover, texttemplate="%{text}", textfont=dict(size=10),
        colorscale=scale, zmin=-0.5, zmax=n - 0.5, xgap=1, ygap=1, name="报送状态",
        colorbar=dict(tickvals=list(range(n)), ticktext=[s[1] for s in FEED_STATES], thickness=12, title="最差状态"),
        hovertemplate="%{y} · %{x}<br>%{customdata}<extra></extra>"))
    fig.update_layout(height=max(260, 110 + 26 * len(rows)), margin=dict(l=0, r=0, t=60, b=0), font=FONT,
                      xaxis=dict(side="top", tickangle=-30), yaxis=dict(autorange="reversed"))
    return fig
