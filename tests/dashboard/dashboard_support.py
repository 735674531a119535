"""Helpers of the dashboard tests: the app under test, the test users, signing in, and reading
what a page shows (drawings made on the server, dataframes, metrics, messages)."""

from __future__ import annotations

import json
import re
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from dashboards.headless import APP, app_test  # noqa: F401 (APP is re-exported to the browser tests)

# The browser tests drive Debian's Chromium (installed by `make browser`).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

# name -> (role, province, password); sso_only has no password.
TEST_USERS = {
    "nat": ("national", None, "nat-password"),
    "gd": ("provincial", "440000", "gd-password"),
    "sc": ("provincial", "510000", "sc-password"),
    "eng": ("engineer", None, "eng-password"),
    "sso_only": ("provincial", "660000", None),
}


def new_app() -> AppTest:
    return app_test()


def sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.run()
    at.text_input(key="sign_in_name").input(name)
    at.text_input(key="sign_in_password").input(password)
    at.button(key="FormSubmitter:sign_in-登录").click()
    return at.run()


# ------------------------------------------------------------------ reading what a page shows


def drawings(at: AppTest) -> dict[str | None, str]:
    """Drawings on the page by element key: the SVG / HTML each ``drawing.show`` sent."""
    return {element.key: markup_of(element) for element in at.get("bidi_component")
            if element.proto.component_name == "ipx_drawing"}


def markup_of(element) -> str:
    """A drawing's markup as the browser receives it (UTF-8 bytes; JSON from an older dashboard)."""
    proto = element.proto
    return proto.bytes.decode("utf-8") if proto.WhichOneof("data") == "bytes" else json.loads(proto.json)


def drawing(at: AppTest, key: str) -> ET.Element:
    """The drawing ``key`` parsed (an element tree; SVG tags without their namespace)."""
    found = drawings(at)
    assert key in found, f"no drawing {key!r} on the page; drawings: {list(found)}"
    return parse(found[key])


def parse(markup: str) -> ET.Element:
    return ET.fromstring("<root>" + markup.replace(' xmlns="http://www.w3.org/2000/svg"', "") + "</root>")


def path_rings(d: str) -> list[list[tuple[float, float]]]:
    """The rings of SVG path data made of M, L / l (absolute / relative) and Z / z, as absolute points."""
    rings: list[list[tuple[float, float]]] = []
    for command, args in re.findall(r"([MLlZz])([^MLlZz]*)", d):
        if command in "Zz":
            continue
        x, y = (float(v) for v in args.split(","))
        if command == "M":
            rings.append([(x, y)])
        elif command == "L":
            rings[-1].append((x, y))
        else:
            last = rings[-1][-1]
            rings[-1].append((last[0] + x, last[1] + y))
    return rings


def tip(element: ET.Element) -> str:
    """An element's tooltip: its ``<title>`` child (SVG) or its ``title`` attribute (HTML)."""
    child = element.find("title")
    return child.text if child is not None else element.get("title", "")


def coded(root: ET.Element, tag: str, within: str | None = None) -> dict[str, ET.Element]:
    """Elements ``tag`` with a ``data-code``, by code (inside the element of class ``within``)."""
    scope = root
    if within is not None:
        scope = next(e for e in root.iter() if within in e.get("class", "").split())
    return {e.get("data-code"): e for e in scope.iter(tag) if e.get("data-code")}


def links(root: ET.Element) -> dict[str, str]:
    """Clickable elements: ``data-select`` code -> link."""
    return {a.get("data-select"): a.get("href") for a in root.iter("a") if a.get("data-select")}


def cells(root: ET.Element) -> dict[tuple[str, str], ET.Element]:
    """A grid's cells by (row label, column label)."""
    table_ = next(root.iter("table"))
    columns = [th.text or "" for th in table_.find("thead").iter("th")][1:]
    out = {}
    for tr in table_.find("tbody").iter("tr"):
        row = tr.find("th").text
        for column, td in zip(columns, tr.iter("td")):
            out[(row, column)] = td
    return out


def cell_text(td: ET.Element) -> list[str]:
    """A cell's lines."""
    return [t.strip() for t in td.itertext()]


def rows(root: ET.Element) -> list[str]:
    """A grid's row labels, top to bottom."""
    return [tr.find("th").text for tr in next(root.iter("table")).find("tbody").iter("tr")]


def columns(root: ET.Element) -> list[str]:
    return [th.text or "" for th in next(root.iter("table")).find("thead").iter("th")][1:]


def plain_tables(at: AppTest) -> dict[str, ET.Element]:
    """Short tables drawn as HTML (``table_format.show_table``, ``drawing.table``) by key, in page order."""
    return {key: parse(markup) for key, markup in drawings(at).items() if _is_plain_table(markup)}


def _is_plain_table(markup: str) -> bool:
    return 'class="ipx-table-wrap"' in markup[:80]


def _tables_in_page_order(at: AppTest) -> list:
    """Grids (st.dataframe elements) and plain HTML tables (element trees), top to bottom."""
    found = []
    for element in at._tree:  # depth first: the order of the page
        if element.type == "dataframe":
            found.append(element)
        elif element.type == "bidi_component" and element.proto.component_name == "ipx_drawing":
            markup = markup_of(element)
            if _is_plain_table(markup):
                found.append(parse(markup))
    return found


def _header(table_: ET.Element) -> list[str]:
    return [th.text for th in next(table_.iter("table")).find("thead").iter("th")]


def _first_table(at: AppTest, *columns: str):
    for found in _tables_in_page_order(at):
        header = _header(found) if isinstance(found, ET.Element) else list(found.value.columns)
        if all(c in header for c in columns):
            return found
    return None


