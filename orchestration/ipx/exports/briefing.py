"""``ipx export briefing``: the leaders' briefing (领导简报), one or two A4 pages of PDF in Chinese.

What it holds, all read from the published marts (no figure is computed here, only laid out):
the plan year (default: the latest year any province delivered; 预评估 when its deliveries
were not all due at the data's as-of time, ``mart_assessment_coverage``), the as-of time
(``mart_data_as_of``), the coverage line (已报送省份 n/N, the others listed as 未报送), the
national key-industry injury rate against the target path, a map of each province's gap to
the target path (``mart_hotspots.injury_rate_gap_pct`` on ``key_all``), the provinces behind
target (worst first), the provincial assessment ranking and the top 10 of the watchlist.

Scope: national aggregates, the map, the lagging list and the ranking are the same for every
reader; with a ``scope`` (a provincial reader) the watchlist holds only that province's employers.

Font: the PDF embeds a subset of a CJK font found on the machine (Noto Sans CJK, Source Han
Sans, WenQuanYi, Microsoft YaHei, SimHei ..., or the file named by ``IPX_PDF_FONT``). ReportLab
embeds TrueType outlines only, so a CFF-based OpenType font (Noto CJK is one) is subset with
fontTools to the characters the briefing uses and its outlines converted to TrueType
(quadratic) curves first (about 1 s a face, kept for the same characters; ``IPX_PDF_FONT``
may name a TrueType font to skip the conversion). With no CJK font on the machine the briefing uses the
PDF standard CJK font STSong-Light (Adobe-GB1), which needs no file and is not embedded: every
common viewer (Acrobat, WPS, browsers' viewers) supplies a Song face for it.
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import os
import sys
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.graphics.shapes import Circle, Drawing, Line, Rect, String
from reportlab.graphics.shapes import Path as PathShape
from reportlab.lib import colors
from reportlab.lib import textsplit as _textsplit
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus import paragraph as _paragraph

from ipx.exports.scope import scope_filter
from ipx.settings import ConfigurationError

# ReportLab's CJK line breaking lets full-width ；，：！？ start a line, which Chinese typesetting
# never does (its list has only their ASCII forms): add them, once per process, in both modules
# that break CJK lines (one-fragment and many-fragment paragraphs).
for _module in (_paragraph, _textsplit):
    _module.ALL_CANNOT_START += "".join(c for c in "；，：！？》」』" if c not in _module.ALL_CANNOT_START)

TITLE = "工伤预防工作领导简报"
KEY_ALL = "key_all"
XPCC = "660000"
WATCHLIST_ROWS = 10
SUMMARY_NAMES = 5  # lagging provinces named in the headline sentence
MISSING = "—"

# ------------------------------------------------------------------ the content


@dataclass
class Briefing:
    year: int
    provisional: bool
    as_of: str  # "2023-02-04 18:26" (Beijing time, as the mart holds it)
    assessed: list[tuple[str, str]]  # (code, name) of provinces that delivered in the year
    not_delivered: list[tuple[str, str]]
    national: dict | None  # the national key_all row of mart_hotspots
    gaps: dict[str, dict]  # province code -> its key_all row (reported provinces only)
    lagging: list[dict]  # provinces behind target, worst gap first
    ranking: list[dict]  # mart_provincial_assessment of the year, by rank
    watchlist: list[dict]  # the first WATCHLIST_ROWS of mart_watchlist in scope, by priority
    short_names: dict[str, str] = field(default_factory=dict)
    scope_names: list[str] | None = None  # the provinces a scoped briefing's details belong to

    @property
    def coverage_line(self) -> str:
        return f"已报送省份 {len(self.assessed)}/{len(self.assessed) + len(self.not_delivered)}"

    @property
    def year_label(self) -> str:
        return f"{self.year}年（预评估）" if self.provisional else f"{self.year}年"


def _rows(con, sql: str, params: Iterable = ()) -> list[dict]:
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def latest_reported_year(con) -> int | None:
    """The latest plan year in which any province delivered (``mart_assessment_coverage``)."""
    row = con.execute("SELECT max(year) FROM marts.mart_assessment_coverage WHERE is_assessed").fetchone()
    return None if row is None or row[0] is None else int(row[0])


def gather(con, year: int | None = None, scope: frozenset[str] | None = None) -> Briefing:
    """The briefing's content from the published marts of ``con``."""
    if year is None:
        year = latest_reported_year(con)
        if year is None:
            raise ConfigurationError("no province has delivered data yet: nothing to brief on")
    coverage = _rows(con, "SELECT province_code, province_name, is_assessed, is_provisional "
                          "FROM marts.mart_assessment_coverage WHERE year = ? ORDER BY province_code", [year])
    assessed = [(r["province_code"], r["province_name"]) for r in coverage if r["is_assessed"]]
    if not assessed:
        raise ConfigurationError(f"no province delivered data for {year}: nothing to brief on")
    as_of = con.execute("SELECT as_of_at FROM marts.mart_data_as_of").fetchone()
    hotspots = _rows(con, "SELECT * FROM marts.mart_hotspots WHERE industry_group = ? AND year = ? "
                          "ORDER BY province_code", [KEY_ALL, year])
    national = next((r for r in hotspots if r["is_national"]), None)
    gaps = {r["province_code"]: r for r in hotspots
            if not r["is_national"] and r["is_reported"] and r["injury_rate_gap_pct"] is not None}
    lagging = sorted((r for r in gaps.values() if r["target_status"] == "behind"),
                     key=lambda r: (-r["injury_rate_gap_pct"], r["province_code"]))
    ranking = _rows(con, "SELECT province_code, province_name, total_score, grade, rank "
                         "FROM marts.mart_provincial_assessment WHERE year = ? ORDER BY rank, province_code", [year])
    in_scope, params = scope_filter(scope, national=False)
    watchlist = _rows(con, "SELECT priority_rank, priority_tier, province_code, province_name, employer_name, "
                           "key_industry_name, listing_reasons, overdue_items, max_days_overdue "
                           f"FROM marts.mart_watchlist WHERE {in_scope} ORDER BY priority_rank LIMIT {WATCHLIST_ROWS}",
                      params)
    short = dict(con.execute(
        "SELECT province_code, province_short FROM reference.provinces").fetchall())
    names = dict(con.execute(
        "SELECT province_code, province_name FROM reference.provinces").fetchall())
    return Briefing(
        year=year,
        provisional=any(r["is_provisional"] for r in coverage),
        as_of=_when(as_of[0]) if as_of else MISSING,
        assessed=assessed,
        not_delivered=[(r["province_code"], r["province_name"]) for r in coverage if not r["is_assessed"]],
        national=national, gaps=gaps, lagging=lagging, ranking=ranking, watchlist=watchlist,
        short_names=short,
        scope_names=None if scope is None else [names.get(c, c) for c in sorted(scope)],
    )


