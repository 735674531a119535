"""费率浮动: the summary by province and risk class, one province's employers with filters, the
export, provincial users' scope, and the national what-if — whose re-grading (dashboards/
floating_whatif.py) reproduces every published employer with the published parameters."""

from __future__ import annotations

import dataclasses
import io
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import openpyxl
import pandas as pd
import pytest
from dashboard_support import all_tables, displayed, drawing, has_table, no_missing_text, table, texts, tip

from dashboards import floating_tables, plan_charts
from dashboards.floating_whatif import NATIONAL, SPEC_DEFAULTS, Rules, compare, regrade, rules_from_seeds, status_counts

PAGE = "views/floating.py"
SEEDS = ("parameters", "ratio_bands", "grade_multipliers", "base_rates")


@pytest.fixture
def published_rules(mart) -> Rules:
    return rules_from_seeds(*(mart(f"SELECT * FROM reference.floating_{name}") for name in SEEDS))


@pytest.fixture
def year(mart) -> int:
    return int(mart("SELECT max(cycle_end_year) AS y FROM marts.mart_premium_floating")["y"][0])


# ------------------------------------------------------------------ the re-grading, alone


def test_with_the_published_parameters_every_employer_is_reproduced_exactly(mart, published_rules):
    employers = mart("SELECT * FROM marts.mart_premium_floating")
    assert len(employers) > 100 and set(employers["status"]) >= {"下浮", "不浮动", "上浮", "新参保"}
    regraded = regrade(employers, published_rules)
    for column in ("record_grade", "grade", "status"):
        mismatch = ~((regraded[column] == employers[column]).fillna(False)
                     | (regraded[column].isna() & employers[column].isna()))
        assert not mismatch.any(), employers.loc[mismatch, ["uscc", column]].head()
    for column in ("recommended_rate_pct", "projected_premium_yuan"):  # floats of the same decimals: equal
        same = (regraded[column] == employers[column]) | (regraded[column].isna() & employers[column].isna())
        assert same.all(), employers.loc[~same, ["uscc", column]].assign(whatif=regraded.loc[~same, column]).head()
    for year, rows in employers.groupby("cycle_end_year"):
        summary = mart("SELECT * FROM marts.mart_premium_floating_summary WHERE level = 'national' "
                       "AND cycle_end_year = ?", [int(year)]).iloc[0]
        result = compare(rows, regraded.loc[rows.index], summary)
        assert result.whatif_counts == result.published_counts
        assert result.whatif_projected_yuan == result.published_projected_yuan
        assert result.published_projected_yuan == float(summary["projected_premium_yuan"])


def test_the_published_seeds_are_read_as_the_spec_defaults(published_rules):
    default = published_rules.default
    assert default.bands == SPEC_DEFAULTS.bands and default.multipliers == SPEC_DEFAULTS.multipliers
    assert (default.severity_block_enabled, default.deaths_up_enabled, default.overdue_up_enabled) == (True,) * 3
    national = published_rules.limits[published_rules.limits["province_code"] == NATIONAL].sort_values("risk_class")
    assert list(national["min_grade"]) == [0] + [-2] * 7 and list(national["max_grade"]) == [2] * 8
    assert rules_from_seeds(None, None, None, None).default == SPEC_DEFAULTS  # no seeds: the spec's defaults


def _employer(**figures) -> dict:
    row = dict(province_code="440000", risk_class=3, quarters=12, premium_yuan=1000.0, benefits_yuan=0.0, claims=0,
               deaths=0, severe=0, od_reports=0, overdue_items=0, base_rate_pct=0.7, effect_payroll_yuan=100000.0,
               current_premium_yuan=700.0, projected_premium_yuan=np.nan, status="不浮动")
    return row | figures