def all_tables(at: AppTest) -> list[pd.DataFrame]:
    """Every table on the page as values: the grids (st.dataframe) and the plain HTML tables."""
    return [plain_table(t) if isinstance(t, ET.Element) else t.value for t in _tables_in_page_order(at)]


def table(at: AppTest, *columns: str) -> pd.DataFrame:
    """The first table on the page that has all these columns, as values: a grid (st.dataframe,
    whose keys are not exposed) or a plain HTML table (numbers as floats from ``data-value``, a
    missing cell as None)."""
    found = _first_table(at, *columns)
    if found is None:
        raise AssertionError(f"no table with {columns}; tables: {[list(t.columns) for t in all_tables(at)]}")
    return plain_table(found) if isinstance(found, ET.Element) else found.value


def _grid(at: AppTest, *columns: str):
    for element in at.dataframe:
        if all(c in element.value.columns for c in columns):
            return element
    return None


def dataframe(at: AppTest, *columns: str):
    """The first st.dataframe element that has all these columns (keys of read-only tables are not
    exposed by Streamlit)."""
    element = _grid(at, *columns)
    if element is None:
        raise AssertionError(f"no grid with {columns}; grids: {[list(e.value.columns) for e in at.dataframe]}")
    return element


def displayed(at: AppTest, *columns: str) -> pd.DataFrame:
    """The first table with these columns as the browser draws it: for a grid, the display strings
    of a styled table (formatted numbers), else the values as text, a missing value drawn as the
    table's ``placeholder`` (Streamlit's default: "None") whatever a Styler says; for a plain HTML
    table, its cells' texts."""
    element = _first_table(at, *columns)
    if element is None:
        raise AssertionError(f"no table with {columns}")
    if isinstance(element, ET.Element):
        return plain_table_text(element)
    raw = element.value
    arrow = element.proto.arrow_data
    if arrow.HasField("styler") and arrow.styler.display_values:
        shown = convert_arrow_bytes_to_pandas_df(arrow.styler.display_values)
        shown.index = raw.index
    else:
        shown = raw.astype(str)
    placeholder = element.proto.placeholder if element.proto.HasField("placeholder") else "None"
    return shown.astype(object).mask(raw.isna(), placeholder)


def no_missing_text(frame: pd.DataFrame) -> bool:
    """No cell reads None, nan, NaN, <NA> or is empty."""
    text = frame.astype(str)
    return not text.isin(["None", "nan", "NaN", "<NA>", "NaT", ""]).any().any()


def has_table(at: AppTest, *columns: str) -> bool:
    return _first_table(at, *columns) is not None


def texts(at: AppTest) -> str:
    """Every message, caption, markdown and title on the page, joined."""
    parts = []
    for kind in ("title", "header", "subheader", "caption", "markdown", "info", "error", "warning", "success"):
        parts += [str(e.value) for e in getattr(at, kind)]
    return "\n".join(parts)


@dataclass(frozen=True)
class Card:
    """A key figure as drawn by ``kpi_cards`` (in the browser as on the page)."""

    label: str
    value: str
    delta: str | None  # the change as shown, without its arrow and note
    tone: str | None  # good, bad or neutral (None without a change)
    arrow: str | None  # ▲, ▼ or None
    note: str | None
    help: str | None  # the card's tooltip


def cards(at: AppTest) -> dict[str, Card]:
    """Every key figure on the page by its label (``kpi_cards``: one drawing per row of cards)."""
    found = {}
    for markup in drawings(at).values():
        for card in parse(markup).iter("div"):
            if card.get("class") != "ipx-kpi":
                continue
            part = {div.get("class").split()[0]: div for div in card if div.tag == "div"}
            label = (part["ipx-kpi-label"].text or "").strip()
            delta = part.get("ipx-kpi-delta")
            text = arrow = note = None
            if delta is not None:
                text = (delta.text or "").strip()
                if text[:1] in ("▲", "▼"):
                    arrow, text = text[0], text[1:].strip()
                notes = [span.text for span in delta.iter("span") if span.get("class") == "ipx-kpi-note"]
                note = notes[0] if notes else None
            found[label] = Card(label, part["ipx-kpi-value"].text or "", text,
                                delta.get("data-tone") if delta is not None else None, arrow, note, card.get("title"))
    return found


def metrics(at: AppTest) -> dict[str, str]:
    """The key figures' values by label."""
    return {label: card.value for label, card in cards(at).items()}


def plain_table(root: ET.Element) -> pd.DataFrame:
    """A plain HTML table (``drawing.table``) as values: numbers from ``data-value``, a link as its
    address, other cells as their text, a missing value (drawn "—") as None."""
    table_ = next(root.iter("table"))
    header = [th.text for th in table_.find("thead").iter("th")]
    records = []
    for tr in table_.find("tbody").iter("tr"):
        record = []
        for td in tr.iter("td"):
            link = td.find("a")
            if td.get("data-value") is not None:
                record.append(float(td.get("data-value")))
            elif link is not None:
                record.append(link.get("href"))
            else:
                record.append(None if td.text == "—" else td.text or "")  # an empty text is ""
        records.append(record)
    return pd.DataFrame(records, columns=header)


def plain_table_text(root: ET.Element) -> pd.DataFrame:
    """The same table as the browser shows it (texts)."""
    table_ = next(root.iter("table"))
    header = [th.text for th in table_.find("thead").iter("th")]
    return pd.DataFrame([["".join(td.itertext()) for td in tr.iter("td")] for tr in table_.find("tbody").iter("tr")],
                        columns=header)