def _when(value) -> str:
    if value is None:
        return MISSING
    return value.strftime("%Y-%m-%d %H:%M") if hasattr(value, "strftime") else str(value)


# ------------------------------------------------------------------ number formats


def _num(value, decimals: int) -> str:
    return MISSING if value is None else f"{float(value):,.{decimals}f}"


def _signed(value, decimals: int, suffix: str = "") -> str:
    if value is None:
        return MISSING
    v = float(value)
    return f"{'+' if v > 0 else '−' if v < 0 else '±'}{abs(v):,.{decimals}f}{suffix}"


# ------------------------------------------------------------------ fonts

FONT_ENV = "IPX_PDF_FONT"
STANDARD_CJK_FONT = "STSong-Light"
# (regular, bold) candidates, tried in order; a .ttc face is chosen by its name.
FONT_CANDIDATES = [
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc"),
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
     "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc"),
    ("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf", "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Bold.otf"),
    ("/usr/share/fonts/adobe-source-han-sans/SourceHanSansCN-Regular.otf",
     "/usr/share/fonts/adobe-source-han-sans/SourceHanSansCN-Bold.otf"),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc"),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", None),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", None),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", None),
    ("C:/Windows/Fonts/msyh.ttc", "C:/Windows/Fonts/msyhbd.ttc"),
    ("C:/Windows/Fonts/simhei.ttf", None),
    ("C:/Windows/Fonts/simsun.ttc", None),
    ("/System/Library/Fonts/STHeiti Light.ttc", "/System/Library/Fonts/STHeiti Medium.ttc"),
    ("/Library/Fonts/Arial Unicode.ttf", None),
]
# Faces of a collection preferred for Simplified Chinese, by a part of their name.
SIMPLIFIED_FACE_HINTS = ("SC", "CN", "GB", "Simplified", "Hei", "YaHei")


@dataclass(frozen=True)
class Fonts:
    regular: str
    bold: str
    embedded: bool


def font_files() -> tuple[Path, Path | None] | None:
    """The CJK font files to embed (regular, bold or None), or None when the machine has none."""
    override = os.environ.get(FONT_ENV)
    if override:
        path = Path(override)
        if not path.is_file():
            raise ConfigurationError(f"{FONT_ENV}={override}: no such font file")
        return path, None
    for regular, bold in FONT_CANDIDATES:
        if Path(regular).is_file():
            return Path(regular), (Path(bold) if bold and Path(bold).is_file() else None)
    return None


