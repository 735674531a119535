"""Premium-rate floating (spec 6) as the 费率浮动 page shows it: Chinese column labels, the
summary tables by province and by risk class, the employer filters, and the export file
(``ipx export floating``, written by ``ipx.exports.floating``). Figures are the published ones
(``marts.mart_premium_floating`` and ``_summary``); amounts are only re-expressed in 万元."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path

import pandas as pd

from dashboards.floating_whatif import DOWN, NEW, STATUSES, UNCHANGED, UNCLASSIFIED, UP
from dashboards.scoped_exports import export_bytes
from dashboards.table_format import WAN, signed
from ipx.exports.floating import export_floating

CLASS_NAMES = {1: "一类", 2: "二类", 3: "三类", 4: "四类", 5: "五类", 6: "六类", 7: "七类", 8: "八类"}
STATUS_COLOURS = {DOWN: "#d9f0d3", UNCHANGED: "#f0f0f0", UP: "#fddbc7", NEW: "#dbe9f6", UNCLASSIFIED: "#e0e0e0"}
STATUS_COLUMNS = {  # summary column -> status
    "employers_down": DOWN, "employers_unchanged": UNCHANGED, "employers_up": UP, "employers_new": NEW,
    "employers_unclassified": UNCLASSIFIED,
}

# Employer table: published column -> header (units spelled out), the result first, then the
# record it was graded on.
EMPLOYER_LABELS = {
    "employer_name": "单位名称",
    "uscc": "统一社会信用代码",
    "risk_class": "风险类别",
    "status": "浮动结果",
    "grade": "浮动档次",
    "current_rate_pct": "现行费率(%)",
    "base_rate_pct": "基准费率(%)",
    "recommended_rate_pct": "建议费率(%)",
    "current_premium_yuan": "当前年缴费(元)",
    "projected_premium_yuan": "浮动后年缴费(元)",
    "change_yuan": "缴费变化(元)",
    "reasons": "浮动原因",
    "quarters": "周期内参保季度数",
    "premium_yuan": "周期缴费(元)",
    "benefits_yuan": "工伤保险基金支付(元)",
    "ratio": "支缴率",
    "claims": "工伤认定(件)",
    "deaths": "死亡(人)",
    "severe": "1–4级伤残(人)",
    "od_reports": "职业病报告(例)",
    "overdue_items": "逾期整改(项)",
    "industry_code": "行业代码",
}
EMPLOYER_COLUMNS = list(EMPLOYER_LABELS)
# The employer table in two views that each fit the page (22 columns do not): the result, and the
# record it was graded on; both start with the employer's name and USCC.
EMPLOYER_KEYS = ["employer_name", "uscc"]
EMPLOYER_VIEWS = {
    "浮动结果与费率": EMPLOYER_KEYS + ["risk_class", "status", "grade", "current_rate_pct", "recommended_rate_pct",
                                 "change_yuan", "reasons"],
    "缴费与评定依据": EMPLOYER_KEYS + ["base_rate_pct", "current_premium_yuan", "projected_premium_yuan", "quarters",
                                 "premium_yuan", "benefits_yuan", "ratio", "claims", "deaths", "severe", "od_reports",
                                 "overdue_items", "industry_code"],
}
# Pixel widths: each view fits a 1280 px window beside the sidebar; the page stretches them.
EMPLOYER_WIDTHS = {
    "单位名称": 160, "统一社会信用代码": 165, "风险类别": 70, "浮动结果": 64, "浮动档次": 64, "现行费率(%)": 90,
    "建议费率(%)": 90, "缴费变化(元)": 100, "浮动原因": 170, "基准费率(%)": 80, "当前年缴费(元)": 105,
    "浮动后年缴费(元)": 115, "周期内参保季度数": 60, "周期缴费(元)": 105, "工伤保险基金支付(元)": 105, "支缴率": 60,
    "工伤认定(件)": 55, "死亡(人)": 50, "1–4级伤残(人)": 55, "职业病报告(例)": 55, "逾期整改(项)": 55, "行业代码": 60,
}
EMPLOYER_FORMATS = {
    "周期缴费(元)": "{:,.2f}", "工伤保险基金支付(元)": "{:,.2f}", "支缴率": "{:.4f}",
    "现行费率(%)": "{:.4f}", "基准费率(%)": "{:.4f}", "建议费率(%)": "{:.4f}",
    "当前年缴费(元)": "{:,.2f}", "浮动后年缴费(元)": "{:,.2f}", "缴费变化(元)": signed(2),
    "浮动档次": lambda g: f"{int(g):+d}" if int(g) else "0",
}

SUMMARY_LABELS = {
    "province_name": "省份",
    "risk_class": "风险类别",
    "employers": "浮动单位数",
    "employers_down": DOWN,
    "employers_unchanged": UNCHANGED,
    "employers_up": UP,
    "employers_new": NEW,
    "employers_unclassified": UNCLASSIFIED,
    "current_premium_wan": "当前年缴费(万元)",
    "projected_premium_wan": "浮动后年缴费(万元)",
    "change_wan": "缴费变化(万元)",
}
SUMMARY_FORMATS = {"当前年缴费(万元)": "{:,.2f}", "浮动后年缴费(万元)": "{:,.2f}", "缴费变化(万元)": signed(2),
                   "浮动单位数": "{:,}", **dict.fromkeys(STATUS_COLUMNS.values(), "{:,}")}  # counts with separators


def class_name(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return UNCLASSIFIED
    return CLASS_NAMES.get(int(value), f"{int(value)}类")


def _in_wan(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for source, target in (("current_premium_yuan", "current_premium_wan"),
                           ("projected_premium_yuan", "projected_premium_wan"), ("change_yuan", "change_wan")):
        out[target] = out[source].astype(float) / WAN
    return out


def province_summary(summary: pd.DataFrame, year: int, visible: Collection[str] | None = None) -> pd.DataFrame:
    """The nation first, then each province (level 'national' / 'province') of the cycle, labelled;
    ``visible`` limits the provinces (the national row always stays)."""
    rows = summary[(summary["cycle_end_year"] == year) & summary["level"].isin(["national", "province"])]
    if visible is not None:
        rows = rows[(rows["level"] == "national") | rows["province_code"].isin(visible)]
    rows = rows.assign(order=(rows["level"] != "national").astype(int)).sort_values(["order", "province_code"])
    return _in_wan(rows).drop(columns="order")


def class_summary(summary: pd.DataFrame, year: int, province: str) -> pd.DataFrame:
    """One province's rows by risk class (一类 … 八类, then 未分类)."""
    rows = summary[(summary["cycle_end_year"] == year) & (summary["level"] == "province_class")
                   & (summary["province_code"] == province)]
    rows = rows.assign(order=rows["risk_class"].fillna(99).astype(int)).sort_values("order")
    return _in_wan(rows).drop(columns="order")


