"""终期评估: a plan year's evaluation (progress, or the final evaluation in the plan's last year)
for the nation and every assessed province, statuses as colours, key-industry groups, OD beside
pneumoconiosis, training against its target, the assessment record, provinces that delivered
nothing listed as 未报送, the export, and a provincial user's scope."""

from __future__ import annotations

import io
import re

import openpyxl
import pandas as pd
import pytest
from dashboard_support import (
    all_tables,
    cell_text,
    cells,
    columns,
    displayed,
    drawing,
    has_table,
    no_missing_text,
    rows,
    table,
    texts,
    tip,
)

from dashboards import evaluation_tables
from dashboards.plan_charts import STATUS_COLOURS, STATUS_ORDER

PAGE = "views/evaluation.py"


def _evaluation(mart, year: int) -> pd.DataFrame:
    return mart("SELECT * FROM marts.mart_plan_evaluation WHERE year = ? "
                "ORDER BY province_code <> '000000', province_code", [year])


def _grid(at) -> dict[tuple[str, str], tuple[str, str]]:
    """(row, column) -> (colour, text) of the status grid."""
    found = {}
    for cell, td in cells(drawing(at, "ev_status_grid")).items():
        if not td.get("data-status"):  # the province has no such key industry: a blank cell
            continue
        assert td.get("data-fill") == STATUS_COLOURS[td.get("data-status")]
        assert tip(td).startswith(cell[0])
        found[cell] = (td.get("data-fill"), "<br>".join(cell_text(td)))
    return found


def test_the_year_is_progress_until_the_last_plan_year(signed_in, mart):
    at = signed_in("nat", PAGE)
    years = list(mart("SELECT DISTINCT year FROM marts.mart_plan_evaluation ORDER BY year")["year"])
    assert at.selectbox(key="ev_year").options == [f"{y}年（进度）" for y in years]
    assert at.selectbox(key="ev_year").value == 2022
    assert "2022年 实施进度" in texts(at) and "2025年终期评估尚无数据。" in texts(at)
    assert "已报送省份 3/32" in texts(at)
    assert len(re.findall(r":gray-badge\[", texts(at))) == 29


def test_the_nation_on_top_then_the_provinces_with_statuses_as_colours(signed_in, mart):
    at = signed_in("nat", PAGE)
    published = _evaluation(mart, 2022)
    injury = table(at, "省份", "本年‰", "评估结果")
    assert list(injury["省份"]) == list(published["province_name"]) and injury["省份"].iloc[0] == "全国"
    assert list(injury["本年‰"]) == pytest.approx(list(published["injury_rate"].astype(float)))
    assert list(injury["评估结果"]) == list(published["injury_status"])
    assert list(injury["较基期变化(%)"]) == pytest.approx(list(published["injury_change_pct"].astype(float)))

    grid = _grid(at)
    for row in published.itertuples():
        colour, text = grid[(row.province_name, evaluation_tables.KEY_INDUSTRIES)]
        assert colour == STATUS_COLOURS[row.injury_status] and text.startswith(row.injury_status)
        assert f"较基期 {row.injury_change_pct:+,.2f}%" in text
        assert grid[(row.province_name, evaluation_tables.OD)][0] == STATUS_COLOURS[row.od_status]
        training_ok = row.training_coverage >= row.training_target
        training = "达标" if training_ok else "未达标"
        assert grid[(row.province_name, evaluation_tables.TRAINING)][0] == STATUS_COLOURS[training]
    groups = mart("SELECT * FROM marts.mart_plan_evaluation_groups WHERE year = 2022")
    names = dict(zip(published["province_code"], published["province_name"]))
    for g in groups.itertuples():
        assert grid[(names[g.province_code], g.industry_group)][0] == STATUS_COLOURS[g.injury_status]
    assert columns(drawing(at, "ev_status_grid"))[:6] == [
        evaluation_tables.KEY_INDUSTRIES, "危险化学品", "矿山", "建筑施工", "交通运输", "机械制造"]


def test_groups_od_training_and_the_assessment_record(signed_in, mart):
    at = signed_in("nat", PAGE)
    at.selectbox(key="ev_province").set_value("440000").run()
    shown = table(at, "重点行业", "本年‰", "评估结果")
    groups = mart("SELECT * FROM marts.mart_plan_evaluation_groups WHERE year = 2022 AND province_code = '440000'")
    assert sorted(shown["重点行业"]) == sorted(groups["industry_group"])
    by_group = dict(zip(groups["industry_group"], groups["injury_status"]))
    assert all(by_group[g] == s for g, s in zip(shown["重点行业"], shown["评估结果"]))

    published = _evaluation(mart, 2022)
    od = table(at, "职业病 本年", "尘肺病 本年")
    assert list(od["尘肺病 本年"]) == pytest.approx(list(published["pneumoconiosis_rate"].astype(float)))
    assert list(od["评估结果"]) == list(published["od_status"])
    chart = drawing(at, "ev_training_chart")
    bars = [float(r.get("data-value")) for r in chart.iter("rect") if r.get("data-name") == "培训覆盖率"]
    targets = [float(m.get("data-value")) for m in chart.iter("line") if "ipx-target" in m.get("class", "")]
    assert bars == pytest.approx(list(published["training_coverage"].astype(float)))
    assert targets == pytest.approx(list(published["training_target"].astype(float)))
    # green where the target is met, red where not
    fills = [r.get("fill") for r in chart.iter("rect") if r.get("data-name") == "培训覆盖率"]
    assert fills == [STATUS_COLOURS["达标" if c >= t else "未达标"]
                     for c, t in zip(published["training_coverage"], published["training_target"])]
    record = table(at, "平均总分", "优秀(年)")
    provinces = published[published["province_code"] != "000000"]
    assert list(record["省份"]) == list(provinces["province_name"])  # the nation has no assessment record
    assert list(record["平均总分"]) == pytest.approx(list(provinces["mean_total_score"].astype(float)))
    assert list(record["不合格(年)"]) == list(provinces["years_fail"])
    for shown_columns in (("省份", "本年‰", "评估结果"), ("职业病 本年", "尘肺病 本年"), ("平均总分", "优秀(年)")):
        assert no_missing_text(displayed(at, *shown_columns))