def _face_number(path: Path) -> int:
    """In a font collection, the face for Simplified Chinese (by its family name), else the first."""
    if path.suffix.lower() != ".ttc":
        return 0
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(path), lazy=True)
    names = [str(face["name"].getDebugName(1) or "") for face in collection.fonts]
    for hint in SIMPLIFIED_FACE_HINTS:
        for i, name in enumerate(names):
            if hint in name.split() or name.endswith(hint):
                return i
    return 0


def _as_truetype(font) -> None:
    """Replace a fontTools font's CFF outlines by TrueType (quadratic) ones, in place."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, glyphs
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    hmtx = font["hmtx"]
    for name in order:
        glyphs[name].recalcBounds(glyf)
        hmtx[name] = (hmtx[name][0], getattr(glyphs[name], "xMin", 0))
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion, maxp.numGlyphs = 0x00010000, len(order)
    for attribute in ("maxPoints", "maxContours", "maxCompositePoints", "maxCompositeContours", "maxTwilightPoints",
                      "maxStorage", "maxFunctionDefs", "maxInstructionDefs", "maxStackElements",
                      "maxSizeOfInstructions", "maxComponentElements", "maxComponentDepth"):
        setattr(maxp, attribute, 0)
    maxp.maxZones = 1
    maxp.recalc(font)
    post = font["post"]
    post.formatType, post.extraNames, post.mapping, post.glyphOrder = 2.0, [], {}, order
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"


@functools.lru_cache(maxsize=16)
def _subset_bytes(path: str, characters: str) -> bytes:
    """A TrueType subset of the font at ``path`` holding ``characters`` (about 1 s for a CFF font;
    the same briefing made again reuses it)."""
    from fontTools import subset

    options = subset.Options()
    options.font_number = _face_number(Path(path))
    options.desubroutinize = True
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "JSTF", "VORG", "vhea", "vmtx", "DSIG"]
    options.notdef_outline = True
    options.name_IDs = ["*"]
    font = subset.load_font(path, options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters)
    subsetter.subset(font)
    if "CFF " in font:
        _as_truetype(font)
    # ReportLab also keys fonts by PostScript name (a second font of the same name is taken for the
    # first one): each subset gets its own.
    table = font["name"]
    postscript = f"IPX{hashlib.sha1((path + characters).encode()).hexdigest()[:10]}-{table.getDebugName(6) or 'CJK'}"
    for record in [r for r in table.names if r.nameID == 6]:
        table.removeNames(nameID=6, platformID=record.platformID, platEncID=record.platEncID, langID=record.langID)
    table.setName(postscript[:63], 6, 3, 1, 0x409)
    table.setName(postscript[:63], 6, 1, 0, 0)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def _registered_subset(path: str, characters: str) -> str:
    """Register a subset of the font at ``path`` holding ``characters`` under a new name (each
    briefing registers its own and forgets it once written: ``forget``); that name."""
    from reportlab.pdfbase.ttfonts import TTFont

    name = f"IPX-{uuid.uuid4().hex[:12]}"
    pdfmetrics.registerFont(TTFont(name, io.BytesIO(_subset_bytes(path, characters))))
    return name


def _standard_font() -> Fonts:
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if STANDARD_CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(STANDARD_CJK_FONT))
    return Fonts(STANDARD_CJK_FONT, STANDARD_CJK_FONT, embedded=False)


def forget(fonts: Fonts) -> None:
    """Drop a briefing's font subsets from ReportLab's registry (it has no public way to), so a
    long-running dashboard does not keep one pair of subsets per briefing it has made."""
    if not fonts.embedded:
        return
    registry, faces = getattr(pdfmetrics, "_fonts", {}), getattr(pdfmetrics, "_dynFaceNames", {})
    for name in {fonts.regular, fonts.bold}:
        font = registry.pop(name, None)
        if font is not None:
            faces.pop(font.face.name, None)


def fonts_for(text: str) -> Fonts:
    """Fonts able to draw every character of ``text``: an embedded subset of a CJK font found on
    the machine, or the standard (not embedded) STSong-Light when there is none."""
    files = font_files()
    if files is None:
        return _standard_font()
    characters = "".join(sorted(set(text) | set(map(chr, range(0x20, 0x7F)))))
    regular = _registered_subset(str(files[0]), characters)
    bold = _registered_subset(str(files[1]), characters) if files[1] else regular
    return Fonts(regular, bold, embedded=True)


# ------------------------------------------------------------------ the map

BLUE, WHITE, RED = (0x21, 0x66, 0xAC), (0xF7, 0xF7, 0xF7), (0xB2, 0x18, 0x2B)
NO_DATA = colors.HexColor("#D9D9D9")
OUTSIDE_PLAN = colors.HexColor("#E6E6E6")
BORDER = colors.HexColor("#FFFFFF")
INK = colors.HexColor("#1F2A37")
MUTED = colors.HexColor("#5F6B7A")
ACCENT = colors.HexColor("#8B1A1A")
RULE = colors.HexColor("#C8CDD3")
HEADER_FILL = colors.HexColor("#EEF1F5")


def gap_limit(gaps: Iterable[float]) -> float:
    """The colour scale's half-width in percent: the largest gap rounded up to 5, at least 10."""
    largest = max((abs(float(g)) for g in gaps), default=0.0)
    return max(10.0, math.ceil(largest / 5.0) * 5.0)


