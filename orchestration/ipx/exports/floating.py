"""``ipx export floating``: premium-rate floating (工伤保险费率浮动, spec 6).

CSV: one row per employer, the spec's 25 columns in order, values as published (amounts with
2 decimals, the ratio and rates with 4). XLSX: the same rows under Chinese headers (sheet
费率浮动), the method in Chinese words with the parameter values in force (sheet 方法与参数,
read from the published reference tables, provincial settings included) and the summaries
(sheet 汇总). Everything is read from the published data; nothing is computed here.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from ipx.exports.scope import where_clause
from ipx.exports.tables import query_rows, spreadsheet_cells
from ipx.exports.writers import write_csv, write_xlsx

FLOATING_COLUMNS = [
    "province_code", "province_name", "cycle_end_year", "uscc", "employer_name", "industry_code",
    "risk_class", "quarters", "premium_yuan", "benefits_yuan", "ratio", "claims", "deaths", "severe",
    "od_reports", "overdue_items", "grade", "status", "current_rate_pct", "base_rate_pct",
    "recommended_rate_pct", "current_premium_yuan", "projected_premium_yuan", "change_yuan", "reasons",
]

SUMMARY_COLUMNS = [
    "level", "province_code", "province_name", "cycle_end_year", "risk_class", "employers",
    "employers_down", "employers_unchanged", "employers_up", "employers_new", "employers_unclassified",
    "current_premium_yuan", "projected_premium_yuan", "change_yuan",
]

FLOATING_LABELS: dict[str, str] = {
    "province_code": "省份代码", "province_name": "省份", "cycle_end_year": "浮动周期截至年度",
    "uscc": "统一社会信用代码", "employer_name": "单位名称", "industry_code": "行业代码",
    "risk_class": "行业风险类别", "quarters": "周期内参保季度数", "premium_yuan": "周期缴费(元)",
    "benefits_yuan": "周期工伤保险基金支付(元)", "ratio": "支缴率", "claims": "工伤认定数",
    "deaths": "死亡人数", "severe": "1–4级伤残人数", "od_reports": "职业病报告数",
    "overdue_items": "逾期整改项数", "grade": "浮动档次", "status": "浮动结果",
    "current_rate_pct": "现行费率(%)", "base_rate_pct": "基准费率(%)", "recommended_rate_pct": "建议费率(%)",
    "current_premium_yuan": "按现行费率缴费(元)", "projected_premium_yuan": "按建议费率测算缴费(元)",
    "change_yuan": "缴费增减(元)", "reasons": "浮动理由",
    # extra columns of the published table (dashboard what-if)
    "effect_payroll_yuan": "测算期缴费工资(元)", "record_grade": "按赔付记录的档次",
    "window_start_quarter": "周期起始季度", "window_end_quarter": "周期截止季度",
    "last_snapshot_period": "最近参保快照季度",
    # summary
    "level": "汇总层级", "employers": "单位数", "employers_down": "下浮单位数",
    "employers_unchanged": "不浮动单位数", "employers_up": "上浮单位数", "employers_new": "新参保单位数",
    "employers_unclassified": "未分类单位数",
}

# the order in which the method sheet lists the parameters (others follow by name)
PARAMETER_ORDER = [
    "cycle_years", "min_quarters", "valid_rate_max_pct", "zero_premium_no_claim_grade", "zero_premium_claim_grade",
    "no_claim_grade", "severity_block_enabled", "severity_floor_grade", "severe_disability_grade_min",
    "severe_disability_grade_max", "deaths_up_enabled", "deaths_up_threshold", "deaths_floor_grade",
    "overdue_up_enabled", "overdue_min_items", "overdue_grade_step", "effect_quarters",
]
LEVEL_NAMES = {"province_class": "省份×行业风险类别", "province": "省份", "national": "全国"}
CLASS_NUMERALS = "一二三四五六七八九十"
NATIONAL = "000000"


def _num(value) -> str:
    """A configured number as people write it: 0.5, 1, -2 (no trailing zeros)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return "0" if text in ("-0", "") else text
    return str(value)


def _grade(value) -> str:
    """A grade with its sign, the minus as U+2212 (a leading ASCII '-' would be neutralised in a cell)."""
    n = int(value)
    return f"+{n}" if n > 0 else (f"\u2212{-n}" if n < 0 else "0")


def _cell_number(value):
    """A configured number as a spreadsheet number (integral values as int)."""
    if value is None:
        return None
    return int(value) if value == int(value) else float(value)