def summary_for_display(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Summary rows with the page's columns and Chinese headers; ``by`` = 'province_name' or
    'risk_class' (shown as 一类 … 八类, 未分类)."""
    shown = frame[[by] + [c for c in SUMMARY_LABELS if c not in ("province_name", "risk_class")]].copy()
    if by == "risk_class":
        shown["risk_class"] = shown["risk_class"].map(class_name)
    return shown.rename(columns=SUMMARY_LABELS)


def filter_employers(rows: pd.DataFrame, *, statuses: Iterable[str] = (), classes: Iterable[str] = (),
                     search: str = "") -> pd.DataFrame:
    """Rows of the chosen statuses and risk classes (class names as ``class_name`` gives them),
    whose name or USCC contains ``search`` (case-insensitive); empty filters keep everything."""
    statuses, classes, search = set(statuses), set(classes), search.strip()
    keep = pd.Series(True, index=rows.index)
    if statuses:
        keep &= rows["status"].isin(statuses)
    if classes:
        keep &= rows["risk_class"].map(class_name).isin(classes)
    if search:
        needle = search.casefold()
        keep &= (rows["employer_name"].fillna("").str.casefold().str.contains(needle, regex=False)
                 | rows["uscc"].fillna("").str.casefold().str.contains(needle, regex=False))
    return rows[keep]


def order_employers(rows: pd.DataFrame) -> pd.DataFrame:
    """By status (下浮, 不浮动, 上浮, 新参保, 未分类), then the largest change of premium first."""
    rank = {s: i for i, s in enumerate(STATUSES)}
    return rows.assign(_status=rows["status"].map(rank), _change=-rows["change_yuan"].abs().fillna(0)).sort_values(
        ["_status", "_change", "uscc"]).drop(columns=["_status", "_change"])


def employers_for_display(rows: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """The employer rows with Chinese headers: every column, or those of one of ``EMPLOYER_VIEWS``."""
    shown = rows[columns or EMPLOYER_COLUMNS].copy()
    if "risk_class" in shown:
        shown["risk_class"] = shown["risk_class"].map(lambda v: class_name(v) if pd.notna(v) else None)
    return shown.rename(columns=EMPLOYER_LABELS)


# ------------------------------------------------------------------ the export file


def export_file(warehouse: Path, year: int, scope: frozenset[str] | None = None) -> bytes:
    """``ipx export floating --year [--province]`` as XLSX from the published copy: with ``scope`` (a
    provincial reader) only those provinces' employers and summary rows, and the national summary."""
    return export_bytes(export_floating, warehouse, year, scope)