def gap_colour(gap_pct: float, limit: float) -> colors.Color:
    """Diverging scale centred on the target: blue better than target, red worse."""
    t = max(-1.0, min(1.0, float(gap_pct) / limit))
    end = RED if t > 0 else BLUE
    mix = [w + (e - w) * abs(t) for w, e in zip(WHITE, end)]
    return colors.Color(*(c / 255.0 for c in mix))


def _text_colour(fill: colors.Color) -> colors.Color:
    luminance = 0.299 * fill.red + 0.587 * fill.green + 0.114 * fill.blue
    return colors.white if luminance < 0.55 else INK


class _Albers:
    """Albers equal-area conic (standard parallels 25°N and 47°N, central meridian 105°E): the
    usual projection of maps of China, in arbitrary units."""

    def __init__(self, lon0: float = 105.0, lat1: float = 25.0, lat2: float = 47.0, lat0: float = 0.0):
        p1, p2 = math.radians(lat1), math.radians(lat2)
        self.n = (math.sin(p1) + math.sin(p2)) / 2
        self.c = math.cos(p1) ** 2 + 2 * self.n * math.sin(p1)
        self.rho0 = math.sqrt(self.c - 2 * self.n * math.sin(math.radians(lat0))) / self.n
        self.lon0 = lon0

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        rho = math.sqrt(self.c - 2 * self.n * math.sin(math.radians(lat))) / self.n
        theta = self.n * math.radians(lon - self.lon0)
        return rho * math.sin(theta), self.rho0 - rho * math.cos(theta)


def _rings(geometry: dict) -> list[list]:
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"])
    return [ring for polygon in geometry["coordinates"] for ring in polygon]


class _Frame:
    """Projected (x, y) fitted into a box of the drawing."""

    def __init__(self, points: list[tuple[float, float]], x: float, y: float, width: float, height: float):
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        self.x0, self.y0 = min(xs), min(ys)
        self.scale = min(width / (max(xs) - self.x0), height / (max(ys) - self.y0))
        self.dx = x + (width - (max(xs) - self.x0) * self.scale) / 2
        self.dy = y + (height - (max(ys) - self.y0) * self.scale) / 2

    def __call__(self, px: float, py: float) -> tuple[float, float]:
        return self.dx + (px - self.x0) * self.scale, self.dy + (py - self.y0) * self.scale


def _boundaries():
    """The dashboard's province boundaries (``dashboards/geo.py``: the package's own data)."""
    try:
        from dashboards import geo
    except ImportError:  # the ipx command outside the repository's root
        from ipx.paths import REPO_ROOT

        sys.path.insert(0, str(REPO_ROOT))
        from dashboards import geo
    return geo


# XPCC has no polygon of its own: a marker in northern Xinjiang (Shihezi, its seat).
XPCC_MARKER = (86.04, 44.31)
# Labels moved off small provinces on the crowded east coast: code -> (dx, dy) in points.
LABEL_OFFSETS = {"110000": (-24, 10), "120000": (18, 2), "310000": (18, 0), "710000": (16, 0)}
# Label points moved where a province's own point crowds its neighbours' labels: code -> (lon, lat).
LABEL_POINTS = {"620000": (100.0, 39.2), "130000": (115.3, 37.9), "640000": (106.0, 37.2)}


