"""``ipx export evaluation``: the plan's progress and final evaluation (实施进度与终期评估, spec 7).

XLSX: one sheet of provinces (and the nation), one of key-industry groups, and a method sheet in
Chinese (formulas in words, thresholds read from the published plan parameters). CSV: the
province table in FILE and the group table beside it as FILE's stem + ``_groups`` (same
suffix). Columns in the spec's order, values as published (rates to 4 decimals, change_pct and
the mean score to 2). Every figure comes from the published marts; nothing is computed here.
"""

from __future__ import annotations

from pathlib import Path

from ipx.exports.labels import label
from ipx.exports.scope import where_clause
from ipx.exports.tables import query_rows, spreadsheet_cells
from ipx.exports.writers import write_csv, write_xlsx

PROVINCE_COLUMNS = [
    "province_code", "province_name", "year", "injury_rate_baseline", "injury_rate", "injury_target_rate",
    "injury_change_pct", "injury_status", "od_rate_baseline", "od_rate", "od_change_pct",
    "pneumoconiosis_rate_baseline", "pneumoconiosis_rate", "pneumoconiosis_change_pct", "od_status",
    "training_coverage", "training_target", "mean_total_score", "years_excellent", "years_good", "years_pass",
    "years_fail",
]
GROUP_COLUMNS = [
    "province_code", "province_name", "year", "industry_group", "injury_rate_baseline", "injury_rate",
    "injury_target_rate", "injury_change_pct", "injury_status",
]

# Column -> Chinese header of the two tables. ``industry_group`` here is the group's Chinese name
# (the hotspots' ``industry_group`` is a code), so these take precedence over the shared labels.
EVALUATION_LABELS: dict[str, str] = {
    "province_code": "省份代码",
    "province_name": "省份",
    "year": "年度",
    "industry_group": "重点行业",
    "injury_rate_baseline": "基期工伤事故发生率(‰)",
    "injury_rate": "工伤事故发生率(‰)",
    "injury_target_rate": "目标路径值(‰)",
    "injury_change_pct": "较基期变化(%)",
    "injury_status": "事故发生率评估结果",
    "od_rate_baseline": "基期职业病发病率(1/10万)",
    "od_rate": "职业病发病率(1/10万)",
    "od_change_pct": "职业病发病率较基期变化(%)",
    "pneumoconiosis_rate_baseline": "基期尘肺病发病率(1/10万)",
    "pneumoconiosis_rate": "尘肺病发病率(1/10万)",
    "pneumoconiosis_change_pct": "尘肺病发病率较基期变化(%)",
    "od_status": "职业病发病率评估结果",
    "training_coverage": "关键岗位培训覆盖率",
    "training_target": "培训覆盖率目标",
    "mean_total_score": "考核平均总分",
    "years_excellent": "优秀年数",
    "years_good": "良好年数",
    "years_pass": "合格年数",
    "years_fail": "不合格年数",
}


def _header(columns: list[str]) -> list[str]:
    return [EVALUATION_LABELS.get(c) or label(c) for c in columns]


def groups_path(out: Path) -> Path:
    """Where the CSV export puts the group table: FILE's stem + ``_groups``, same suffix."""
    return out.with_name(f"{out.stem}_groups{out.suffix}")


def _number(value) -> str:
    """A parameter as a person writes it: 0.04, -20, 2025 (no trailing .0)."""
    if value is None:
        return ""
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:g}"