CASES = {  # name: (figures, expected record grade, expected grade, status)
    "no premium, no claim": (dict(premium_yuan=0.0), 0, 0, "不浮动"),
    "no premium, a claim": (dict(premium_yuan=0.0, claims=1, benefits_yuan=10.0), 2, 2, "上浮"),
    "no claim": (dict(), -2, -2, "下浮"),
    "R exactly 0.5": (dict(claims=1, benefits_yuan=500.0), -1, -1, "下浮"),
    "R just above 0.5": (dict(claims=1, benefits_yuan=500.01), 0, 0, "不浮动"),
    "R exactly 1.5, float-unfriendly": (dict(claims=1, premium_yuan=100.10, benefits_yuan=150.15), 1, 1, "上浮"),
    "R above 1.5": (dict(claims=1, benefits_yuan=1500.01), 2, 2, "上浮"),
    "a death blocks the down-float": (dict(claims=1, deaths=1), -1, 0, "不浮动"),
    "a grade 1-4 disability blocks it": (dict(claims=1, severe=1, benefits_yuan=100.0), -1, 0, "不浮动"),
    "an OD report blocks it": (dict(od_reports=1), -2, 0, "不浮动"),
    "two deaths: at least +1": (dict(claims=2, deaths=2, benefits_yuan=100.0), -1, 1, "上浮"),
    "overdue: one grade up": (dict(overdue_items=1), -2, -1, "下浮"),
    "overdue above +2 stops at +2": (dict(claims=1, benefits_yuan=2000.0, overdue_items=3), 2, 2, "上浮"),
    "class 1 does not float down": (dict(risk_class=1, base_rate_pct=0.2), -2, 0, "不浮动"),
    "fewer than 4 quarters: new": (dict(quarters=3, claims=5, benefits_yuan=9000.0), None, 0, "新参保"),
    "no class: unclassified": (dict(risk_class=None, base_rate_pct=None), None, None, "未分类"),
}


def test_each_step_of_the_spec_on_hand_made_employers():
    frame = pd.DataFrame([_employer(**figures) for figures, *_ in CASES.values()], index=list(CASES))
    result = regrade(frame, Rules())
    for name, (_, record, grade, status) in CASES.items():
        row = result.loc[name]
        assert (None if pd.isna(row["record_grade"]) else int(row["record_grade"])) == record, name
        assert (None if pd.isna(row["grade"]) else int(row["grade"])) == grade, name
        assert row["status"] == status, name
    assert np.isnan(result.loc["no class: unclassified", "projected_premium_yuan"])
    # rate: base 0.7 × multiplier of the grade; projected premium = 100,000 × rate / 100
    assert result.loc["no claim", "recommended_rate_pct"] == 0.35
    assert result.loc["no claim", "projected_premium_yuan"] == 350.0
    assert result.loc["fewer than 4 quarters: new", "recommended_rate_pct"] == 0.7

    switched_off = dataclasses.replace(SPEC_DEFAULTS, severity_block_enabled=False, deaths_up_enabled=False,
                                       overdue_up_enabled=False)
    off = regrade(frame, Rules(default=switched_off))
    assert off.loc["a death blocks the down-float", "grade"] == -1
    assert off.loc["two deaths: at least +1", "grade"] == -1
    assert off.loc["overdue: one grade up", "grade"] == -2