def gap_map(b: Briefing, fonts: Fonts, width: float, height: float) -> Drawing:
    geo = _boundaries()
    boundaries = geo.load_boundaries()
    project = _Albers()
    drawing = Drawing(width, height)
    limit = gap_limit(r["injury_rate_gap_pct"] for r in b.gaps.values())

    def fill_of(code: str):
        if code in geo.OUTSIDE_PLAN:
            return OUTSIDE_PLAN
        row = b.gaps.get(code)
        return NO_DATA if row is None else gap_colour(row["injury_rate_gap_pct"], limit)

    def shapes(collection: dict, frame: _Frame, stroke: float):
        for feature in collection["features"]:
            path = PathShape(fillColor=fill_of(feature["id"]), strokeColor=BORDER, strokeWidth=stroke)
            for ring in _rings(feature["geometry"]):
                points = [frame(*project(lon, lat)) for lon, lat in ring]
                path.moveTo(*points[0])
                for point in points[1:]:
                    path.lineTo(*point)
                path.closePath()
            drawing.add(path)

    main_points = [project(lon, lat) for f in boundaries.main["features"]
                   for ring in _rings(f["geometry"]) for lon, lat in ring]
    frame = _Frame(main_points, 0, 0, width, height)
    shapes(boundaries.main, frame, 0.5)

    # the South China Sea inset, bottom right, with the maritime boundary's dashes
    inset_w, inset_h = width * 0.13, height * 0.27
    ix, iy = width - inset_w - 2, 2
    drawing.add(Rect(ix, iy, inset_w, inset_h, fillColor=colors.white, strokeColor=MUTED, strokeWidth=0.6))
    inset_view = geo.INSET_VIEW
    corners = [project(lon, lat) for lon in inset_view["lon"] for lat in inset_view["lat"]]
    inset_frame = _Frame(corners, ix + 2, iy + 2, inset_w - 4, inset_h - 10)
    clip_lon, clip_lat = inset_view["lon"], inset_view["lat"]
    inset = {"features": [{**f, "geometry": {"type": "MultiPolygon", "coordinates": [
        [[[max(clip_lon[0], min(clip_lon[1], lon)), max(clip_lat[0], min(clip_lat[1], lat))] for lon, lat in ring]
         for ring in polygon] for polygon in (f["geometry"]["coordinates"] if f["geometry"]["type"] == "MultiPolygon"
                                              else [f["geometry"]["coordinates"]])]}}
        for f in boundaries.inset["features"]]}
    shapes(inset, inset_frame, 0.3)
    for dash in boundaries.maritime:
        points = [inset_frame(*project(lon, lat)) for lon, lat in dash]
        for (x1, y1), (x2, y2) in zip(points, points[1:]):
            drawing.add(Line(x1, y1, x2, y2, strokeColor=MUTED, strokeWidth=0.6))
    drawing.add(String(ix + inset_w / 2, iy + inset_h - 8, "南海诸岛", fontName=fonts.regular, fontSize=6,
                       fillColor=MUTED, textAnchor="middle"))

    # province labels: every reported province with its gap; others' names small and grey
    for code, (lon, lat) in boundaries.label_points.items():
        if code in ("810000", "820000"):
            continue
        lon, lat = LABEL_POINTS.get(code, (lon, lat))
        x, y = frame(*project(lon, lat))
        name = b.short_names.get(code) or geo.OUTSIDE_PLAN.get(code, code)[:2]
        dx, dy = LABEL_OFFSETS.get(code, (0, 0))
        if dx or dy:  # a leader line from the province to the near edge of its moved label
            drawing.add(Line(x, y, x + dx - math.copysign(12, dx), y + dy - 1, strokeColor=MUTED, strokeWidth=0.4))
        row = b.gaps.get(code)
        if row is None:
            drawing.add(String(x + dx, y + dy - 2, name, fontName=fonts.regular, fontSize=5.5,
                               fillColor=MUTED, textAnchor="middle"))
            continue
        ink = _text_colour(fill_of(code)) if not (dx or dy) else INK
        if dx or dy:  # a moved label lies over a neighbour: a light backing keeps it readable
            value_width = pdfmetrics.stringWidth(_signed(row["injury_rate_gap_pct"], 2, "%"), fonts.regular, 6)
            half = max(pdfmetrics.stringWidth(name, fonts.bold, 7), value_width) / 2 + 1.5
            drawing.add(Rect(x + dx - half, y + dy - 8.5, 2 * half, 17, fillColor=colors.white, fillOpacity=0.75,
                             strokeColor=None, strokeWidth=0))
        drawing.add(String(x + dx, y + dy + 1, name, fontName=fonts.bold, fontSize=7, fillColor=ink,
                           textAnchor="middle"))
        drawing.add(String(x + dx, y + dy - 6.5, _signed(row["injury_rate_gap_pct"], 2, "%"), fontName=fonts.regular,
                           fontSize=6, fillColor=ink, textAnchor="middle"))

    # XPCC as a marker
    x, y = frame(*project(*getattr(geo, "XPCC_POINT", XPCC_MARKER)))
    row = b.gaps.get(XPCC)
    drawing.add(Circle(x, y, 5.5, fillColor=fill_of(XPCC), strokeColor=INK, strokeWidth=0.6))
    drawing.add(String(x + 8, y + 0.5, b.short_names.get(XPCC, "兵团"), fontName=fonts.bold, fontSize=7,
                       fillColor=INK))
    if row is not None:
        drawing.add(String(x + 8, y - 6.5, _signed(row["injury_rate_gap_pct"], 2, "%"), fontName=fonts.regular,
                           fontSize=6, fillColor=INK))

    # legend, bottom left: the diverging bar, the target in the middle, grey for no data
    lx, ly, bar_w, bar_h = 6, 14, 120, 7
    steps = 40
    for i in range(steps):
        value = -limit + (2 * limit) * (i + 0.5) / steps
        drawing.add(Rect(lx + bar_w * i / steps, ly, bar_w / steps + 0.3, bar_h, fillColor=gap_colour(value, limit),
                         strokeColor=None, strokeWidth=0))
    drawing.add(Rect(lx, ly, bar_w, bar_h, fillColor=None, strokeColor=MUTED, strokeWidth=0.4))
    for value, anchor in ((-limit, "start"), (0, "middle"), (limit, "end")):
        tx = lx + bar_w * (value + limit) / (2 * limit)
        drawing.add(Line(tx, ly - 1.5, tx, ly, strokeColor=MUTED, strokeWidth=0.4))
        text = "目标" if value == 0 else _signed(value, 0, "%")
        drawing.add(String(tx, ly - 8, text, fontName=fonts.regular, fontSize=6, fillColor=MUTED, textAnchor=anchor))
    drawing.add(String(lx, ly + bar_h + 3, "◀ 优于目标", fontName=fonts.bold, fontSize=7,
                       fillColor=colors.Color(*(c / 255 for c in BLUE))))
    drawing.add(String(lx + bar_w, ly + bar_h + 3, "劣于目标 ▶", fontName=fonts.bold, fontSize=7,
                       fillColor=colors.Color(*(c / 255 for c in RED)), textAnchor="end"))
    gx = lx + bar_w + 10
    drawing.add(Rect(gx, ly, 10, bar_h, fillColor=NO_DATA, strokeColor=MUTED, strokeWidth=0.4))
    drawing.add(String(gx + 13, ly + 1.2, "未报送 / 无数据", fontName=fonts.regular, fontSize=6, fillColor=MUTED))
    drawing.add(String(lx, ly + bar_h + 13, "与目标路径的差距（%）", fontName=fonts.regular, fontSize=7,
                       fillColor=INK))
    return drawing