def _class_name(risk_class: int) -> str:
    n = int(risk_class)
    return f"{CLASS_NUMERALS[n - 1]}类" if 1 <= n <= len(CLASS_NUMERALS) else f"{n}类"


def _scope(code: str, names: dict[str, str]) -> str:
    return "全国默认" if code == NATIONAL else names.get(code, code)


def _methodquery_rows(con) -> list[list]:
    """The method in Chinese words with the parameter values of the published reference tables."""
    names = dict(con.execute("SELECT province_code, province_name FROM reference.provinces").fetchall())
    rank = {p: i for i, p in enumerate(PARAMETER_ORDER)}
    params = sorted(
        con.execute("SELECT province_code, parameter, value, description FROM reference.floating_parameters").fetchall(),
        key=lambda r: (r[0] != NATIONAL, r[0], rank.get(r[1], len(rank)), r[1]))
    default = {p: v for code, p, v, _ in params if code == NATIONAL}

    def d(key: str) -> str:
        return _num(default.get(key))

    def g(key: str) -> str:
        return _grade(default[key]) if default.get(key) is not None else ""

    years = int(default.get("cycle_years", 3))
    rows: list[list] = [
        ["方法", "全国默认", "浮动周期",
         f"周期截至Y年，覆盖Y−{years - 1}年第1季度至Y年第4季度共{years * 4}个季度；某省在Y年和Y−{years - 1}年"
         "都有已接收的参保单位季度快照时，计算该省该周期"],
        ["方法", "全国默认", "参与浮动的单位",
         "周期内该省最近一期参保快照中的单位；行业风险类别和现行费率取自该期记录。行业风险类别缺失或不在"
         "基准费率所列类别内的，为“未分类”，不评定档次、不测算建议费率"],
        ["方法", "全国默认", "参保季度数", "周期内该单位有参保记录的季度数"],
        ["方法", "全国默认", "周期缴费 P",
         f"周期内各季度缴费工资总额 × 费率 ÷ 100 之和；费率取该季度记录的现行费率（大于0且不超过{d('valid_rate_max_pct')}%"
         "时），否则取单位所属类别的基准费率；缴费工资空缺按0计"],
        ["方法", "全国默认", "工伤认定与基金支付",
         "周期内（按认定日期）结论为“认定工伤”或“视同工伤”的认定书，事故伤害和职业病都算：认定数 N，"
         f"基金支付合计 B（空缺按0计），其中死亡人数 D，{d('severe_disability_grade_min')}–"
         f"{d('severe_disability_grade_max')}级伤残人数 S"],
        ["方法", "全国默认", "支缴率 R", "R = B ÷ P；P 为0时不计算"],
        ["方法", "全国默认", "职业病报告 K", "周期内（按诊断日期）该单位的职业病报告数"],
        ["方法", "全国默认", "逾期整改 O",
         "整改期限在周期内的超标检测样本和重大隐患（按其最新状态）中，整改完成日期晚于期限或尚未整改的项数"],
        ["方法", "全国默认", "第1步 新参保",
         f"参保季度数少于{d('min_quarters')}个：档次为0，结果为“新参保”，不再往下判定"],
        ["方法", "全国默认", "第2步 按赔付记录",
         f"P 为0时：无工伤认定为{g('zero_premium_no_claim_grade')}档，有工伤认定为{g('zero_premium_claim_grade')}档；"
         f"否则无工伤认定为{g('no_claim_grade')}档；有工伤认定的按下表支缴率分档（逐档比较，R 不超过上限即取该档）"],
        ["方法", "全国默认", "第3步 严重后果",
         f"有死亡、{d('severe_disability_grade_min')}–{d('severe_disability_grade_max')}级伤残或职业病报告的，档次不低于"
         f"{g('severity_floor_grade')}（不下浮）；死亡人数达到{d('deaths_up_threshold')}人的，档次不低于"
         f"{g('deaths_floor_grade')}（开关见下表）"],
        ["方法", "全国默认", "第4步 预防整改",
         f"逾期整改项数达到{d('overdue_min_items')}项的，上浮{d('overdue_grade_step')}档（开关见下表）"],
        ["方法", "全国默认", "第5步 上下限",
         "档次限定在所属类别的上下限内：一类行业只上浮不下浮，其余类别见下表"],
        ["方法", "全国默认", "浮动结果", "档次小于0为“下浮”，等于0为“不浮动”，大于0为“上浮”；另有“新参保”“未分类”"],
        ["方法", "全国默认", "建议费率", "所属类别基准费率 × 档次对应的费率倍数，四舍五入保留4位小数"],
        ["方法", "全国默认", "缴费影响",
         f"以周期最后{d('effect_quarters')}个季度的参保记录测算：按现行费率缴费 = Σ 缴费工资 × 费率 ÷ 100（费率取法同 P）；"
         "按建议费率测算缴费 = 同期缴费工资合计 × 建议费率 ÷ 100；缴费增减 = 两者之差"],
        ["方法", "全国默认", "取整",
         "金额保留2位小数，支缴率和费率保留4位小数，均由未取整的数值四舍五入（缴费增减与两列取整后之差"
         "可能相差0.01元）；分档和档次判定按未取整的数值精确比较；汇总表按各单位未取整金额求和后再取整，"
         "未分类单位不计入缴费合计"],
        ["方法", "全国默认", "各省设置",
         "下列参数中，“全国默认”以外的行是该省的单独设置，覆盖同一项的全国默认值；某省单独设置了支缴率分档的，"
         "整套分档替换全国默认分档"],
    ]

    for code, no, upper, grade in con.execute(
            "SELECT province_code, band_no, ratio_upper, grade FROM reference.floating_ratio_bands "
            "ORDER BY province_code <> '000000', province_code, band_no").fetchall():
        condition = f"R ≤ {float(upper)}" if upper is not None else "R 高于上一档上限"
        rows.append(["支缴率分档", _scope(code, names), f"第{no}档", f"{condition}：{_grade(grade)}档"])

    for code, grade, multiplier, status, label in con.execute(
            "SELECT province_code, grade, multiplier, status, grade_label FROM reference.floating_grade_multipliers "
            "ORDER BY province_code <> '000000', province_code, grade").fetchall():
        parts = [f"费率倍数 {float(multiplier)}" if multiplier is not None else "",
                 f"结果“{status}”" if status else "", label or ""]
        rows.append(["档次与费率倍数", _scope(code, names), f"档次 {_grade(grade)}", "；".join(p for p in parts if p)])

    for code, risk_class, base, low, high, note in con.execute(
            "SELECT province_code, risk_class, base_rate_pct, min_grade, max_grade, source_note "
            "FROM reference.floating_base_rates "
            "ORDER BY province_code <> '000000', province_code, risk_class").fetchall():
        parts = [f"基准费率 {float(base)}%" if base is not None else "",
                 f"档次下限 {_grade(low)}" if low is not None else "",
                 f"档次上限 {_grade(high)}" if high is not None else "", note or ""]
        rows.append(["基准费率与上下限", _scope(code, names), _class_name(risk_class), "；".join(p for p in parts if p)])

    for code, parameter, value, description in params:
        rows.append(["修正与其他参数", _scope(code, names), description or parameter, _cell_number(value)])

    as_of = con.execute("SELECT as_of_at FROM marts.mart_data_as_of").fetchone()
    rows.append(["说明", "", "数据截至", str(as_of[0]) if as_of and as_of[0] is not None else ""])
    return rows


