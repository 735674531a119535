"""The province map as SVG, drawn on the server from our own boundaries (``geo.py``).

Albers equal-area conic (standard parallels 25°N and 47°N, central meridian 105°E), the usual
projection of maps of China and the one the PDF briefing uses. The mainland with Hainan Island
fills the drawing; the South China Sea islands (南海诸岛) are an inset at the bottom right with
the maritime boundary's dashes. Taiwan, Hong Kong and Macao are drawn and labelled as part of
China's territory, grey like every province without data. The corps (新疆生产建设兵团, no
polygon of its own) is a marker inside Xinjiang on the same colour scale.

Each province is an ``<a href="…" data-select="CODE">`` around its ``<path data-code="CODE">``
(see ``drawing.py``): a click selects it in the session, a link opened in a new tab keeps the view.
The projected outlines are computed once per process; a drawing only adds fills and texts.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from dashboards.charts import NO_DATA, NO_DATA_COLOUR, SELECTED_COLOUR, XPCC, ColourScale, format_value
from dashboards.drawing import INK, MUTED, esc, gradient_legend, ink_on, num, svg, title
from dashboards.geo import INSET_VIEW, OUTSIDE_PLAN, UNLABELLED, XPCC_POINT, Boundaries

MAIN_W = 760.0  # the mainland's width in drawing units (the SVG scales to its column)
MARGIN = 6.0
INSET_W, INSET_H = 118.0, 150.0
WIDTH = MAIN_W + 70.0  # room right of Taiwan for the South China Sea inset
NO_DATA_LABEL = "未报送/无数据"


class _Albers:
    def __init__(self, lon0: float = 105.0, lat1: float = 25.0, lat2: float = 47.0):
        p1, p2 = math.radians(lat1), math.radians(lat2)
        self.n = (math.sin(p1) + math.sin(p2)) / 2
        self.c = math.cos(p1) ** 2 + 2 * self.n * math.sin(p1)
        self.lon0 = lon0

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        rho = math.sqrt(self.c - 2 * self.n * math.sin(math.radians(lat))) / self.n
        theta = self.n * math.radians(lon - self.lon0)
        return rho * math.sin(theta), -rho * math.cos(theta)


@dataclass(frozen=True)
class _Fit:
    """Projected coordinates into a box of the drawing (y down)."""

    x0: float
    y1: float
    scale: float
    dx: float
    dy: float

    @classmethod
    def of(cls, points: list[tuple[float, float]], x: float, y: float, width: float, height: float) -> _Fit:
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        scale = min(width / (max(xs) - min(xs)), height / (max(ys) - min(ys)))
        return cls(min(xs), max(ys), scale, x + (width - (max(xs) - min(xs)) * scale) / 2, y)

    def __call__(self, px: float, py: float) -> tuple[float, float]:
        return self.dx + (px - self.x0) * self.scale, self.dy + (self.y1 - py) * self.scale


def _rings(geometry: dict) -> list[list]:
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"])
    return [ring for polygon in geometry["coordinates"] for ring in polygon]


PATH_STEPS = 2  # path points on a grid of 1/2 drawing unit (about 0.65 px at 1600 px): invisible


def _path(rings, to_xy) -> str:
    """Path data of the rings: each ring's first point absolute, the others relative to the point
    before, on a 1/PATH_STEPS grid (a point that falls on the one before is left out). Relative
    steps on a grid take a third of the text of absolute coordinates: the map is most of the
    first page's bytes. Neighbours' shared borders stay identical (the same points on the same
    grid)."""
    parts = []
    for ring in rings:
        grid = [(round(x * PATH_STEPS), round(y * PATH_STEPS)) for x, y in (to_xy(lon, lat) for lon, lat in ring)]
        points = [grid[0]] + [b for a, b in zip(grid, grid[1:]) if b != a] if grid else []
        if len(points) < 3:
            continue
        parts.append(f"M{_unit(points[0][0])},{_unit(points[0][1])}"
                     + "".join(f"l{_unit(b[0] - a[0])},{_unit(b[1] - a[1])}" for a, b in zip(points, points[1:]))
                     + "z")
    return "".join(parts)


def _unit(steps: int) -> str:
    """Grid steps as drawing units, shortest text: 3, -1.5, 0.5 as .5."""
    text = f"{steps / PATH_STEPS:g}"
    return text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text


@dataclass(frozen=True)
class _Outlines:
    height: float
    main: dict[str, str]  # code -> path data
    inset: dict[str, str]
    inset_box: tuple[float, float, float, float]
    maritime: tuple[str, ...]  # path data of the dashes, in the inset
    point: Callable[[float, float], tuple[float, float]]  # (lon, lat) -> drawing (main view)


_OUTLINES: dict[int, tuple[Boundaries, _Outlines]] = {}


def outlines(boundaries: Boundaries) -> _Outlines:
    """The projected outlines of ``boundaries`` (computed once per boundaries object)."""
    cached = _OUTLINES.get(id(boundaries))
    if cached is not None and cached[0] is boundaries:
        return cached[1]
    project = _Albers()
    projected = [project(lon, lat) for f in boundaries.main["features"] for ring in _rings(f["geometry"])
                 for lon, lat in ring]
    xs, ys = [p[0] for p in projected], [p[1] for p in projected]
    inner = MAIN_W - 2 * MARGIN
    scale = inner / (max(xs) - min(xs))
    height = (max(ys) - min(ys)) * scale + 2 * MARGIN
    fit = _Fit(min(xs), max(ys), scale, MARGIN, MARGIN)

    def main_xy(lon, lat):
        return fit(*project(lon, lat))

    main = {f["id"]: _path(_rings(f["geometry"]), main_xy) for f in boundaries.main["features"]}
    ix, iy = WIDTH - INSET_W - MARGIN, height - INSET_H - MARGIN
    corners = [project(lon, lat) for lon in INSET_VIEW["lon"] for lat in INSET_VIEW["lat"]]
    inset_fit = _Fit.of(corners, ix + 3, iy + 16, INSET_W - 6, INSET_H - 20)

    def inset_xy(lon, lat):
        return inset_fit(*project(lon, lat))

    inset = {f["id"]: _path(_rings(f["geometry"]), inset_xy) for f in boundaries.inset["features"]}
    maritime = tuple("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in (inset_xy(lon, lat) for lon, lat in dash))
                     for dash in boundaries.maritime if len(dash) > 1)
    result = _Outlines(height=height, main=main, inset=inset, inset_box=(ix, iy, INSET_W, INSET_H),
                       maritime=maritime, point=main_xy)
    _OUTLINES[id(boundaries)] = (boundaries, result)
    return result


def _scale_ticks(scale: ColourScale, decimals: int) -> list[tuple[float, str]]:
    span = scale.zmax - scale.zmin
    if scale.tickvals is not None:
        return [((v - scale.zmin) / span, t) for v, t in zip(scale.tickvals, scale.ticktext or ())]
    return [(0.0, format_value(scale.zmin, decimals)), (1.0, format_value(scale.zmax, decimals))]


def province_map(values: pd.DataFrame, *, scale: ColourScale, decimals: int, boundaries: Boundaries,
                 short_names: dict[str, str], selected: str | None = None,
                 link: Callable[[str], str] | None = None, key: str = "map") -> str:
    """The map's SVG (with its legend). ``values``: province_code, province_name, value (NaN: no
    data, grey) and hover (the tooltip, Plotly-style HTML). ``link(code)`` is the URL of a
    province's view (None: not clickable)."""
    o = outlines(boundaries)
    rows = {r.province_code: r for r in values.itertuples()}
    names = {c: r.province_name for c, r in rows.items()} | OUTSIDE_PLAN

    def value_of(code: str) -> float | None:
        r = rows.get(code)
        if r is None or pd.isna(r.value):
            return None
        return float(r.value)

    def fill_of(code: str) -> str:
        v = value_of(code)
        return NO_DATA_COLOUR if v is None or code in OUTSIDE_PLAN else scale.colour_of(v)

    def tooltip(code: str) -> str:
        r = rows.get(code)
        hover = getattr(r, "hover", None) if r is not None else None
        return hover if isinstance(hover, str) and hover else f"{names.get(code, code)}<br>{NO_DATA}"

    def shape(code: str, d: str, stroke: float) -> str:
        v = value_of(code)
        fill = fill_of(code)
        value = f' data-value="{v!r}"' if v is not None and code not in OUTSIDE_PLAN else ' data-no-data="1"'
        path = (f'<path d="{d}" fill="{fill}" stroke="#ffffff" stroke-width="{stroke}" data-code="{code}"'
                f'{value}>{title(tooltip(code))}</path>')
        if link and code not in OUTSIDE_PLAN:
            return f'<a href="{esc(link(code))}" data-select="{code}">{path}</a>'
        return path

    body = [f'<g class="ipx-provinces">{"".join(shape(c, d, 0.7) for c, d in o.main.items())}</g>']
    if selected and selected in o.main:
        body.append(f'<path class="ipx-selected" d="{o.main[selected]}" fill="none" stroke="{SELECTED_COLOUR}" '
                    'stroke-width="2.5" pointer-events="none"/>')

    # leader lines, then the names (white with a dark halo on dark fills, dark with a white halo elsewhere)
    for code in o.main:
        line = boundaries.leader_line(code)
        if line:
            (x1, y1), (x2, y2) = o.point(*line[0]), o.point(*line[1])
            body.append(f'<line class="ipx-leader" x1="{num(x1)}" y1="{num(y1)}" x2="{num(x2)}" y2="{num(y2)}" '
                        'stroke="#555555" stroke-width="0.8" pointer-events="none"/>')
    for code in o.main:
        if code in UNLABELLED or not (code in short_names or code in OUTSIDE_PLAN):
            continue
        text = short_names.get(code) or OUTSIDE_PLAN[code].removesuffix("省").removesuffix("特别行政区")
        x, y = o.point(*boundaries.label_at(code))
        on_fill = fill_of(code) if code not in boundaries.outside_labels else "#ffffff"
        colour = ink_on(on_fill)
        halo = "#000000" if colour == "#ffffff" else "#ffffff"
        body.append(f'<text class="ipx-label" x="{num(x)}" y="{num(y + 4)}" font-size="12" text-anchor="middle" '
                    f'fill="{colour}" stroke="{halo}" stroke-width="2.6" stroke-linejoin="round" paint-order="stroke" '
                    f'pointer-events="none" data-code="{code}">{esc(text)}</text>')

    # the corps: a marker inside Xinjiang on the same scale
    if XPCC in names:
        x, y = o.point(*XPCC_POINT)
        chosen = selected == XPCC
        marker = (f'<circle class="ipx-xpcc" cx="{num(x)}" cy="{num(y)}" r="8" fill="{fill_of(XPCC)}" '
                  f'stroke="{SELECTED_COLOUR if chosen else "#ffffff"}" stroke-width="{3 if chosen else 1.8}" '
                  f'data-code="{XPCC}"' + (f' data-value="{value_of(XPCC)!r}"' if value_of(XPCC) is not None
                                           else ' data-no-data="1"') + f'>{title(tooltip(XPCC))}</circle>')
        if link:
            marker = f'<a href="{esc(link(XPCC))}" data-select="{XPCC}">{marker}</a>'
        body.append(marker)
        body.append(f'<text class="ipx-label" x="{num(x + 11)}" y="{num(y + 4)}" font-size="12" fill="{INK}" '
                    'stroke="#ffffff" stroke-width="2.6" stroke-linejoin="round" paint-order="stroke" '
                    f'pointer-events="none" data-code="{XPCC}">{esc(short_names.get(XPCC, "兵团"))}</text>')

    # the South China Sea inset
    ix, iy, iw, ih = o.inset_box
    clip = f"ipx-inset-{esc(key)}"
    inset = "".join(shape(c, d, 0.4) for c, d in o.inset.items())
    dashes = "".join(f'<path d="{d}" fill="none" stroke="#7a8ca3" stroke-width="1.1"/>' for d in o.maritime)
    body.append(f'<g class="ipx-inset"><defs><clipPath id="{clip}"><rect x="{num(ix)}" y="{num(iy)}" width="{num(iw)}" '
                f'height="{num(ih)}"/></clipPath></defs>'
                f'<rect x="{num(ix)}" y="{num(iy)}" width="{num(iw)}" height="{num(ih)}" fill="#ffffff" stroke="#999999"/>'
                f'<g clip-path="url(#{clip})">{inset}{dashes}</g>'
                f'<text x="{num(ix + iw / 2)}" y="{num(iy + 12)}" font-size="11" fill="{MUTED}" '
                f'text-anchor="middle">南海诸岛</text></g>')
    drawing = svg(WIDTH, o.height, body, css_class="ipx-map", label=scale.title)
    legend = gradient_legend(scale.colours, _scale_ticks(scale, decimals), title_text=scale.title,
                             no_data=(NO_DATA_LABEL, NO_DATA_COLOUR), gradient_id=f"ipx-scale-{key}", width=WIDTH,
                             value_range=(scale.zmin, scale.zmax))
    return f'<div data-drawing="{esc(key)}">{drawing}{legend}</div>'