# ------------------------------------------------------------------ the document

PAGE_MARGIN = 15 * mm
CONTENT_WIDTH = A4[0] - 2 * PAGE_MARGIN


def _styles(fonts: Fonts) -> dict[str, ParagraphStyle]:
    def style(name: str, size: float, leading: float, bold: bool = False, colour=INK, **extra) -> ParagraphStyle:
        return ParagraphStyle(name, fontName=fonts.bold if bold else fonts.regular, fontSize=size, leading=leading,
                              textColor=colour, wordWrap="CJK", alignment=TA_LEFT, **extra)

    styles = {
        "title": style("title", 22, 28, bold=True),
        "subtitle": style("subtitle", 11, 16, colour=MUTED),
        "h2": style("h2", 13, 18, bold=True, spaceBefore=8, spaceAfter=4),
        "body": style("body", 9.5, 14.5),
        "lead": style("lead", 10.5, 16),
        "small": style("small", 7.5, 10.5, colour=MUTED),
        "cell": style("cell", 8, 10.5),
        "head": style("head", 8, 10.5, bold=True, colour=MUTED),
        "kpi_label": style("kpi_label", 8, 11, colour=MUTED),
        "kpi": style("kpi", 15, 19, bold=True),
    }
    for name in ("cell", "head"):
        styles[name + "_r"] = ParagraphStyle(name + "_r", parent=styles[name], alignment=TA_RIGHT)
    return styles


def _escape(text) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _table(header: list[str], rows: list[list[str]], widths: list[float], styles, numeric: set[int]) -> Table:
    """A table of wrapped text cells; ``numeric`` columns are right-aligned."""

    def style(name: str, col: int) -> ParagraphStyle:
        return styles[name + "_r"] if col in numeric else styles[name]

    head = [Paragraph(_escape(h), style("head", i)) for i, h in enumerate(header)]
    body = [[Paragraph(_escape(cell).replace("\n", "<br/>"), style("cell", i)) for i, cell in enumerate(row)]
            for row in rows]
    table = Table([head, *body], colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, RULE),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]))
    return table


