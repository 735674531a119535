"""Drawings made on the server (SVG and HTML), shown without Plotly (issue 11, perceived speed).

Plotly's front end is a 4.7 MB JavaScript chunk that every new tab loads and compiles before it
draws anything (about 1.2-1.5 s of a fresh load at national volume). The pages' maps, rankings,
grids and small charts are therefore written here as SVG / HTML strings and placed by one small
Streamlit component (``st.components.v2``: rendered in the page's own DOM, no iframe, no extra
bundle). ``st.html`` is not used: it sanitises SVG away.

Conventions every drawing follows (the tests read them):

- a tooltip is a ``<title>`` child (SVG) or a ``title`` attribute (HTML), plain text, one line per
  line of the tooltip;
- an element standing for a province carries ``data-code`` (its GB/T 2260 code) and, when it is
  coloured by a figure, ``data-value`` (the figure as published, ``repr`` of the float);
- a clickable element is an ``<a href="?…" data-select="CODE">``: a plain click selects in the
  session (the component sends ``CODE`` as its ``selected`` trigger, no reload), a click with a
  modifier key (or with JavaScript off) follows the link, which keeps the view in the URL.

Nothing here computes a published figure: callers pass the marts' values and their texts.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import streamlit as st

FONT_FAMILY = "'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',sans-serif"
INK, MUTED, GRID_LINE = "#1a1a1a", "#5f6b7a", "#e5e5e5"
EMPTY_CELL = "#f4f4f4"

_JS = """
export default function(component) {
  const { data, setTriggerValue, parentElement } = component;
  // the markup arrives as UTF-8 bytes (see show); a string from an older server is taken as is
  const markup = typeof data === 'string' ? data : new TextDecoder().decode(data);
  let box = parentElement.querySelector(':scope > .ipx-drawing');
  if (!box) {
    box = document.createElement('div');
    box.className = 'ipx-drawing';
    parentElement.appendChild(box);
  }
  if (box.__ipxMarkup !== markup) { box.innerHTML = markup; box.__ipxMarkup = markup; }
  box.onclick = (event) => {
    const link = event.target.closest('a[data-select]');
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey || event.button) return;
    event.preventDefault();
    setTriggerValue('selected', link.getAttribute('data-select'));
  };
}
"""
_CSS = (
    ".ipx-drawing { font-family: " + FONT_FAMILY + "; color: " + INK + "; }\n"
    ".ipx-drawing svg { display: block; width: 100%; height: auto; overflow: visible; }\n"
    ".ipx-drawing svg.ipx-legend-svg { max-width: 640px; }\n"
    ".ipx-drawing svg.ipx-hbars, .ipx-drawing svg.ipx-vbars, .ipx-drawing svg.ipx-lines { max-width: 1100px; }\n"
    ".ipx-drawing a[data-select] { cursor: pointer; }\n"
    ".ipx-drawing a[data-select]:hover path, .ipx-drawing a[data-select]:hover circle "
    "{ stroke: #1f3b73; stroke-width: 1.6; }\n"
    ".ipx-drawing a[data-select]:hover rect.ipx-bar { opacity: 0.85; }\n"
    ".ipx-drawing table.ipx-grid { border-collapse: separate; border-spacing: 2px; width: 100%; font-size: 13px; }\n"
    ".ipx-drawing table.ipx-grid th { font-weight: 600; text-align: center; vertical-align: bottom; padding: 2px 4px; "
    "font-size: 12.5px; }\n"
    ".ipx-drawing table.ipx-grid th.ipx-row { text-align: left; white-space: nowrap; vertical-align: middle; "
    "font-weight: normal; }\n"
    ".ipx-drawing table.ipx-grid th.ipx-row.ipx-bold { font-weight: 700; }\n"
    ".ipx-drawing table.ipx-grid td { text-align: center; vertical-align: middle; padding: 3px 4px; line-height: 1.25; "
    "border-radius: 2px; }\n"
    ".ipx-drawing .ipx-legend { display: flex; flex-wrap: wrap; gap: 4px 14px; align-items: center; font-size: 12px; "
    "margin: 4px 0 2px 0; color: " + MUTED + "; }\n"
    ".ipx-drawing .ipx-table-wrap { overflow-x: auto; }\n"
    ".ipx-drawing table.ipx-table { border-collapse: collapse; width: 100%; font-size: 13.5px; }\n"
    ".ipx-drawing table.ipx-table th, .ipx-drawing table.ipx-table td { border: 1px solid #e6e9ef; padding: 5px 8px; "
    "text-align: left; }\n"
    ".ipx-drawing table.ipx-table th { background: #f7f8fa; font-weight: 600; color: #31333f; }\n"
    ".ipx-drawing table.ipx-table .ipx-num { text-align: right; font-variant-numeric: tabular-nums; }\n"
    ".ipx-drawing table.ipx-table td.ipx-num, .ipx-drawing table.ipx-table td a { white-space: nowrap; }\n"
    ".ipx-drawing .ipx-chip { display: inline-block; width: 14px; height: 12px; margin-right: 4px; "
    "vertical-align: -1px; border: 1px solid #bbb; }\n"
    # key figures (kpi_cards.py), sized as st.metric drew them
    ".ipx-drawing .ipx-kpis { display: grid; grid-template-columns: repeat(var(--ipx-kpi-columns), minmax(0, 1fr)); "
    "gap: 8px 16px; margin: 2px 0 6px 0; }\n"
    "@media (max-width: 640px) { .ipx-drawing .ipx-kpis { grid-template-columns: repeat(2, minmax(0, 1fr)); } }\n"
    ".ipx-drawing .ipx-kpi-label { font-size: 14px; color: #31333f; line-height: 1.4; overflow-wrap: break-word; }\n"
    ".ipx-drawing .ipx-kpi-help { margin-left: 4px; color: " + MUTED + "; font-size: 12px; cursor: help; }\n"
    ".ipx-drawing .ipx-kpi-value { font-size: 2rem; line-height: 1.25; color: #31333f; overflow-wrap: break-word; "
    "font-variant-numeric: tabular-nums; }\n"
    ".ipx-drawing .ipx-kpi-delta { display: inline-block; margin-top: 2px; padding: 1px 8px; border-radius: 10px; "
    "font-size: 13.5px; line-height: 1.5; }\n"
    ".ipx-drawing .ipx-kpi-delta.ipx-good { color: #177233; background: #e6f4ea; }\n"
    ".ipx-drawing .ipx-kpi-delta.ipx-bad { color: #b3261e; background: #fdecea; }\n"
    ".ipx-drawing .ipx-kpi-delta.ipx-neutral { color: #5f6b7a; background: #f0f2f6; }\n"
    ".ipx-drawing .ipx-kpi-note { opacity: 0.85; }\n"
)

_COMPONENT = st.components.v2.component("ipx_drawing", js=_JS, css=_CSS, isolate_styles=False)


def show(markup: str, *, key: str, on_select: Callable[[], None] | None = None):
    """Place a drawing on the page. ``on_select`` runs when a ``data-select`` element is clicked
    (the code is then in ``st.session_state[key].selected``). The markup is sent as UTF-8 bytes:
    as a string Streamlit would send it as JSON, every Chinese character escaped to six bytes and
    every attribute's quote to two (a page's drawings 22-42 % larger at national volume)."""
    callbacks = {"on_selected_change": on_select} if on_select else {}
    return _COMPONENT(data=markup.encode("utf-8"), key=key, **callbacks)


def selected(key: str) -> str | None:
    """The code of the element clicked last in the drawing ``key`` (None when nothing was clicked)."""
    state = st.session_state.get(key)
    try:
        value = state["selected"] if isinstance(state, dict) else getattr(state, "selected", None)
    except (KeyError, TypeError):
        return None
    return str(value) if value else None


# ------------------------------------------------------------------ text


def esc(text) -> str:
    return html.escape(str(text), quote=True)


def plain(tooltip: str) -> str:
    """A Plotly-style tooltip ("<b>广东省</b><br>…") as plain text lines for a ``<title>``."""
    text = str(tooltip).replace("<br>", "\n").replace("<b>", "").replace("</b>", "")
    return text


def title(tooltip: str) -> str:
    """An SVG ``<title>`` element (the browser's tooltip)."""
    return f"<title>{esc(plain(tooltip))}</title>"


def text_width(text: str, size: float) -> float:
    """Rough width of ``text`` at ``size`` px: CJK characters are square, others about half."""
    return sum(size if ord(ch) > 0x2E7F else size * 0.56 for ch in str(text))


def num(value: float) -> str:
    """A coordinate with at most one decimal."""
    return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def is_dark(colour: str) -> bool:
    """Whether a fill ("rgb(...)" or "#rrggbb") is dark enough to need white text on it."""
    if colour.startswith("#"):
        r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    else:
        r, g, b = (float(x) for x in colour[colour.index("(") + 1:colour.index(")")].split(",")[:3])
    return 0.299 * r + 0.587 * g + 0.114 * b < 150


def ink_on(fill: str) -> str:
    return "#ffffff" if is_dark(fill) else INK


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """0 and round steps up to at least ``top``."""
    if not top or top <= 0 or math.isnan(top):
        return [0.0, 1.0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(s * magnitude for s in (1, 2, 2.5, 5, 10) if s * magnitude >= raw)
    ticks = [0.0]
    while ticks[-1] < top - 1e-12:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _tick_text(value: float, fmt: Callable[[float], str] | None) -> str:
    if fmt:
        return fmt(value)
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.4g}"


def _y_gridlines(ticks: Sequence[float], left: float, plot_w: float, top_pad: float, plot_h: float,
                 scale: float, tick_format: Callable[[float], str] | None) -> list[str]:
    """Horizontal grid lines at ``ticks`` with their labels left of the plot (vertical charts)."""
    body = []
    for t in ticks:
        y = top_pad + plot_h - t * scale
        body.append(f'<line x1="{num(left)}" x2="{num(left + plot_w)}" y1="{num(y)}" y2="{num(y)}" stroke="{GRID_LINE}"/>'
                    f'<text x="{num(left - 6)}" y="{num(y + 4)}" font-size="11" fill="{MUTED}" text-anchor="end">'
                    f'{esc(_tick_text(t, tick_format))}</text>')
    return body


def svg(width: float, height: float, body: Iterable[str], *, css_class: str, label: str) -> str:
    return (f'<svg class="{css_class}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {num(width)} {num(height)}" '
            f'width="{num(width)}" height="{num(height)}" role="img" aria-label="{esc(label)}" '
            f'font-family="{esc(FONT_FAMILY)}">' + "".join(body) + "</svg>")


def legend_html(items: Sequence[tuple[str, str]], *, marker: str | None = None) -> str:
    """Colour chips with their names (and, optionally, a chip for a marker such as the target)."""
    chips = [f'<span class="ipx-legend-item" data-legend="{esc(name)}"><span class="ipx-chip" '
             f'style="background:{esc(colour)}"></span>{esc(name)}</span>' for name, colour in items]
    if marker:
        chips.append(f'<span class="ipx-legend-item" data-legend="{esc(marker)}"><span class="ipx-chip" '
                     f'style="background:linear-gradient(90deg,transparent 44%,{INK} 44%,{INK} 56%,transparent 56%);'
                     f'border:none"></span>{esc(marker)}</span>')
    return '<div class="ipx-legend">' + "".join(chips) + "</div>"


def gradient_legend(colours: Sequence[tuple[float, str]], ticks: Sequence[tuple[float, str]], *, title_text: str,
                    no_data: tuple[str, str] | None, gradient_id: str, width: float = 560,
                    value_range: tuple[float, float] | None = None) -> str:
    """A horizontal colour bar (``colours``: stops 0..1) with tick labels at positions 0..1, and a
    grey chip for "no data"; ``value_range`` (the values at both ends) is written on the bar."""
    bar_x, bar_y, bar_w, bar_h = 4.0, 20.0, min(440.0, width - 200), 12.0
    stops = "".join(f'<stop offset="{at:.3f}" stop-color="{esc(c)}"/>' for at, c in colours)
    body = [f'<defs><linearGradient id="{esc(gradient_id)}" x1="0" x2="1" y1="0" y2="0">{stops}</linearGradient></defs>',
            f'<text x="{num(bar_x)}" y="13" font-size="12" fill="{INK}">{esc(title_text)}</text>',
            f'<rect class="ipx-legend-bar" x="{num(bar_x)}" y="{num(bar_y)}" width="{num(bar_w)}" height="{num(bar_h)}" '
            f'fill="url(#{esc(gradient_id)})" stroke="#999" stroke-width="0.5"'
            + (f' data-min="{float(value_range[0])!r}" data-max="{float(value_range[1])!r}"' if value_range else "")
            + "/>"]
    for at, text in ticks:
        x = bar_x + bar_w * at
        anchor = "start" if at <= 0.001 else ("end" if at >= 0.999 else "middle")
        body.append(f'<line x1="{num(x)}" x2="{num(x)}" y1="{num(bar_y + bar_h)}" y2="{num(bar_y + bar_h + 3)}" '
                    f'stroke="#777" stroke-width="0.8"/>'
                    f'<text class="ipx-tick" data-at="{at:.4f}" x="{num(x)}" y="{num(bar_y + bar_h + 15)}" font-size="11" '
                    f'fill="{MUTED}" '
                    f'text-anchor="{anchor}">{esc(text)}</text>')
    if no_data:
        name, colour = no_data
        gx = bar_x + bar_w + 24
        body.append(f'<rect class="ipx-no-data-chip" x="{num(gx)}" y="{num(bar_y)}" width="16" height="{num(bar_h)}" '
                    f'fill="{esc(colour)}" stroke="#999" stroke-width="0.5"/>'
                    f'<text x="{num(gx + 21)}" y="{num(bar_y + 10)}" font-size="12" fill="{INK}">{esc(name)}</text>')
    return svg(width, 52, body, css_class="ipx-legend-svg", label=title_text)


# ------------------------------------------------------------------ grids (HTML tables)


@dataclass(frozen=True)
class Cell:
    fill: str
    text: str  # lines separated by "<br>" (escaped here)
    tooltip: str = ""
    attrs: dict[str, str] = field(default_factory=dict)  # extra data-* attributes


def grid(rows: Sequence[str], columns: Sequence[str], cells: dict[tuple[str, str], Cell], *, name: str,
         bold: Iterable[str] = (), empty: Cell | None = None, row_attrs: dict[str, dict[str, str]] | None = None,
         legend: str = "", corner: str = "") -> str:
    """A table of coloured cells (rows x columns) with their texts and tooltips. A missing cell is
    ``empty`` (default: a blank light cell)."""
    bold = set(bold)
    head = "".join(f'<th scope="col">{esc(c)}</th>' for c in columns)
    body = []
    for r in rows:
        attrs = "".join(f' {k}="{esc(v)}"' for k, v in (row_attrs or {}).get(r, {}).items())
        parts = [f'<tr{attrs}><th scope="row" class="ipx-row{" ipx-bold" if r in bold else ""}">{esc(r)}</th>']
        for c in columns:
            cell = cells.get((r, c)) or empty or Cell(EMPTY_CELL, "")
            extra = "".join(f' {k}="{esc(v)}"' for k, v in cell.attrs.items())
            text = "<br/>".join(esc(line) for line in cell.text.split("<br>")) if cell.text else ""
            tip = f' title="{esc(plain(cell.tooltip))}"' if cell.tooltip else ""
            parts.append(f'<td data-column="{esc(c)}" data-fill="{esc(cell.fill)}"{extra}{tip} '
                         f'style="background:{esc(cell.fill)};color:{ink_on(cell.fill)}">{text}</td>')
        body.append("".join(parts) + "</tr>")
    return (f'<div class="ipx-grid-wrap" data-drawing="{esc(name)}">{legend}<table class="ipx-grid">'
            f'<thead><tr><th class="ipx-row">{esc(corner)}</th>{head}</tr></thead><tbody>{"".join(body)}</tbody>'
            "</table></div>")


# ------------------------------------------------------------------ horizontal bars


@dataclass(frozen=True)
class Segment:
    value: float | None
    colour: str
    tooltip: str = ""
    name: str = ""


@dataclass(frozen=True)
class BarRow:
    label: str
    segments: Sequence[Segment]  # overlaid from 0 (``stacked=False``) or one after another
    bold: bool = False
    code: str | None = None  # data-code of the row
    href: str | None = None  # a clickable row: the link (and data-select = code)
    marker: float | None = None  # a target tick
    marker_tooltip: str = ""
    inside: str = ""  # written inside the (first) bar, white
    after: str = ""  # written right of the bars (or at ``after_at``)
    after_colour: str = INK
    tooltip: str = ""  # the row's tooltip (over its label and bars)
    outline: str | None = None  # a coloured outline of the row's bar (the selected province)


def hbars(rows: Sequence[BarRow], *, name: str, x_max: float | None = None, x_title: str = "",
          tick_format: Callable[[float], str] | None = None, stacked: bool = False, width: float = 560,
          row_height: float = 24, after_at: float | None = None, legend: str = "") -> str:
    """Horizontal bars, one row per ``rows`` entry, top to bottom, with an x axis of round ticks."""
    label_size = 13
    label_w = max([text_width(r.label, label_size) for r in rows] + [20]) + 10
    after_w = max([text_width(r.after, 12) for r in rows] + [0]) + (12 if any(r.after for r in rows) else 0)
    plot_x, plot_w = label_w, max(120.0, width - label_w - after_w - 8)
    totals = []
    for r in rows:
        values = [s.value for s in r.segments if s.value is not None and not math.isnan(s.value)]
        totals.append(sum(values) if stacked else max(values, default=0.0))
        if r.marker is not None and not math.isnan(r.marker):
            totals.append(r.marker)
    top = x_max if x_max is not None else max(totals + [0.0])
    ticks = nice_ticks(top)
    top = max(top, ticks[-1]) if x_max is None else x_max
    scale = plot_w / top if top > 0 else 0.0
    top_pad, axis_h = 4.0, 34.0 if x_title else 20.0
    height = top_pad + row_height * len(rows) + axis_h
    body = []
    for t in ticks:
        if t > top + 1e-12:
            continue
        x = plot_x + t * scale
        body.append(f'<line x1="{num(x)}" x2="{num(x)}" y1="{num(top_pad)}" y2="{num(top_pad + row_height * len(rows))}" '
                    f'stroke="{GRID_LINE}" stroke-width="1"/>'
                    f'<text x="{num(x)}" y="{num(top_pad + row_height * len(rows) + 14)}" font-size="11" '
                    f'fill="{MUTED}" text-anchor="middle">{esc(_tick_text(t, tick_format))}</text>')
    if x_title:
        body.append(f'<text x="{num(plot_x + plot_w / 2)}" y="{num(height - 3)}" font-size="11" fill="{MUTED}" '
                    f'text-anchor="middle">{esc(x_title)}</text>')
    bar_h = row_height * 0.66
    for i, r in enumerate(rows):
        y = top_pad + i * row_height
        mid = y + row_height / 2
        weight = ' font-weight="700"' if r.bold else ""
        parts = [f'<text x="{num(label_w - 8)}" y="{num(mid + 4.5)}" font-size="{label_size}" text-anchor="end" '
                 f'fill="{INK}"{weight}>{esc(r.label)}</text>']
        at = 0.0
        for s in r.segments:
            if s.value is None or math.isnan(s.value):
                continue
            x0 = plot_x + (at if stacked else 0.0) * scale
            w = max(0.0, s.value * scale)
            tip = title(s.tooltip or r.tooltip) if (s.tooltip or r.tooltip) else ""
            named = f' data-name="{esc(s.name)}"' if s.name else ""
            parts.append(f'<rect class="ipx-bar" x="{num(x0)}" y="{num(mid - bar_h / 2)}" width="{num(w)}" '
                         f'height="{num(bar_h)}" fill="{esc(s.colour)}" data-value="{float(s.value)!r}"{named}>'
                         f'{tip}</rect>')
            if stacked:
                at += s.value
        if r.outline:
            first = next((s.value for s in r.segments if s.value is not None and not math.isnan(s.value)), 0.0)
            parts.append(f'<rect x="{num(plot_x)}" y="{num(mid - bar_h / 2)}" width="{num(first * scale)}" '
                         f'height="{num(bar_h)}" fill="none" stroke="{esc(r.outline)}" stroke-width="2.5" '
                         'pointer-events="none"/>')
        if r.inside:
            parts.append(f'<text x="{num(plot_x + 4)}" y="{num(mid + 4)}" font-size="11" fill="#ffffff" '
                         f'pointer-events="none">{esc(r.inside)}</text>')
        if r.marker is not None and not math.isnan(r.marker):
            x = plot_x + r.marker * scale
            tip = title(r.marker_tooltip) if r.marker_tooltip else ""
            parts.append(f'<line class="ipx-target" x1="{num(x)}" x2="{num(x)}" y1="{num(mid - row_height * 0.45)}" '
                         f'y2="{num(mid + row_height * 0.45)}" stroke="{INK}" stroke-width="3" '
                         f'data-value="{float(r.marker)!r}">{tip}</line>')
        if r.after:
            x = plot_x + plot_w + 6 if after_at is None else plot_x + after_at * scale
            parts.append(f'<text class="ipx-after" x="{num(x)}" y="{num(mid + 4.5)}" font-size="12" '
                         f'fill="{esc(r.after_colour)}">{esc(r.after)}</text>')
        row_attrs = f' data-code="{esc(r.code)}"' if r.code else ""
        row_title = title(r.tooltip) if r.tooltip else ""
        group = f'<g class="ipx-row"{row_attrs} data-label="{esc(r.label)}">{row_title}{"".join(parts)}</g>'
        if r.href and r.code:
            group = f'<a href="{esc(r.href)}" data-select="{esc(r.code)}">{group}</a>'
        body.append(group)
    return legend + svg(width, height, body, css_class="ipx-hbars", label=name).replace(
        'class="ipx-hbars"', f'class="ipx-hbars" data-drawing="{esc(name)}"', 1)


# ------------------------------------------------------------------ vertical grouped bars


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    values: Sequence[float | None]
    tooltips: Sequence[str] = ()
    labels: Sequence[str] = ()  # written above each bar
    dashed: bool = False  # lines only: a dashed line without markers


def vbars(categories: Sequence[str], series: Sequence[Series], *, name: str, y_title: str = "",
          tick_format: Callable[[float], str] | None = None, width: float = 1100, height: float = 320) -> str:
    """Grouped vertical bars: one group per category, one bar per series."""
    values = [v for s in series for v in s.values if v is not None and not math.isnan(v)]
    ticks = nice_ticks(max(values + [0.0]) * (1.12 if any(s.labels for s in series) else 1.0))
    top = ticks[-1]
    left, right, top_pad, bottom = 56.0, 8.0, 8.0, 46.0
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    scale = plot_h / top if top > 0 else 0.0
    body = _y_gridlines(ticks, left, plot_w, top_pad, plot_h, scale, tick_format)
    if y_title:
        body.append(f'<text x="12" y="{num(top_pad + plot_h / 2)}" font-size="11" fill="{MUTED}" text-anchor="middle" '
                    f'transform="rotate(-90 12 {num(top_pad + plot_h / 2)})">{esc(y_title)}</text>')
    group_w = plot_w / max(1, len(categories))
    bar_w = group_w * 0.8 / max(1, len(series))
    for i, category in enumerate(categories):
        gx = left + i * group_w + group_w * 0.1
        cells = []
        for j, s in enumerate(series):
            v = s.values[i]
            if v is None or math.isnan(v):
                continue
            h = v * scale
            x = gx + j * bar_w
            tip = title(s.tooltips[i]) if s.tooltips else title(f"{category} · {s.name}：{v:,.4g}")
            cells.append(f'<rect class="ipx-bar" x="{num(x)}" y="{num(top_pad + plot_h - h)}" width="{num(bar_w * 0.92)}" '
                         f'height="{num(h)}" fill="{esc(s.colour)}" data-name="{esc(s.name)}" data-value="{float(v)!r}">'
                         f'{tip}</rect>')
            if s.labels:
                cells.append(f'<text x="{num(x + bar_w * 0.46)}" y="{num(top_pad + plot_h - h - 4)}" font-size="11" '
                             f'text-anchor="middle" fill="{INK}">{esc(s.labels[i])}</text>')
        size = 12 if text_width(category, 12) <= group_w else max(9, 12 * group_w / text_width(category, 12))
        cells.append(f'<text x="{num(left + i * group_w + group_w / 2)}" y="{num(top_pad + plot_h + 16)}" '
                     f'font-size="{size:.1f}" text-anchor="middle" fill="{INK}">{esc(category)}</text>')
        body.append(f'<g class="ipx-group" data-label="{esc(category)}">{"".join(cells)}</g>')
    legend = legend_html([(s.name, s.colour) for s in series])
    return f'<div data-drawing="{esc(name)}">{legend}' + svg(width, height, body, css_class="ipx-vbars",
                                                            label=name) + "</div>"


# ------------------------------------------------------------------ lines over years


def lines(xs: Sequence[int], series: Sequence[Series], *, name: str, y_title: str = "", x_suffix: str = "年",
          decimals: int = 4, width: float = 1100, height: float = 300) -> str:
    """Lines over ``xs`` (years): solid with markers, or dashed without (``Series.dashed``);
    a missing value breaks the line."""
    values = [v for s in series for v in s.values if v is not None and not math.isnan(v)]
    ticks = nice_ticks(max(values + [0.0]) * 1.05)
    top = ticks[-1]
    left, right, top_pad, bottom = 60.0, 16.0, 10.0, 30.0
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    scale = plot_h / top if top > 0 else 0.0
    step = plot_w / max(1, len(xs) - 1) if len(xs) > 1 else 0.0

    def x_of(i: int) -> float:
        return left + (i * step if len(xs) > 1 else plot_w / 2)

    body = _y_gridlines(ticks, left, plot_w, top_pad, plot_h, scale, None)
    for i, x in enumerate(xs):
        body.append(f'<text x="{num(x_of(i))}" y="{num(top_pad + plot_h + 18)}" font-size="12" fill="{INK}" '
                    f'text-anchor="middle">{esc(f"{x}{x_suffix}")}</text>')
    if y_title:
        body.append(f'<text x="12" y="{num(top_pad + plot_h / 2)}" font-size="11" fill="{MUTED}" text-anchor="middle" '
                    f'transform="rotate(-90 12 {num(top_pad + plot_h / 2)})">{esc(y_title)}</text>')
    for s in series:
        runs, current = [], []
        for i, v in enumerate(s.values):
            if v is None or math.isnan(v):
                if current:
                    runs.append(current)
                current = []
            else:
                current.append((x_of(i), top_pad + plot_h - v * scale))
        if current:
            runs.append(current)
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        width_px = 1.6 if s.dashed else 2.5
        paths = "".join(f'<path d="M{" L".join(f"{num(x)},{num(y)}" for x, y in run)}" fill="none" '
                        f'stroke="{esc(s.colour)}" stroke-width="{width_px}"{dash}/>' for run in runs)
        marks = ""
        for i, v in enumerate(s.values):
            if v is None or math.isnan(v):
                continue
            tip = title(f"{s.name} · {xs[i]}{x_suffix}：{v:,.{decimals}f}")
            r = 3 if s.dashed else 4.5
            opacity = ' fill-opacity="0"' if s.dashed else ""
            marks += (f'<circle cx="{num(x_of(i))}" cy="{num(top_pad + plot_h - v * scale)}" r="{r}" '
                      f'fill="{esc(s.colour)}"{opacity} data-x="{xs[i]}" data-value="{float(v)!r}">{tip}</circle>')
        body.append(f'<g class="ipx-series" data-name="{esc(s.name)}">{paths}{marks}</g>')
    legend = legend_html([(s.name + ("（虚线）" if s.dashed else ""), s.colour) for s in series])
    return f'<div data-drawing="{esc(name)}">{legend}' + svg(width, height, body, css_class="ipx-lines",
                                                            label=name) + "</div>"


# ------------------------------------------------------------------ points over dates


@dataclass(frozen=True)
class Point:
    day: object  # a date (anything pandas.Timestamp reads)
    value: float
    tooltip: str = ""


def date_points(groups: Sequence[tuple[str, str, Sequence[Point]]], *, name: str, y_title: str, x_title: str,
                line_at: float | None = None, line_label: str = "", line_colour: str = "#a50f15",
                y_min_top: float = 0.0, width: float = 1100, height: float = 360) -> str:
    """Points over dates, one colour per group (name, colour, points), with an optional dashed
    horizontal line (a limit) and its label."""
    import pandas as pd  # local: this module is imported by every page

    days = [pd.Timestamp(p.day) for _, _, points in groups for p in points]
    values = [p.value for _, _, points in groups for p in points]
    ticks = nice_ticks(max(values + [y_min_top, line_at or 0.0]) * 1.05)
    top = ticks[-1]
    first, last = min(days), max(days)
    pad = max(pd.Timedelta(days=15), (last - first) * 0.04)
    first, last = first - pad, last + pad
    left, right, top_pad, bottom = 60.0, 16.0, 10.0, 42.0
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    span = (last - first).total_seconds() or 1.0

    def x_of(day) -> float:
        return left + (pd.Timestamp(day) - first).total_seconds() / span * plot_w

    def y_of(v: float) -> float:
        return top_pad + plot_h - v / top * plot_h

    body = []
    for t in ticks:
        body.append(f'<line x1="{num(left)}" x2="{num(left + plot_w)}" y1="{num(y_of(t))}" y2="{num(y_of(t))}" '
                    f'stroke="{GRID_LINE}"/><text x="{num(left - 6)}" y="{num(y_of(t) + 4)}" font-size="11" '
                    f'fill="{MUTED}" text-anchor="end">{esc(_tick_text(t, None))}</text>')
    months = pd.date_range(first.normalize().replace(day=1), last, freq="MS")
    step = max(1, math.ceil(len(months) / 10))
    for m in months[::step]:
        if m < first:
            continue
        body.append(f'<text x="{num(x_of(m))}" y="{num(top_pad + plot_h + 16)}" font-size="11" fill="{MUTED}" '
                    f'text-anchor="middle">{m:%Y-%m}</text>')
    body.append(f'<text x="{num(left + plot_w / 2)}" y="{num(height - 4)}" font-size="11" fill="{MUTED}" '
                f'text-anchor="middle">{esc(x_title)}</text>'
                f'<text x="12" y="{num(top_pad + plot_h / 2)}" font-size="11" fill="{MUTED}" text-anchor="middle" '
                f'transform="rotate(-90 12 {num(top_pad + plot_h / 2)})">{esc(y_title)}</text>')
    if line_at is not None:
        y = y_of(line_at)
        body.append(f'<line class="ipx-limit" x1="{num(left)}" x2="{num(left + plot_w)}" y1="{num(y)}" y2="{num(y)}" '
                    f'stroke="{line_colour}" stroke-width="2" stroke-dasharray="7 5" data-value="{float(line_at)!r}"/>'
                    f'<text x="{num(left + plot_w - 4)}" y="{num(y + 15)}" font-size="12" fill="{line_colour}" '
                    f'text-anchor="end">{esc(line_label)}</text>')
    for group, colour, points in groups:
        marks = "".join(f'<circle cx="{num(x_of(p.day))}" cy="{num(y_of(p.value))}" r="6" fill="{esc(colour)}" '
                        f'stroke="#ffffff" stroke-width="1" data-value="{float(p.value)!r}">{title(p.tooltip)}</circle>'
                        for p in points)
        body.append(f'<g class="ipx-series" data-name="{esc(group)}">{marks}</g>')
    legend = legend_html([(group, colour) for group, colour, _ in groups])
    return f'<div data-drawing="{esc(name)}">{legend}' + svg(width, height, body, css_class="ipx-lines",
                                                            label=name) + "</div>"


# ------------------------------------------------------------------ plain tables


def table(frame, *, name: str, formats: dict[str, Callable[[object], str]] | None = None,
          missing: str = "—", styles: Callable[[int, str], str] | None = None,
          links: dict[str, tuple[str, str]] | None = None, widths: dict[str, str] | None = None) -> str:
    """A read-only table (a pandas DataFrame) as HTML: each column's ``formats`` (value -> text),
    ``missing`` for a missing value, numbers right-aligned; each cell carries its value
    (``data-value``, numbers only) and ``styles(row position, column)``'s CSS, if any. ``links``:
    column -> (text, title) for columns of addresses, drawn as links opening a new tab;
    ``widths``: column -> its minimum width (CSS). Used for every table of the pages, where
    ``st.dataframe``'s own 1.8 MB front end would be compiled in every new tab."""
    import pandas as pd  # local: this module is imported by every page

    formats, links, widths = formats or {}, links or {}, widths or {}
    numeric = {c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c]) and not
               pd.api.types.is_bool_dtype(frame[c])}

    def th(column) -> str:
        width = f' style="min-width: {esc(widths[column])}"' if column in widths else ""
        return f'<th scope="col" class="{"ipx-num" if column in numeric else ""}"{width}>{esc(column)}</th>'

    head = "".join(th(c) for c in frame.columns)
    body = []
    for position, values in enumerate(frame.itertuples(index=False)):
        cells = []
        for column, value in zip(frame.columns, values):
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                content, attrs = esc(missing), ""
            elif column in links:
                text, title = links[column]
                tip = f' title="{esc(title)}"' if title else ""
                content, attrs = f'<a href="{esc(value)}" target="_blank" rel="noopener"{tip}>{esc(text)}</a>', ""
            else:
                content = esc(formats[column](value) if column in formats else str(value))
                attrs = f' data-value="{float(value)!r}"' if column in numeric else ""
            css = styles(position, column) if styles else ""
            if css:
                attrs += f' style="{esc(css)}"'
            cells.append(f'<td data-column="{esc(column)}"{attrs} class="{"ipx-num" if column in numeric else ""}">'
                         f"{content}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<div class="ipx-table-wrap" data-drawing="{esc(name)}"><table class="ipx-table"><thead><tr>{head}</tr>'
            f'</thead><tbody>{"".join(body)}</tbody></table></div>')