def test_rates_and_premiums_are_rounded_half_up_exactly():
    frame = pd.DataFrame([_employer(base_rate_pct=1.2345, effect_payroll_yuan=12345.67)])
    rules = Rules(default=dataclasses.replace(SPEC_DEFAULTS, multipliers=(
        (-2, Decimal("0.5")), (-1, Decimal("0.8")), (0, Decimal("1")), (1, Decimal("1.2")), (2, Decimal("1.5")))))
    row = regrade(frame, rules).iloc[0]  # no claim: −2, multiplier 0.5
    rate = (Decimal("1.2345") * Decimal("0.5")).quantize(Decimal("0.0001"), ROUND_HALF_UP)
    assert rate == Decimal("0.6173") and row["recommended_rate_pct"] == float(rate)  # 0.61725 → 0.6173
    projected = (Decimal("12345.67") * rate / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert row["projected_premium_yuan"] == float(projected)


def test_provincial_rules_and_what_if_changes():
    bands = pd.DataFrame({"province_code": ["000000"] * 4 + ["440000"] * 2, "band_no": [1, 2, 3, 4, 1, 2],
                          "ratio_upper": [0.5, 1.0, 1.5, None, 0.8, None], "grade": [-1, 0, 1, 2, -1, 1]})
    multipliers = pd.DataFrame({"province_code": ["440000"], "grade": [-1], "multiplier": [0.7]})
    rules = rules_from_seeds(None, bands, multipliers, None)
    assert rules.settings_of("510000") == SPEC_DEFAULTS
    guangdong = rules.settings_of("440000")
    assert guangdong.bands == ((Decimal("0.8"), -1), (None, 1))  # a province's bands replace the whole set
    assert guangdong.multiplier(-1) == Decimal("0.7") and guangdong.multiplier(2) == Decimal("1.5")
    frame = pd.DataFrame([_employer(claims=1, benefits_yuan=700.0), _employer(province_code="510000", claims=1,
                                                                                benefits_yuan=700.0)])
    result = regrade(frame, rules)
    assert list(result["grade"]) == [-1, 0] and list(result["recommended_rate_pct"]) == [0.49, 0.7]

    # the what-if changes the multipliers: for every province; Guangdong keeps its own bands
    changed = rules.with_changes(dataclasses.replace(SPEC_DEFAULTS, multipliers=(
        (-2, Decimal("0.5")), (-1, Decimal("0.9")), (0, Decimal("1.0")), (1, Decimal("1.2")), (2, Decimal("1.5")))))
    assert changed.settings_of("440000").bands == guangdong.bands
    assert changed.settings_of("440000").multiplier(-1) == Decimal("0.9")
    assert changed.settings_of("510000").multiplier(-1) == Decimal("0.9")
    assert rules.with_changes(SPEC_DEFAULTS) is rules  # nothing changed: the published rules themselves


def test_settings_that_cannot_be_applied_are_named():
    assert SPEC_DEFAULTS.problems() == []
    reversed_bands = dataclasses.replace(SPEC_DEFAULTS, bands=((Decimal("1.0"), -1), (Decimal("0.5"), 0), (None, 2)))
    assert reversed_bands.problems() == ["支缴率分档：各档上限须逐档递增。"]


# ------------------------------------------------------------------ the page, national user


def _summary(mart, year: int, level: str) -> pd.DataFrame:
    return mart("SELECT * FROM marts.mart_premium_floating_summary WHERE cycle_end_year = ? AND level = ? "
                "ORDER BY province_code, risk_class NULLS LAST", [year, level])


def test_summary_by_province_with_the_nation_first(signed_in, mart, year):
    at = signed_in("nat", PAGE)
    assert at.selectbox(key="fl_year").value == year
    national, provinces = _summary(mart, year, "national"), _summary(mart, year, "province")
    shown = table(at, "省份", "浮动单位数", "当前年缴费(万元)")
    assert list(shown["省份"]) == ["全国"] + list(provinces["province_name"])
    published = pd.concat([national, provinces])
    for label, column in (("浮动单位数", "employers"), ("下浮", "employers_down"), ("不浮动", "employers_unchanged"),
                          ("上浮", "employers_up"), ("新参保", "employers_new"), ("未分类", "employers_unclassified")):
        assert list(shown[label]) == list(published[column]), label
    assert list(shown["缴费变化(万元)"]) == pytest.approx(list(published["change_yuan"].astype(float) / 10_000))
    strings = displayed(at, "省份", "浮动单位数", "当前年缴费(万元)")
    assert strings["当前年缴费(万元)"].iloc[0] == f"{float(national['current_premium_yuan'][0]) / 10_000:,.2f}"
    assert strings["缴费变化(万元)"].iloc[0].startswith(("+", "-"))
    assert no_missing_text(strings)
    assert "全国" in texts(at)


def test_one_province_by_class_and_its_employers_with_filters(signed_in, mart, year):
    at = signed_in("nat", PAGE)
    at.selectbox(key="fl_province").set_value("510000").run()
    classes = table(at, "风险类别", "浮动单位数", "浮动后年缴费(万元)")
    published = _summary(mart, year, "province_class")
    published = published[published["province_code"] == "510000"]
    assert list(classes["风险类别"]) == [floating_tables.class_name(c) for c in published["risk_class"]]
    assert list(classes["浮动单位数"]) == list(published["employers"])
    # the stacked bars: one row per class, a segment per status with its count and colour
    bars = drawing(at, "fl_class_chart")
    rows = [g for g in bars.iter("g") if "ipx-row" in g.get("class", "")]
    assert [g.get("data-label") for g in rows] == list(classes["风险类别"])
    for g, r in zip(rows, published.itertuples()):
        segments = {rect.get("data-name"): rect for rect in g.iter("rect") if rect.get("data-name")}
        assert float(segments["上浮"].get("data-value")) == r.employers_up
        assert float(segments["下浮"].get("data-value")) == r.employers_down
        assert segments["上浮"].get("fill") == plan_charts.STATUS_BAR_COLOURS["上浮"]
        assert f"上浮：{r.employers_up:,} 家" in tip(segments["上浮"])

    employers = mart("SELECT * FROM marts.mart_premium_floating WHERE cycle_end_year = ? AND province_code = '510000'",
                     [year])
    shown = table(at, "统一社会信用代码", "浮动结果", "浮动原因")
    assert sorted(shown["统一社会信用代码"]) == sorted(employers["uscc"])
    assert no_missing_text(displayed(at, "统一社会信用代码", "浮动结果", "浮动原因"))  # 未分类 rows: "—"

    at.multiselect(key="fl_status").set_value(["上浮"]).run()
    shown = table(at, "统一社会信用代码", "浮动结果")
    assert set(shown["浮动结果"]) == {"上浮"} and len(shown) == int((employers["status"] == "上浮").sum())
    at.multiselect(key="fl_status").set_value([]).run()
    at.multiselect(key="fl_class").set_value(["三类"]).run()
    assert set(table(at, "统一社会信用代码", "风险类别")["风险类别"]) == {"三类"}
    at.multiselect(key="fl_class").set_value([]).run()
    one = employers.iloc[0]
    at.text_input(key="fl_search").input(one["uscc"][-6:].lower()).run()
    assert one["uscc"] in list(table(at, "统一社会信用代码")["统一社会信用代码"])
    at.text_input(key="fl_search").input(one["employer_name"]).run()
    assert list(table(at, "统一社会信用代码")["统一社会信用代码"]) == list(
        employers.loc[employers["employer_name"].str.contains(one["employer_name"], regex=False), "uscc"])


def _whatif_counts(at) -> pd.DataFrame:
    return table(at, "浮动结果", "公布结果", "测算结果").set_index("浮动结果")


def _rule_inputs(at) -> list:
    return [n for n in at.number_input if str(n.key).startswith(("fl_band_", "fl_mult_"))]


def _with_whatif_open(at):
    at.toggle(key="fl_whatif_open").set_value(True).run()
    assert not at.exception
    return at


def test_the_what_if_is_closed_until_opened_and_keeps_its_values_while_closed(signed_in):
    at = signed_in("nat", PAGE)
    assert "测算：调整浮动规则" in texts(at)  # its heading and the switch
    assert not _rule_inputs(at) and not has_table(at, "浮动结果", "公布结果", "测算结果")
    _with_whatif_open(at).number_input(key="fl_band_0").set_value(0.2).run()
    assert list(_whatif_counts(at)["测算结果"]) != list(_whatif_counts(at)["公布结果"])
    at.toggle(key="fl_whatif_open").set_value(False).run()
    assert not _rule_inputs(at)
    at.selectbox(key="fl_province").set_value(at.selectbox(key="fl_province").options[-1]).run()  # another run
    at.toggle(key="fl_whatif_open").set_value(True).run()
    assert at.number_input(key="fl_band_0").value == 0.2
    assert list(_whatif_counts(at)["测算结果"]) != list(_whatif_counts(at)["公布结果"])


def test_what_if_starts_at_the_published_result(signed_in, mart, year):
    at = _with_whatif_open(signed_in("nat", PAGE))
    counts = _whatif_counts(at)
    assert list(counts["测算结果"]) == list(counts["公布结果"])
    national = _summary(mart, year, "national").iloc[0]
    assert counts.loc["下浮", "公布结果"] == national["employers_down"]
    assert counts.loc["上浮", "公布结果"] == national["employers_up"]
    assert "参数未调整：测算结果与公布结果相同" in texts(at)
    chart = drawing(at, "fl_whatif_chart")
    shown = {(r.get("data-name"), g.get("data-label")): float(r.get("data-value"))
             for g in chart.iter("g") if g.get("data-label") for r in g.iter("rect")}
    assert shown[("公布结果", "下浮")] == national["employers_down"] == shown[("测算结果", "下浮")]
    assert at.number_input(key="fl_band_0").value == 0.5 and at.number_input(key="fl_mult_-2").value == 0.5


def test_changing_a_band_regrades_at_once(signed_in, mart, year, published_rules):
    at = _with_whatif_open(signed_in("nat", PAGE))
    at.number_input(key="fl_band_0").set_value(0.2).run()
    counts = _whatif_counts(at)
    assert list(counts["测算结果"]) != list(counts["公布结果"])
    assert counts.loc["下浮", "测算结果"] < counts.loc["下浮", "公布结果"]
    employers = mart("SELECT * FROM marts.mart_premium_floating WHERE cycle_end_year = ?", [year])
    bands = list(published_rules.default.bands)
    bands[0] = (Decimal("0.2"), bands[0][1])
    expected = status_counts(regrade(employers, published_rules.with_changes(
        dataclasses.replace(published_rules.default, bands=tuple(bands))))["status"])
    assert dict(counts["测算结果"].drop("合计")) == expected
    assert counts.loc["合计", "测算结果"] == counts.loc["合计", "公布结果"]

    at.toggle(key="fl_overdue").set_value(False).run()
    assert _whatif_counts(at).loc["上浮", "测算结果"] <= counts.loc["上浮", "测算结果"]
    at.button(key="fl_whatif_reset").click().run()
    counts = _whatif_counts(at)
    assert list(counts["测算结果"]) == list(counts["公布结果"])
    assert at.number_input(key="fl_band_0").value == 0.5 and at.toggle(key="fl_overdue").value is True


def test_a_higher_multiplier_raises_the_projected_premium(signed_in):
    at = _with_whatif_open(signed_in("nat", PAGE))
    at.number_input(key="fl_mult_+2").set_value(2.0).run()
    provinces = table(at, "省份", "缴费变化(公布,万元)", "缴费变化(测算,万元)")
    assert (provinces["缴费变化(测算,万元)"] >= provinces["缴费变化(公布,万元)"]).all()
    assert (provinces["缴费变化(测算,万元)"] > provinces["缴费变化(公布,万元)"]).any()
    at.number_input(key="fl_band_1").set_value(0.4).run()  # below the first band's 0.5
    assert any("各档上限须逐档递增" in w.value for w in at.warning)


# ------------------------------------------------------------------ provincial user


def test_a_provincial_user_sees_only_its_own_province_and_the_nation(signed_in, mart, year):
    at = signed_in("gd", PAGE)
    assert not at.exception
    assert list(table(at, "省份", "浮动单位数", "当前年缴费(万元)")["省份"]) == ["全国", "广东省"]
    box = at.selectbox(key="fl_province")
    assert box.options == ["广东省"] and box.value == "440000"
    usccs = set(table(at, "统一社会信用代码", "浮动结果")["统一社会信用代码"])
    own = set(mart("SELECT uscc FROM marts.mart_premium_floating WHERE province_code = '440000' "
                   "AND cycle_end_year = ?", [year])["uscc"])
    others = set(mart("SELECT uscc FROM marts.mart_premium_floating WHERE province_code <> '440000'")["uscc"])
    assert usccs == own and not usccs & others
    for frame in all_tables(at):  # no other province anywhere
        cells = set(frame.astype(str).to_numpy().ravel())
        assert not cells & {"四川省", "新疆生产建设兵团"}
        assert not cells & others
    assert not has_table(at, "浮动结果", "公布结果", "测算结果")  # the what-if is for national users
    assert "测算：调整浮动规则" not in texts(at)
    assert not [n for n in at.number_input if n.key == "fl_band_0"]
    assert box.disabled


# ------------------------------------------------------------------ the export


def test_the_export_for_national_and_provincial_users(app_env, mart, year):
    pytest.importorskip("ipx.exports.floating")
    book = openpyxl.load_workbook(io.BytesIO(floating_tables.export_file(app_env, year)))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    employers = mart("SELECT uscc FROM marts.mart_premium_floating WHERE cycle_end_year = ?", [year])
    assert len(rows) - 1 == len(employers)

    scoped = openpyxl.load_workbook(io.BytesIO(floating_tables.export_file(app_env, year, frozenset({"440000"}))))
    cells = {str(v) for sheet in scoped.worksheets for row in sheet.iter_rows(values_only=True) for v in row}
    others = set(mart("SELECT uscc FROM marts.mart_premium_floating WHERE province_code <> '440000'")["uscc"])
    assert not cells & others and not cells & {"四川省", "510000", "新疆生产建设兵团", "660000"}
    own = set(mart("SELECT uscc FROM marts.mart_premium_floating WHERE province_code = '440000' "
                   "AND cycle_end_year = ?", [year])["uscc"])
    assert own <= cells