def _headline(b: Briefing, styles) -> list:
    n = b.national
    if n is None or n["injury_rate_per_1000"] is None:
        return [Paragraph(f"{b.year}年全国重点行业工伤事故发生率：无数据。", styles["lead"])]
    behind = n["target_status"] == "behind"
    status = "劣于目标" if behind else "优于或达到目标"
    colour = "#B2182B" if behind else "#2166AC"
    change = n["injury_rate_per_1000_change"]
    cells = [
        ("全国重点行业工伤事故发生率", f"{_num(n['injury_rate_per_1000'], 4)}‰"),
        ("目标路径", f"{_num(n['target_injury_rate_per_1000'], 4)}‰"),
        ("与目标差距", f"<font color='{colour}'>{_signed(n['injury_rate_gap_pct'], 2, '%')}</font>"),
        ("较上年变化", f"{_signed(change, 4, '‰')}" if change is not None else MISSING),
    ]
    kpis = Table([[Paragraph(label, styles["kpi_label"]) for label, _ in cells],
                  [Paragraph(value, styles["kpi"]) for _, value in cells]],
                 colWidths=[CONTENT_WIDTH * w for w in (0.34, 0.22, 0.22, 0.22)], hAlign="LEFT")
    kpis.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#F6F8FA")),
        ("LINEABOVE", (0, 0), (-1, 0), 1.2, ACCENT),
        ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (-1, -1), 7),
    ]))
    worst = b.lagging[:SUMMARY_NAMES]
    lagging = "、".join(f"{r['province_name']} {_signed(r['injury_rate_gap_pct'], 2, '%')}" for r in worst)
    if len(b.lagging) > len(worst):
        lagging = f"差距最大的是{lagging}等"
    summary = (f"{b.year_label}，全国重点行业工伤事故发生率 {_num(n['injury_rate_per_1000'], 4)}‰，"
               f"目标路径 {_num(n['target_injury_rate_per_1000'], 4)}‰，"
               f"<font color='{colour}'>{status}（差距 {_signed(n['injury_rate_gap_pct'], 2, '%')}）</font>。"
               + (f"落后于目标路径的省份 {len(b.lagging)} 个：{lagging}。" if b.lagging
                  else "已报送省份均优于或达到目标路径。"))
    return [kpis, Spacer(1, 6), Paragraph(summary, styles["lead"])]


def _lagging_table(b: Briefing, styles) -> list:
    if not b.lagging:
        return [Paragraph("本年度已报送的省份均优于或达到目标路径。", styles["body"])]
    rows = [[str(i), r["province_name"], _num(r["injury_rate_per_1000"], 4), _num(r["target_injury_rate_per_1000"], 4),
             _signed(r["injury_rate_gap_per_1000"], 4), _signed(r["injury_rate_gap_pct"], 2, "%"),
             _signed(r["injury_rate_per_1000_change"], 4)]
            for i, r in enumerate(b.lagging, 1)]
    widths = [0.07, 0.21, 0.14, 0.14, 0.15, 0.14, 0.15]
    return [_table(["序号", "省份", "发生率(‰)", "目标(‰)", "差距(‰)", "差距(%)", "较上年变化(‰)"], rows,
                   [CONTENT_WIDTH * w for w in widths], styles, numeric={2, 3, 4, 5, 6})]


RANKING_BLOCK_ROWS = 12  # a longer ranking is laid out in two blocks side by side


def _ranking_table(b: Briefing, styles) -> list:
    if not b.ranking:
        return [Paragraph(f"{b.year}年没有省级考核结果。", styles["body"])]
    rows = [[str(r["rank"]), r["province_name"], _num(r["total_score"], 2), r["grade"] or MISSING] for r in b.ranking]
    blocks = 1 if len(rows) <= RANKING_BLOCK_ROWS else 2
    if blocks == 1:
        widths = [0.08, 0.30, 0.12, 0.12]
        return [_table(["名次", "省份", "总分", "等级"], rows, [CONTENT_WIDTH * w for w in widths], styles,
                       numeric={0, 2})]
    per_block = math.ceil(len(rows) / blocks)
    gap = 4 * mm
    block_width = (CONTENT_WIDTH - gap * (blocks - 1)) / blocks
    widths = [block_width * w for w in (0.14, 0.50, 0.18, 0.18)]
    tables = [_table(["名次", "省份", "总分", "等级"], rows[i * per_block:(i + 1) * per_block], widths, styles,
                     numeric={0, 2}) for i in range(blocks)]
    cells, col_widths = [], []
    for i, table in enumerate(tables):
        cells.append(table)
        col_widths.append(block_width)
        if i < blocks - 1:
            cells.append("")
            col_widths.append(gap)
    outer = Table([cells], colWidths=col_widths, hAlign="LEFT")
    outer.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
    return [outer]


def _watchlist_table(b: Briefing, styles) -> list:
    if not b.watchlist:
        return [Paragraph("当前没有需要整改的单位。", styles["body"])]
    rows = [[str(r["priority_rank"]), r["employer_name"], r["province_name"], r["key_industry_name"] or "非重点行业",
             r["listing_reasons"] or MISSING, str(r["overdue_items"])] for r in b.watchlist]
    widths = [0.07, 0.26, 0.12, 0.11, 0.37, 0.07]
    return [_table(["优先序", "单位名称", "省份", "重点行业", "列入原因", "逾期项"], rows,
                   [CONTENT_WIDTH * w for w in widths], styles, numeric={0, 5})]


