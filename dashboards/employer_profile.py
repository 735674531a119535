"""The employer profile (单位档案) as the page reads and lays it out: one employer's row of
``marts.mart_employer_profile``, its events (``marts.mart_employer_events``), figures by year
(``marts.mart_employer_yearly``) and latest premium-rate floating (``marts.mart_premium_floating``),
the search over the profiles a viewer may see, the chart of exceedances against their limits, and
the tables. Nothing here computes a published figure."""

from __future__ import annotations

import pandas as pd

from dashboards import data, drawing
from dashboards.table_format import MISSING
from dashboards.watchlist_table import profile_link
from ipx.exports.labels import label

SEARCH_LIMIT = 50

PROFILE_COLUMNS = "*"
EVENT_COLUMNS = ("event_date, event_type, event_kind, description, factor, value, limit_value, unit, "
                 "exceedance_ratio, deadline, rectified_date, status, is_open, is_overdue, days_overdue, deaths")
EVENT_TABLE_COLUMNS = ["event_date", "event_kind", "description", "event_status", "deadline", "rectified_date",
                       "days_overdue", "exceedance_ratio"]
OPEN_TABLE_COLUMNS = ["event_kind", "event_date", "description", "deadline", "event_status", "days_overdue"]
YEARLY_TABLE_COLUMNS = ["year", "exceedances", "worst_exceedance_ratio", "hazards", "major_hazards",
                        "recognised_injuries", "injury_deaths", "od_cases", "accidents",
                        "union_inspections_with_findings"]
DESCRIPTION_WIDTH = 360  # px: a description's minimum width in the tables (longer ones wrap)
OVERDUE_FILL = "background-color: #fde0dc; color: #a50f15; font-weight: 600"
LIMIT_COLOUR = "#a50f15"
# Distinct colours for the factors, none of them the limit line's red.
FACTOR_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
                  "#7f7f7f", "#393b79"]




def normalise_uscc(value) -> str:
    return str(value or "").strip().upper()


def profiles_of(pub: data.Publication, uscc: str) -> pd.DataFrame | None:
    """Every profile row of this USCC (one per province it is registered in; normally one)."""
    return data.query(pub, f"SELECT {PROFILE_COLUMNS} FROM {data.EMPLOYER_PROFILE} WHERE uscc = ? "
                           "ORDER BY province_code", (uscc,))


def events_of(pub: data.Publication, province_code: str, uscc: str) -> pd.DataFrame:
    frame = data.query(pub, f"SELECT {EVENT_COLUMNS} FROM {data.EMPLOYER_EVENTS} "
                            "WHERE province_code = ? AND uscc = ? ORDER BY event_date DESC, event_type",
                       (province_code, uscc))
    return frame if frame is not None else pd.DataFrame(columns=[c.strip() for c in EVENT_COLUMNS.split(",")])


def latest_floating_of(pub: data.Publication, province_code: str, uscc: str) -> pd.Series | None:
    """The employer's premium-rate floating of its latest cycle (``marts.mart_premium_floating``), or
    None when it was never floated."""
    frame = data.query(pub, "SELECT cycle_end_year, grade, status, current_rate_pct, recommended_rate_pct "
                            f"FROM {data.FLOATING} WHERE province_code = ? AND uscc = ? "
                            "ORDER BY cycle_end_year DESC LIMIT 1", (province_code, uscc))
    return None if frame is None or frame.empty else frame.iloc[0]


def yearly_of(pub: data.Publication, province_code: str, uscc: str) -> pd.DataFrame | None:
    return data.query(pub, f"SELECT * FROM {data.EMPLOYER_YEARLY} WHERE province_code = ? AND uscc = ? "
                           "ORDER BY year", (province_code, uscc))


def search(pub: data.Publication, text: str, province: str | None) -> pd.DataFrame:
    """Profiles whose USCC or name contains ``text`` (case-insensitive), within ``province`` when
    given (a provincial viewer), listed employers first, at most SEARCH_LIMIT."""
    text = text.strip()
    if not text:
        return pd.DataFrame()
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    where = "(uscc ILIKE ? ESCAPE '\\' OR employer_name ILIKE ? ESCAPE '\\')"
    params: tuple = (pattern, pattern)
    if province:
        where += " AND province_code = ?"
        params += (province,)
    frame = data.query(pub, "SELECT province_code, province_name, uscc, employer_name, key_industry_name, "
                            "priority_rank, priority_tier, open_items, overdue_items "
                            f"FROM {data.EMPLOYER_PROFILE} WHERE {where} "
                            f"ORDER BY priority_rank NULLS LAST, employer_name, uscc LIMIT {SEARCH_LIMIT + 1}",
                       params)
    return frame if frame is not None else pd.DataFrame()


def search_display(found: pd.DataFrame) -> pd.DataFrame:
    shown = pd.DataFrame({
        "单位名称": found["employer_name"],
        "统一社会信用代码": found["uscc"],
        "省份": found["province_name"],
        "重点行业": found["key_industry_name"].fillna("（非重点行业）"),
        "清单优先序": found["priority_rank"].astype("Int64"),
        "逾期项": found["overdue_items"].astype("Int64"),
        "档案": found["uscc"].map(profile_link),
    })
    return shown.reset_index(drop=True)


