"""Who lags behind the plan (热点总览, issue 11): the diverging colour scale of the gap to the target
path, the ranking of provinces by that gap with their actual rate against the target, tooltips
and cell texts with the change from the previous year.

Every figure is read from ``marts.mart_hotspots`` as published (``injury_rate_gap_per_1000``,
``injury_rate_gap_pct``, ``target_status``, ``<measure>_change``); this module only sorts, counts
and writes them out.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd

from dashboards import drawing
from dashboards.charts import NO_DATA, SELECTED_COLOUR, ColourScale, format_value, sequential_scale
from dashboards.measures import INJURY_RATE, STATUS_LABELS, Measure

BEHIND, ON_TRACK = "behind", "on_track"
BEHIND_COLOUR, ON_TRACK_COLOUR = "#c0392b", "#2e75b6"
# Better than the target (negative gap) blue, worse red, the target itself near white.
DIVERGING = ((0.0, "#2166ac"), (0.2, "#4393c3"), (0.4, "#d1e5f0"), (0.5, "#f7f7f7"), (0.6, "#fddbc7"),
             (0.8, "#d6604d"), (1.0, "#b2182b"))
GAP_TITLE = "与目标路径差距(%)"
NOT_REPORTED = "未报送（无数据）"
NO_PREVIOUS = "上年无数据"


# ------------------------------------------------------------------ numbers as text


def signed(value, decimals: int) -> str:
    """+0.7253 / −0.3308 / 0 (a true minus sign; "无数据" when missing)."""
    if value is None or pd.isna(value):
        return NO_DATA
    value = float(value)
    text = format_value(abs(value), decimals)
    if round(value, decimals) == 0:
        return format_value(0, decimals)
    return ("+" if value > 0 else "−") + text


def change_text(change, unit: str = "", decimals: int = 4) -> str:
    """"较上年 +0.7253‰", or "上年无数据" when the mart has no change (either year without data)."""
    if change is None or pd.isna(change):
        return NO_PREVIOUS
    return f"较上年 {signed(change, decimals)}{unit}"


def status_label(status, gap=None) -> str:
    """劣于目标 / 优于目标 (达到目标 when the gap is exactly 0) / 无数据."""
    if status is None or pd.isna(status):
        return NO_DATA
    if status == ON_TRACK and gap is not None and not pd.isna(gap) and float(gap) == 0:
        return "达到目标"
    return STATUS_LABELS.get(status, str(status))


def _true(flag) -> bool:
    return bool(flag) if flag is not None and not pd.isna(flag) else False


def value_text(value, measure: Measure) -> str:
    return f"{format_value(value, measure.decimals)}{measure.unit}" if not pd.isna(value) else NO_DATA


def gap_text(row) -> str:
    """"+1.2214‰（+14.21%）"; "无数据" without a unit when there is no gap (no target path)."""
    if pd.isna(row["injury_rate_gap_per_1000"]):
        return NO_DATA
    return f"{signed(row['injury_rate_gap_per_1000'], 4)}‰（{signed(row['injury_rate_gap_pct'], 2)}%）"


def hover_text(row, measure: Measure, name: str) -> str:
    """A province's tooltip: its figure, for the injury rate the target, gap and status, and the
    change from the previous year; "未报送（无数据）" for a province that delivered nothing."""
    if "is_reported" in row and not _true(row["is_reported"]):
        return f"<b>{name}</b><br>{NOT_REPORTED}"
    value = row[measure.column]
    if pd.isna(value):
        return f"<b>{name}</b><br>{measure.label}：{NO_DATA}"
    lines = [f"<b>{name}</b>", f"{measure.label.split('(')[0]}：{value_text(value, measure)}"]
    if measure.has_target:
        lines.append(f"目标路径值：{format_value(row['target_injury_rate_per_1000'], 4)}‰")
        if not pd.isna(row["injury_rate_gap_per_1000"]):
            lines.append(f"差距：{gap_text(row)}，{status_label(row['target_status'], row['injury_rate_gap_per_1000'])}")
    lines.append(change_text(row[measure.change_column], measure.unit, measure.decimals))
    return "<br>".join(lines)


# ------------------------------------------------------------------ colour scales, one range for every year


def _nice_ceiling(value: float) -> float:
    """The next "round" number at or above ``value`` (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten)."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * magnitude >= value - 1e-9:
            return step * magnitude
    return 10 * magnitude