def _method(con) -> list[list[str]]:
    plan = con.execute(
        "SELECT plan_name, first_year, last_year, baseline_year, annual_reduction, training_ramp_per_year, "
        "final_achieved_change_pct_max, final_basically_achieved_change_pct_max FROM reference.plan_cycles "
        "ORDER BY first_year DESC LIMIT 1").fetchone()
    name, first, last, base, reduction, ramp, achieved, basic = plan
    achieved_s, basic_s, reduction_s, ramp_s = _number(achieved), _number(basic), _number(reduction), _number(ramp)
    as_of = con.execute("SELECT as_of_at FROM marts.mart_data_as_of").fetchone()
    return [
        ["规划", f"{name}：评估年度 {first}—{last} 年，{last} 年为终期评估；基期为 {base} 年。"],
        ["评估对象", "每个评估年度中被纳入当年省级考核（当年至少有一个数据期间的报送被接收）的省份，以及全国。"
                   "当年未报送任何数据的省份不列入。"],
        ["重点行业工伤事故发生率", "当年事故发生日期在该年、认定结论为认定工伤或视同工伤且伤害类型为事故伤害的工伤认定数"
                          "（按事故发生季度所属的参保单位行业归入重点行业）× 1000 ÷ 重点行业参保职工数。"
                          "参保职工数为当年各有参保单位快照的季度参保职工人数合计的平均值。重点行业为全国重点行业加本省自行增列的行业。"],
        ["基期值与目标路径", f"基期值为该指标 {base} 年的数值；目标路径值 = 基期值 × (1 − {reduction_s} × (年度 − {base}))。"],
        ["较基期变化", "较基期变化(%) = (当年值 − 基期值) ÷ 基期值 × 100；基期值为 0 或缺失时不计算。"],
        ["终期评估结果", f"{last} 年（终期）：较基期变化 ≤ {achieved_s}% 为“达成”，{achieved_s}% < 较基期变化 ≤ {basic_s}% "
                     "为“基本达成”，其余为“未达成”；基期值为 0 时，当年值为 0 为“达成”，否则为“未达成”。"],
        ["年度进度结果", f"{first}—{last - 1} 年：当年值不高于目标路径值为“进度正常”，否则为“进度滞后”"
                     "（基期值为 0 时，当年值为 0 即进度正常）。"],
        ["无数据", "当年或基期的参保职工数为 0 或缺失（例如基期没有参保单位快照、某重点行业当年没有参保职工）时，"
                 "发生率为空，评估结果为“无数据”。"],
        ["分行业评估", "危险化学品、矿山、建筑施工、交通运输、机械制造及本省增列的重点行业，各自按上述方法与本行业的基期值比较；"
                    "全国只列全国重点行业。"],
        ["职业病发病率", "当年诊断的职业病报告数（按报告卡计，不按人数）× 100000 ÷ 全部参保单位的参保职工数。"],
        ["尘肺病发病率", "其中职业病种类为“职业性尘肺病及其他呼吸系统疾病”的报告数 × 100000 ÷ 全部参保单位的参保职工数。"],
        ["职业病评估结果", "职业病发病率低于基期值为“下降”，否则为“未下降”；发病率或基期值为空时为“无数据”。"],
        ["关键岗位培训覆盖率", "当年关键岗位名册（分管负责人、安全管理部门主要负责人、一线班组长）中不重复的人员里，"
                         f"{first} 年 1 月 1 日至当年 12 月 31 日有至少一次培训考核合格记录的人员所占比例；"
                         f"目标 = min(1, {ramp_s} × (年度 − {base}))。"],
        ["考核记录", f"{first} 年至当年中该省被考核各年的公布总分的平均值，以及其中评为优秀、良好、合格、不合格的年数。"],
        ["全国", "全国一行为当年参加考核各省的分子与参保职工数分别相加后重新计算的比率；基期取同一组省份的基期数据，"
                "使变化可比。培训覆盖率由各省名册人数与合格人数分别相加后计算。考核记录不适用，留空。"],
        ["取整与判定", "发生率、覆盖率与目标保留 4 位小数，较基期变化与平均总分保留 2 位小数，四舍五入（负数按绝对值）。"
                     "各项评估结果按未取整的数值判定，因此取整后恰为临界值的变化率可能归入相邻档次。"],
        ["数据截至", str(as_of[0]) if as_of and as_of[0] is not None else ""],
    ]


def export_evaluation(con, out: Path, year: int | None, scope: frozenset[str] | None = None) -> int:
    """Write the evaluation for ``year`` (all plan years when None); returns the number of
    rows written, province and group tables together. With a ``scope``, the national rows and
    the scope's provinces only."""
    where, params = where_clause(year, scope)
    _, provinces = query_rows(con, f"SELECT {', '.join(PROVINCE_COLUMNS)} FROM marts.mart_plan_evaluation {where} "
                              "ORDER BY year, province_code", params)
    _, groups = query_rows(con, f"SELECT {', '.join(GROUP_COLUMNS)} FROM marts.mart_plan_evaluation_groups {where} "
                           "ORDER BY year, province_code, industry_group_code", params)
    if out.suffix.lower() == ".xlsx":
        write_xlsx(out, [
            ("省份评估", _header(PROVINCE_COLUMNS), spreadsheet_cells(provinces)),
            ("重点行业评估", _header(GROUP_COLUMNS), spreadsheet_cells(groups)),
            ("方法说明", ["项目", "说明"], _method(con)),
        ])
        return len(provinces) + len(groups)
    n = write_csv(out, PROVINCE_COLUMNS, provinces)
    return n + write_csv(groups_path(out), GROUP_COLUMNS, groups)