def _document_text(b: Briefing) -> str:
    """Every character the briefing can draw: its content's strings and this module's own text
    (which holds every fixed label), for the font subset."""
    parts = [Path(__file__).read_text(encoding="utf-8")]

    def walk(value) -> None:
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v)
        elif value is not None:
            parts.append(str(value))

    walk(list(_boundaries().OUTSIDE_PLAN.values()))
    walk([b.as_of, b.assessed, b.not_delivered, b.national, list(b.gaps.values()), b.lagging, b.ranking, b.watchlist,
          b.short_names, b.scope_names or []])
    return "".join(parts)


def render(b: Briefing, out) -> int:
    """Lay the briefing out as A4 PDF into ``out`` (a path or a binary file); its page count."""
    fonts = fonts_for(_document_text(b))
    try:
        return _build(b, fonts, out)
    finally:
        forget(fonts)


def _build(b: Briefing, fonts: Fonts, out) -> int:
    styles = _styles(fonts)
    scope_text = ("全国" if b.scope_names is None
                  else f"{'、'.join(b.scope_names)}（全国汇总与排名为全国口径，重点关注单位仅含本省）")
    story = [
        Paragraph(TITLE, styles["title"]),
        Paragraph(f"<font color='#8B1A1A'><b>{b.year_label}</b></font>　数据截至 {b.as_of}（北京时间）　"
                  f"{b.coverage_line}", styles["subtitle"]),
        Spacer(1, 2),
        Paragraph(f"全国数据为已报送省份之和。范围：{_escape(scope_text)}"
                  + ("。<font color='#8B1A1A'>预评估：截至数据日期仍有应报数据未到报送期限，结果可能随后续报送而变化。</font>"
                     if b.provisional else "。"), styles["small"]),
        Spacer(1, 8),
        *_headline(b, styles),
        Spacer(1, 6),
        Paragraph(f"各省重点行业工伤事故发生率与目标路径的差距（{b.year_label}）", styles["h2"]),
        gap_map(b, fonts, CONTENT_WIDTH, CONTENT_WIDTH * 0.62),
    ]
    if b.not_delivered:
        story.append(Paragraph(f"未报送（{len(b.not_delivered)} 个，地图中为灰色，不参加排名）："
                               + "、".join(name for _, name in b.not_delivered), styles["small"]))
    story += [
        Paragraph("落后于目标路径的省份（差距由大到小）", styles["h2"]),
        *_lagging_table(b, styles),
        KeepTogether([Paragraph(f"省级考核排名（{b.year_label}）", styles["h2"]), *_ranking_table(b, styles)]),
        KeepTogether([Paragraph("重点关注单位（前10，截至数据日期）" if b.scope_names is None
                                else f"重点关注单位（{'、'.join(b.scope_names)}，前10，截至数据日期）", styles["h2"]),
                      *_watchlist_table(b, styles)]),
        Spacer(1, 8),
        KeepTogether([Paragraph(
            "说明：差距 = (发生率 − 目标) ÷ 目标，正值为劣于目标（红），负值为优于目标（蓝）；目标路径 = 2020年基期 × "
            "(1 − 4% × 年数)。发生率为每千名参保职工工伤人数（‰）。较上年变化为与上一年度公布值之差，任一年度无数据时为“—”。"
            "重点关注单位按优先序排列（1 最需关注）：1 重大隐患逾期或超标2倍以上逾期，2 其他逾期，3 未到期待整改。",
            styles["small"])]),
    ]
    pages = {"n": 0}

    def footer(canvas, doc) -> None:
        pages["n"] = doc.page
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(PAGE_MARGIN, 11 * mm, A4[0] - PAGE_MARGIN, 11 * mm)
        canvas.setFont(fonts.regular, 7.5)
        canvas.setFillColor(MUTED)
        scope = "全国版" if b.scope_names is None else f"{'、'.join(b.scope_names)}版"
        canvas.drawString(PAGE_MARGIN, 7 * mm, f"{TITLE} · {b.year_label} · 数据截至 {b.as_of} · {scope}")
        canvas.drawRightString(A4[0] - PAGE_MARGIN, 7 * mm, f"第 {doc.page} 页")
        canvas.restoreState()

    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=PAGE_MARGIN, rightMargin=PAGE_MARGIN, topMargin=14 * mm,
                            bottomMargin=16 * mm, title=f"{TITLE}（{b.year_label}）", author="工伤预防数据交换",
                            subject=TITLE, lang="zh-CN")
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return pages["n"]


def export_briefing(con, out: Path, year: int | None = None, scope: frozenset[str] | None = None) -> int:
    """Write the briefing PDF; the number of table rows it lays out (lagging, ranking, watchlist)."""
    if Path(out).suffix.lower() != ".pdf":
        raise ConfigurationError(f"the briefing is a PDF: give --out a name ending in .pdf (not {Path(out).name})")
    b = gather(con, year, scope)
    render(b, str(out))
    return len(b.lagging) + len(b.ranking) + len(b.watchlist)