def gap_scale(gaps: pd.Series) -> ColourScale:
    """Diverging scale of ``injury_rate_gap_pct`` centred on 0 (the target): its range is ± the
    largest gap of any province in any year (rounded up), so every year is coloured alike."""
    largest = float(gaps.dropna().abs().max()) if gaps.notna().any() else 0.0
    r = max(5.0, _nice_ceiling(largest))
    half = r / 2
    return ColourScale(
        colours=DIVERGING, zmin=-r, zmax=r, title=GAP_TITLE,
        tickvals=(-r, -half, 0.0, half, r),
        ticktext=(f"优于目标 −{r:g}%", f"−{half:g}%", "目标", f"+{half:g}%", f"劣于目标 +{r:g}%"),
    )


def measure_scale(values: pd.Series, measure: Measure) -> ColourScale:
    """Sequential scale from 0 to the largest value of ``measure`` in any year (rounded up)."""
    top = float(values.dropna().max()) if values.notna().any() else 1.0
    return sequential_scale(_nice_ceiling(top) if top > 0 else 1.0, measure.label)


# ------------------------------------------------------------------ who lags


def ranked(rows: pd.DataFrame) -> pd.DataFrame:
    """Provinces with a gap to the target, worst first: by gap in % of the target, then by gap per
    1,000, then by code. Provinces without a figure (未报送, no insured workers) are left out."""
    shown = rows[rows["injury_rate_gap_per_1000"].notna()].copy()
    shown["_pct"] = shown["injury_rate_gap_pct"].astype(float)
    shown["_gap"] = shown["injury_rate_gap_per_1000"].astype(float)
    shown = shown.sort_values(["_pct", "_gap", "province_code"], ascending=[False, False, True],
                              na_position="last", kind="stable")
    return shown.drop(columns=["_pct", "_gap"]).reset_index(drop=True)


def behind_count(rows: pd.DataFrame) -> tuple[int, int]:
    """(provinces behind the target, provinces with a status) among ``rows``."""
    status = rows["target_status"].dropna()
    return int((status == BEHIND).sum()), int(len(status))


def ranking_drawing(order: pd.DataFrame, *, short_names: dict[str, str], highlight: str | None = None,
                    link: Callable[[str], str] | None = None, key: str = "ranking") -> str:
    """Horizontal bars of the actual injury rate of each province (``ranked`` order, worst on top),
    coloured by status, with the target path value as a black tick and the gap written beside
    (SVG, see ``drawing.py``); ``link(code)`` makes each row a link to that province's view."""
    rows = []
    for _, r in order.iterrows():
        code = r["province_code"]
        behind = r["target_status"] == BEHIND
        colour = BEHIND_COLOUR if behind else ON_TRACK_COLOUR
        tip = hover_text(r, INJURY_RATE, r["province_name"])
        rows.append(drawing.BarRow(
            label=short_names.get(code, r["province_name"]), bold=code == highlight, code=code,
            href=link(code) if link else None,
            segments=[drawing.Segment(float(r["injury_rate_per_1000"]), colour, name="实际发生率")],
            marker=float(r["target_injury_rate_per_1000"]), marker_tooltip=tip, tooltip=tip,
            inside=format_value(r["injury_rate_per_1000"], 4),
            after=f"{signed(r['injury_rate_gap_pct'], 2)}% {status_label(r['target_status'], r['injury_rate_gap_per_1000'])}",
            after_colour=colour, outline=SELECTED_COLOUR if code == highlight else None))
    legend = drawing.legend_html([("劣于目标", BEHIND_COLOUR), ("优于或达到目标", ON_TRACK_COLOUR)], marker="目标路径值")
    return drawing.hbars(rows, name=key, x_title="‰（每千名参保职工）", legend=legend, width=560, row_height=26)