def test_a_provincial_user_sees_the_nation_and_its_own_province(signed_in):
    at = signed_in("gd", PAGE)
    assert not at.exception
    assert list(table(at, "省份", "本年‰", "评估结果")["省份"]) == ["全国", "广东省"]
    assert list(table(at, "职业病 本年", "尘肺病 本年")["省份"]) == ["全国", "广东省"]
    assert list(table(at, "平均总分", "优秀(年)")["省份"]) == ["广东省"]
    assert at.selectbox(key="ev_province").options == ["全国", "广东省"]
    assert rows(drawing(at, "ev_status_grid")) == ["全国", "广东省"]
    for frame in all_tables(at):
        assert not set(frame.astype(str).to_numpy().ravel()) & {"四川省", "新疆生产建设兵团"}


def test_the_final_year_is_an_evaluation_and_missing_figures_show_no_data(app_env, monkeypatch, publish_copy,
                                                                          signed_in):
    # Make 2022 the plan's final year: statuses become 达成 / 基本达成 / 未达成; one figure missing.
    monkeypatch.setenv("IPX_WAREHOUSE", str(publish_copy(
        "UPDATE marts.mart_plan_evaluation SET is_final_year = (year = 2022)",
        "UPDATE marts.mart_plan_evaluation SET injury_status = CASE province_code WHEN '440000' THEN '达成' "
        "WHEN '510000' THEN '未达成' WHEN '660000' THEN '基本达成' ELSE '达成' END WHERE year = 2022",
        "UPDATE marts.mart_plan_evaluation SET od_rate = NULL, od_change_pct = NULL, od_status = '无数据' "
        "WHERE year = 2022 AND province_code = '660000'")))
    at = signed_in("nat", PAGE)
    assert at.selectbox(key="ev_year").options == ["2021年（进度）", "2022年（终期评估）"]
    assert "2022年 终期评估结果" in texts(at)
    grid = _grid(at)
    assert grid[("广东省", evaluation_tables.KEY_INDUSTRIES)][0] == STATUS_COLOURS["达成"]
    assert grid[("新疆生产建设兵团", evaluation_tables.KEY_INDUSTRIES)][0] == STATUS_COLOURS["基本达成"]
    assert grid[("四川省", evaluation_tables.KEY_INDUSTRIES)][0] == STATUS_COLOURS["未达成"]
    assert grid[("新疆生产建设兵团", evaluation_tables.OD)] == (STATUS_COLOURS["无数据"], "无数据<br>—")
    od = displayed(at, "职业病 本年", "尘肺病 本年")
    assert od.loc[od["省份"] == "新疆生产建设兵团", "职业病 本年"].iloc[0] == "—"
    assert no_missing_text(od)
    assert "琥珀色：基本达成" in texts(at)
    assert STATUS_ORDER.index("达成") < STATUS_ORDER.index("无数据")


def test_a_province_that_delivered_nothing_is_not_evaluated(app_env, monkeypatch, publish_copy, signed_in):
    monkeypatch.setenv("IPX_WAREHOUSE", str(publish_copy(
        "UPDATE marts.mart_assessment_coverage SET is_assessed = false WHERE province_code = '510000' AND year = 2022",
        "DELETE FROM marts.mart_plan_evaluation WHERE province_code = '510000' AND year = 2022",
        "DELETE FROM marts.mart_plan_evaluation_groups WHERE province_code = '510000' AND year = 2022")))
    at = signed_in("nat", PAGE)
    assert "已报送省份 2/32" in texts(at) and ":gray-badge[四川省]" in texts(at)
    assert "四川省" not in list(table(at, "省份", "本年‰", "评估结果")["省份"])
    at = signed_in("sc", PAGE)
    assert "四川省2022年未报送：没有任何数据项被接收，不参加评估。" in [i.value for i in at.info]
    assert list(table(at, "省份", "本年‰", "评估结果")["省份"]) == ["全国"]
    assert not has_table(at, "平均总分", "优秀(年)")


def test_the_export_for_national_and_provincial_users(app_env, mart):
    pytest.importorskip("ipx.exports.evaluation")
    book = openpyxl.load_workbook(io.BytesIO(evaluation_tables.export_file(app_env, 2022)))
    provinces = list(book.worksheets[0].iter_rows(values_only=True))
    assert len(provinces) - 1 == len(_evaluation(mart, 2022))
    scoped = openpyxl.load_workbook(io.BytesIO(evaluation_tables.export_file(app_env, 2022, frozenset({"440000"}))))
    for sheet in scoped.worksheets[:2]:
        codes = {row[0] for row in list(sheet.iter_rows(values_only=True))[1:]}
        assert codes == {"000000", "440000"}, sheet.title
