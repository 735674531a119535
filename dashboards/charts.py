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

import pandas as pd
import plotly.graph_objects as go

from dashboards.geo import INSET_VIEW, MAIN_VIEW, OUTSIDE_PLAN, Boundaries

# An empty TopoJSON as a data: URL; plotly.js appends "<scope>_<resolution>m.json", which
# lands in the URL fragment and is ignored.
EMPTY_TOPOLOGY_URL = 'data:application/json,{"type":"Topology","objects":{},"arcs":[]}#'
# No Plotly mode bar (its buttons and tooltips are English and leaders need none of them).
MAP_CONFIG = {"topojsonURL": EMPTY_TOPOLOGY_URL, "displaylogo": False, "scrollZoom": False, "displayModeBar": False}
CHART_CONFIG = {"displaylogo": False, "displayModeBar": False}

NO_DATA_COLOUR = "#d9d9d9"
OUTSIDE_PLAN_COLOUR = "#efefef"
MAP_COLOURS = "YlOrRd"
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


def province_map(values: pd.DataFrame, *, label: str, decimals: int, boundaries: Boundaries,
                 short_names: dict[str, str], selected: str | None = None) -> go.Figure:
    """Provinces coloured by ``values.value`` (columns province_code, province_name, value).

    Provinces with no value are grey; Taiwan, Hong Kong and Macao are drawn in a lighter grey
    (outside the plan's reporting units). The South China Sea islands are in an inset.
    """
    drawn = set(boundaries.codes)
    present = values[values["province_code"].isin(drawn)].copy()
    with_value = present[present["value"].notna()]
    names = dict(zip(values["province_code"], values["province_name"])) | OUTSIDE_PLAN
    missing = [c for c in boundaries.codes if c not in set(with_value["province_code"])]

    fig = go.Figure()
    # Labels first: besides the config above, a first trace without `locationmode` keeps
    # plotly.js from asking for its world topology.
    label_codes = [c for c in boundaries.codes if c in short_names and c not in ("810000", "820000")]
    fig.add_trace(go.Scattergeo(
        lon=[boundaries.label_points[c][0] for c in label_codes],
        lat=[boundaries.label_points[c][1] for c in label_codes],
        text=[short_names[c] for c in label_codes], mode="text",
        textfont=dict(size=11, color="#1a1a1a", shadow="0px 0px 3px #ffffff"),
        hoverinfo="skip", showlegend=False, name="省份名称", geo="geo"))
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

        for name, colour, codes in (
            ("无数据", NO_DATA_COLOUR, [c for c in missing if c in inset_codes and c not in OUTSIDE_PLAN]),
            ("不在本计划报送范围", OUTSIDE_PLAN_COLOUR, [c for c in missing if c in inset_codes and c in OUTSIDE_PLAN]),
        ):
            if codes:
                fig.add_trace(go.Choropleth(
                    geojson=subset(codes), featureidkey="id", locations=codes, z=[0] * len(codes),
                    colorscale=[[0, colour], [1, colour]], showscale=False,
                    marker=dict(line=dict(color="white", width=0.6)),
                    customdata=[[names.get(c, c)] for c in codes],
                    hovertemplate="%{customdata[0]}<br>" + name + "<extra></extra>",
                    name=name, geo=geo_id, showlegend=False))
        shown = with_value[with_value["province_code"].isin(inset_codes)]
        if not shown.empty:
            fig.add_trace(go.Choropleth(
                geojson=subset(shown["province_code"]), featureidkey="id", locations=list(shown["province_code"]),
                z=[float(v) for v in shown["value"]], coloraxis="coloraxis",
                marker=dict(line=dict(color="white", width=0.6)),
                customdata=[[n, format_value(v, decimals)] for n, v in zip(shown["province_name"], shown["value"])],
                hovertemplate=f"%{{customdata[0]}}<br>{label}：%{{customdata[1]}}<extra></extra>",
                name=label, geo=geo_id, showlegend=False))
        if selected and selected in inset_codes:
            fig.add_trace(go.Choropleth(
                geojson=subset([selected]), featureidkey="id", locations=[selected], z=[0],
                colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], showscale=False,
                marker=dict(line=dict(color="#1f3b73", width=2.5)), hoverinfo="skip",
                name="所选省份", geo=geo_id, showlegend=False))

    # Fixed views rather than `fitbounds` (which does not frame conic projections well here).
    geo_common = dict(visible=False, bgcolor="rgba(0,0,0,0)")
    fig.update_layout(
        geo=dict(**geo_common, showframe=False,
                 projection=dict(type="conic equal area", parallels=[25, 47], rotation=dict(lon=105)),
                 lonaxis=dict(range=list(MAIN_VIEW["lon"])), lataxis=dict(range=list(MAIN_VIEW["lat"])),
                 domain=dict(x=[0.0, 0.92], y=[0.0, 1.0])),
        geo2=dict(**geo_common, showframe=True, framecolor="#999999", framewidth=1,
                  projection=dict(type="mercator"),
                  lonaxis=dict(range=list(INSET_VIEW["lon"])), lataxis=dict(range=list(INSET_VIEW["lat"])),
                  domain=dict(x=[0.76, 0.90], y=[0.02, 0.34])),
        coloraxis=dict(colorscale=MAP_COLOURS, colorbar=dict(title=dict(text=label, side="right"), thickness=14,
                                                              len=0.6, x=0.94)),
        margin=dict(l=0, r=0, t=10, b=0), height=580, font=FONT, clickmode="event+select", dragmode=False,
        annotations=[dict(text="南海诸岛", x=0.83, y=0.035, xref="paper", yref="paper", showarrow=False,
                          font=dict(size=11, color="#555555"))],
    )
    return fig


def selected_province(selection) -> str | None:
    """The province code of a click on the map (a Streamlit plotly selection state)."""
    try:
        points = selection["selection"]["points"]
    except (KeyError, TypeError):
        return None
    for point in points:
        location = point.get("location") if isinstance(point, dict) else None
        if location:
            return str(location)
    return None


# ------------------------------------------------------------------ tables as heat maps


def heat_table(pivot: pd.DataFrame, *, label: str, decimals: int, height_per_row: int = 24) -> go.Figure:
    """A province x column table coloured by value (pivot: index = row labels, columns = column labels)."""
    z = pivot.to_numpy(dtype=float)
    text = [[format_value(v, decimals) if not math.isnan(v) else "—" for v in row] for row in z]
    fig = go.Figure(go.Heatmap(
        z=z, x=list(pivot.columns), y=list(pivot.index), text=text, texttemplate="%{text}",
        colorscale=MAP_COLOURS, colorbar=dict(title=dict(text=label, side="right"), thickness=12),
        hovertemplate="%{y} · %{x}<br>" + label + "：%{text}<extra></extra>", xgap=1, ygap=1,
        name=label))
    fig.update_layout(height=max(260, 80 + height_per_row * len(pivot.index)), margin=dict(l=0, r=0, t=30, b=0),
                      font=FONT, xaxis=dict(side="top"), yaxis=dict(autorange="reversed"))
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