def export_floating(con, out: Path, year: int | None, scope: frozenset[str] | None = None) -> int:
    """One row per floated employer of cycle ``year`` (every cycle when None); with a ``scope``,
    that province's employers and summary rows, and the national summary."""
    where, params = where_clause(year, scope, year_column="cycle_end_year")
    columns, rows = query_rows(con, f"SELECT {', '.join(FLOATING_COLUMNS)} FROM marts.mart_premium_floating {where} "
                               "ORDER BY cycle_end_year, province_code, uscc", params)
    if out.suffix.lower() != ".xlsx":
        return write_csv(out, columns, rows)
    summary_cols, summary = query_rows(
        con, f"SELECT {', '.join(SUMMARY_COLUMNS)} FROM marts.mart_premium_floating_summary {where} "
             "ORDER BY cycle_end_year, CASE level WHEN 'national' THEN 0 WHEN 'province' THEN 1 ELSE 2 END, "
             "province_code, risk_class NULLS LAST", params)
    level_at, class_at = summary_cols.index("level"), summary_cols.index("risk_class")
    summary_cells = []
    for row in spreadsheet_cells(summary):
        if row[level_at] == "province_class" and row[class_at] is None:
            row[class_at] = "未分类"
        row[level_at] = LEVEL_NAMES.get(row[level_at], row[level_at])
        summary_cells.append(row)
    write_xlsx(out, [
        ("费率浮动", [FLOATING_LABELS.get(c, c) for c in columns], spreadsheet_cells(rows)),
        ("方法与参数", ["类别", "适用范围", "项目", "取值与说明"], _methodquery_rows(con)),
        ("汇总", [FLOATING_LABELS.get(c, c) for c in summary_cols], summary_cells),
    ])
    return len(rows)