# ------------------------------------------------------------------ chart


def exceedance_chart(events: pd.DataFrame) -> str | None:
    """Each exceedance as a point (date, value ÷ limit), one colour per factor, with the limit
    (ratio 1) as a dashed line (SVG, see ``drawing.py``); None when the employer has no exceedance."""
    samples = events[events["event_type"] == "exceedance"].sort_values("event_date")
    if samples.empty:
        return None
    groups = []
    for i, (factor, rows) in enumerate(samples.groupby("factor", sort=True)):
        points = [drawing.Point(day, float(ratio), f"{factor} · {pd.Timestamp(day):%Y-%m-%d}<br>{description}<br>"
                                                   f"整改状态：{status if isinstance(status, str) else MISSING}")
                  for day, ratio, description, status in zip(rows["event_date"], rows["exceedance_ratio"],
                                                             rows["description"], rows["status"])]
        groups.append((str(factor), FACTOR_COLOURS[i % len(FACTOR_COLOURS)], points))
    return drawing.date_points(groups, name="emp_exceedances", y_title="检测值 ÷ 限值（倍）", x_title="检测日期",
                               line_at=1.0, line_label="职业接触限值（倍数 = 1）", line_colour=LIMIT_COLOUR, y_min_top=2.0)


# ------------------------------------------------------------------ tables


def _dates(series: pd.Series) -> pd.Series:
    return series.map(lambda v: MISSING if v is None or pd.isna(v) else pd.Timestamp(v).strftime("%Y-%m-%d"))


def _days(series: pd.Series) -> pd.Series:
    return series.map(lambda v: MISSING if v is None or pd.isna(v) else f"{int(v):,} 天")


def _ratio(series: pd.Series) -> pd.Series:
    return series.map(lambda v: MISSING if v is None or pd.isna(v) else f"{float(v):.2f} 倍")


def event_table(events: pd.DataFrame) -> pd.DataFrame:
    """The events newest first, as text the browser shows ("—" where a column does not apply)."""
    shown = pd.DataFrame({
        "event_date": _dates(events["event_date"]),
        "event_kind": events["event_kind"],
        "description": events["description"].fillna(MISSING),
        "event_status": events["status"].fillna(MISSING),
        "deadline": _dates(events["deadline"]),
        "rectified_date": _dates(events["rectified_date"]),
        "days_overdue": _days(events["days_overdue"]),
        "exceedance_ratio": _ratio(events["exceedance_ratio"]),
    })
    return shown[EVENT_TABLE_COLUMNS].rename(columns=label).reset_index(drop=True)


def open_items(events: pd.DataFrame) -> pd.DataFrame:
    """Exceedances and hazards not rectified: overdue first (longest overdue first), then by deadline."""
    items = events[events["is_open"].astype(bool)].copy()
    items["_overdue"] = items["is_overdue"].astype(bool)
    items["_days"] = items["days_overdue"].fillna(-1)
    return items.sort_values(["_overdue", "_days", "deadline"], ascending=[False, False, True])


def open_table(items: pd.DataFrame):
    """The open items as a Styler whose overdue rows are highlighted."""
    shown = pd.DataFrame({
        "event_kind": items["event_kind"].values,
        "event_date": _dates(items["event_date"]).values,
        "description": items["description"].fillna(MISSING).values,
        "deadline": _dates(items["deadline"]).values,
        "event_status": items["status"].fillna(MISSING).values,
        "days_overdue": _days(items["days_overdue"]).values,
    })[OPEN_TABLE_COLUMNS].rename(columns=label)
    overdue = list(items["is_overdue"].astype(bool))
    return shown.style.apply(lambda row: [OVERDUE_FILL if overdue[row.name] else ""] * len(row), axis=1)


def yearly_table(yearly: pd.DataFrame) -> pd.DataFrame:
    shown = yearly[YEARLY_TABLE_COLUMNS].copy()
    shown["year"] = shown["year"].astype(int).astype(str)
    shown["worst_exceedance_ratio"] = _ratio(shown["worst_exceedance_ratio"])
    renamed = {c: label(c) for c in YEARLY_TABLE_COLUMNS}
    renamed.update({"worst_exceedance_ratio": "当年最高超标倍数", "accidents": "生产安全事故数",
                    "od_cases": "职业病报告数", "exceedances": "超标次数"})
    return shown.rename(columns=renamed).reset_index(drop=True)


# ------------------------------------------------------------------ header text


def text_or_missing(value, note: str | None = None) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "":
        return f"{MISSING}（{note}）" if note else MISSING
    return str(value)


def count_text(value) -> str:
    return MISSING if value is None or pd.isna(value) else f"{int(value):,}"


def rate_text(value) -> str:
    return MISSING if value is None or pd.isna(value) else f"{float(value):.4f}%"
