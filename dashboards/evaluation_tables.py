"""Plan progress and final evaluation (spec 7) as the 终期评估 page shows it: the year labels, the
tables' Chinese headers, the status grid's cells (statuses as colours), and the evaluation export
(``ipx export evaluation``, written by ``ipx.exports.evaluation``). Figures and statuses are the
published ones (``marts.mart_plan_evaluation`` and ``_groups``); nothing is recomputed here."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import pandas as pd

from dashboards.scoped_exports import export_bytes
from dashboards.table_format import MISSING, number, percent
from ipx.exports.evaluation import export_evaluation

NATIONAL = "000000"
KEY_INDUSTRIES = "重点行业合计"
OD, TRAINING = "职业病发病率", "关键岗位培训"
NO_DATA = "无数据"

INJURY_LABELS = {
    "province_name": "省份",
    "injury_rate_baseline": "基期(2020年)‰",
    "injury_rate": "本年‰",
    "injury_target_rate": "目标路径值‰",
    "injury_change_pct": "较基期变化(%)",
    "injury_status": "评估结果",
}
GROUP_LABELS = {"industry_group": "重点行业"} | {k: v for k, v in INJURY_LABELS.items() if k != "province_name"}
OD_LABELS = {
    "province_name": "省份",
    "od_rate_baseline": "职业病 基期(2020年)",
    "od_rate": "职业病 本年",
    "od_change_pct": "职业病 较基期(%)",
    "pneumoconiosis_rate_baseline": "尘肺病 基期(2020年)",
    "pneumoconiosis_rate": "尘肺病 本年",
    "pneumoconiosis_change_pct": "尘肺病 较基期(%)",
    "od_status": "评估结果",
}
RECORD_LABELS = {
    "province_name": "省份",
    "mean_total_score": "平均总分",
    "years_excellent": "优秀(年)",
    "years_good": "良好(年)",
    "years_pass": "合格(年)",
    "years_fail": "不合格(年)",
}
RATE_FORMAT = "{:,.4f}"
CHANGE_FORMAT = "{:+,.2f}"
INJURY_FORMATS = {"基期(2020年)‰": RATE_FORMAT, "本年‰": RATE_FORMAT, "目标路径值‰": RATE_FORMAT,
                  "较基期变化(%)": CHANGE_FORMAT}
OD_FORMATS = {v: RATE_FORMAT for k, v in OD_LABELS.items() if k.endswith(("rate", "baseline"))} | {
    "职业病 较基期(%)": CHANGE_FORMAT, "尘肺病 较基期(%)": CHANGE_FORMAT}
RECORD_FORMATS = {"平均总分": "{:.2f}"} | {v: "{:d}" for k, v in RECORD_LABELS.items() if k.startswith("years_")}


def year_label(year: int, final_years: Collection[int], provisional: Collection[int] = ()) -> str:
    kind = "终期评估" if year in final_years else "进度"
    return f"{year}年（{kind}" + ("·预评估" if year in provisional else "") + "）"


def national_first(frame: pd.DataFrame) -> pd.DataFrame:
    """The national row on top, then the provinces by code."""
    return frame.assign(_order=(frame["province_code"] != NATIONAL).astype(int)).sort_values(
        ["_order", "province_code"]).drop(columns="_order")


def visible(frame: pd.DataFrame, own: str | None) -> pd.DataFrame:
    """A provincial user's rows: the nation and its own province; everyone else: all rows."""
    if own is None:
        return frame
    return frame[frame["province_code"].isin([NATIONAL, own])]


def group_order(groups: pd.DataFrame, key_order: list[str]) -> list[str]:
    """Group names: the national key industries in the seed's order, then provinces' additions."""
    codes = groups[["industry_group_code", "industry_group"]].drop_duplicates("industry_group_code")
    rank = {code: i for i, code in enumerate(key_order)}
    ordered = sorted(codes.itertuples(), key=lambda r: (r.industry_group_code not in rank,
                                                         rank.get(r.industry_group_code, 0), r.industry_group_code))
    return list(dict.fromkeys(r.industry_group for r in ordered))


def _change(value) -> str:
    text = number(value, 2, signed=True)
    return text if text == MISSING else f"较基期 {text}%"


def grid_cells(provinces: pd.DataFrame, groups: pd.DataFrame) -> tuple[list[str], dict]:
    """Rows (province names, the nation first), columns and cells (status, text, hover) of the
    status grid: the key-industry injury rate, each key-industry group, the OD rate, training."""
    provinces = national_first(provinces)
    rows = list(provinces["province_name"])
    cells: dict[tuple[str, str], tuple[str, str, str]] = {}
    for r in provinces.itertuples():
        status = r.injury_status or NO_DATA
        cells[(r.province_name, KEY_INDUSTRIES)] = (
            status, f"{status}<br>{_change(r.injury_change_pct)}",
            f"{r.province_name} · 重点行业工伤事故发生率：{number(r.injury_rate, 4)}‰（基期 "
            f"{number(r.injury_rate_baseline, 4)}‰，目标 {number(r.injury_target_rate, 4)}‰）<br>{status}")
        od_status = r.od_status or NO_DATA
        cells[(r.province_name, OD)] = (
            od_status, f"{od_status}<br>{_change(r.od_change_pct)}",
            f"{r.province_name} · 职业病发病率：{number(r.od_rate, 4)}/10万（基期 {number(r.od_rate_baseline, 4)}）；"
            f"尘肺病：{number(r.pneumoconiosis_rate, 4)}/10万（基期 {number(r.pneumoconiosis_rate_baseline, 4)}）"
            f"<br>{od_status}")
        coverage, target = r.training_coverage, r.training_target
        if pd.isna(coverage):
            training = NO_DATA
        else:
            training = "达标" if pd.notna(target) and coverage >= target else "未达标"
        cells[(r.province_name, TRAINING)] = (
            training, f"{percent(coverage)}<br>目标 {percent(target, 0)}",
            f"{r.province_name} · 关键岗位培训覆盖率 {percent(coverage)}，目标 {percent(target, 0)}")
    names = dict(zip(provinces["province_code"], provinces["province_name"]))
    for g in groups.itertuples():
        name = names.get(g.province_code)
        if name is None:
            continue
        status = g.injury_status or NO_DATA
        cells[(name, g.industry_group)] = (
            status, f"{status}<br>{_change(g.injury_change_pct)}",
            f"{name} · {g.industry_group}：{number(g.injury_rate, 4)}‰（基期 {number(g.injury_rate_baseline, 4)}‰，"
            f"目标 {number(g.injury_target_rate, 4)}‰）<br>{status}")
    return rows, cells


# ------------------------------------------------------------------ the export file


def export_file(warehouse: Path, year: int, scope: frozenset[str] | None = None) -> bytes:
    """``ipx export evaluation --year [--province]`` as XLSX from the published copy: with ``scope``
    (a provincial reader) only the national rows and those provinces' rows."""
    return export_bytes(export_evaluation, warehouse, year, scope)
