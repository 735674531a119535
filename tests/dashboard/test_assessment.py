"""省级考核: the ranking and its change from the previous year, components against weights, one
province's scorecard with the figures behind each component, and the assessment export."""

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
    metrics,
    no_missing_text,
    rows,
    table,
    texts,
    tip,
)

from dashboards import charts
from dashboards.assessment_tables import export_file
from ipx.exports.tables import ASSESSMENT_COLUMNS

PAGE = "views/assessment.py"


def _ranking(at) -> pd.DataFrame:
    return table(at, "排名", "总分", "较上年(分)")


def test_ranking_of_the_default_year_with_the_change_from_the_year_before(signed_in, mart):
    at = signed_in("nat", PAGE)
    as_of_year = int(mart("SELECT year(as_of_date) AS y FROM marts.mart_data_as_of")["y"][0])
    years = list(mart("SELECT DISTINCT year FROM marts.mart_provincial_assessment ORDER BY year")["year"])
    year = max(y for y in years if y < as_of_year)  # the last year that has ended
    assert at.selectbox(key="as_year").value == year

    published = mart("SELECT a.province_name, a.rank, a.total_score, a.grade, a.score_injury_rate, "
                     "a.score_prevention_fund, p.total_score AS prev_total, p.rank AS prev_rank "
                     "FROM marts.mart_provincial_assessment a LEFT JOIN marts.mart_provincial_assessment p "
                     "ON p.province_code = a.province_code AND p.year = a.year - 1 "
                     "WHERE a.year = ? ORDER BY a.rank, a.province_code", [year])
    shown = _ranking(at)
    assert list(shown["省份"]) == list(published["province_name"])
    assert list(shown["排名"]) == list(published["rank"])
    assert list(shown["总分"]) == pytest.approx(list(published["total_score"]))
    assert list(shown["等级"]) == list(published["grade"])
    # the ranking holds the place of each province; component scores are in the grid below it
    assert list(shown.columns) == ["排名", "省份", "总分", "等级", "较上年(分)", "上年排名", "名次变化"]
    change = (published["total_score"] - published["prev_total"]).round(2)
    assert list(shown["较上年(分)"].astype(float)) == pytest.approx(list(change), nan_ok=True)
    assert list(shown["上年排名"].astype(float)) == pytest.approx(list(published["prev_rank"]), nan_ok=True)


def test_choosing_a_year_changes_the_ranking(signed_in, mart):
    at = signed_in("nat", PAGE)
    at.selectbox(key="as_year").set_value(2021).run()
    published = mart("SELECT province_name, total_score FROM marts.mart_provincial_assessment "
                     "WHERE year = 2021 ORDER BY rank, province_code")
    shown = _ranking(at)
    assert list(shown["省份"]) == list(published["province_name"])
    assert list(shown["总分"]) == pytest.approx(list(published["total_score"]))
    assert shown["较上年(分)"].isna().all()  # 2020 is the baseline: no assessment before 2021


def test_components_against_their_weights(signed_in, mart):
    at = signed_in("nat", PAGE)
    at.selectbox(key="as_year").set_value(2022).run()
    grid = drawing(at, "as_components")
    weights = mart("SELECT component, component_name, weight FROM reference.assessment_weights ORDER BY component")
    labels = [f"{r.component} {r.component_name}（{r.weight:g}）" for r in weights.itertuples()]
    assert columns(grid) == labels
    published = mart("SELECT * FROM marts.mart_provincial_assessment WHERE year = 2022 "
                     "ORDER BY rank, province_code")
    assert rows(grid) == list(published["province_name"])
    scores = ["score_injury_rate", "score_occupational_disease", "score_training", "score_rectification",
              "score_data_sharing", "score_reporting", "score_prevention_fund"]
    shown = cells(grid)
    for row in published.itertuples():
        for label, c, w in zip(labels, scores, weights["weight"]):
            td = shown[(row.province_name, label)]
            assert float(td.get("data-value")) == pytest.approx(getattr(row, c))
            assert cell_text(td) == [f"{getattr(row, c):,.2f}"]
            # coloured by score / weight: red at 0, green at the full weight
            assert td.get("data-fill") == charts.score_colour(getattr(row, c) / w)
            assert td.get("data-code") == row.province_code and row.province_name in tip(td)
    fills = {td.get("data-fill") for td in shown.values()}
    assert len(fills) > 2


@pytest.mark.parametrize("province", ["440000", "660000"])
def test_scorecard_shows_the_figures_behind_each_component(signed_in, mart, province):
    at = signed_in("nat", PAGE)
    at.selectbox(key="as_year").set_value(2022)
    at.selectbox(key="as_province").set_value(province)
    at.run()
    assert not at.exception
    card = table(at, "指标", "分子", "分母")
    published = mart("SELECT * FROM marts.mart_assessment_scorecard WHERE province_code = ? AND year = 2022 "
                     "ORDER BY component", [province])
    assert list(card["指标"]) == list("ABCDEFG") == list(published["component"])
    for shown, column in (("权重", "weight"), ("得分", "score"), ("指标值", "figure"), ("分子", "numerator"),
                          ("分母", "denominator"), ("基期值(2020年)", "baseline"), ("目标值", "target")):
        assert list(card[shown].astype(float)) == pytest.approx(list(published[column].astype(float)), nan_ok=True)
    definitions = texts(at)  # 口径 is listed under the table, one line per component
    for component, name, definition in zip(published["component"], published["component_name"],
                                           published["figure_definition"]):
        assert f"**{component} {name}**：{definition}" in definitions
    row = mart("SELECT * FROM marts.mart_provincial_assessment WHERE province_code = ? AND year = 2022",
               [province]).iloc[0]
    shown = metrics(at)
    assert shown["总分"] == f"{row['total_score']:.2f}"
    assert shown["等级"] == row["grade"]
    assert shown["排名"] == f"第 {int(row['rank'])} 名"
    bars = {}
    for rect in drawing(at, "as_scorecard_chart").iter("rect"):
        if rect.get("data-name"):
            bars.setdefault(rect.get("data-name"), []).append(float(rect.get("data-value")))
    assert bars["得分"] == pytest.approx(list(published["score"].astype(float)))
    assert bars["权重（满分）"] == pytest.approx(list(published["weight"]))


def test_a_provincial_user_gets_the_ranking_but_only_its_own_scorecard(signed_in, mart):
    at = signed_in("gd", PAGE)
    box = at.selectbox(key="as_province")
    assert box.options == ["广东省"] and box.value == "440000"
    assert len(_ranking(at)) == len(mart("SELECT * FROM marts.mart_provincial_assessment WHERE year = ?",
                                         [at.selectbox(key="as_year").value]))
    card = table(at, "指标", "分子", "分母")
    sichuan = mart("SELECT numerator FROM marts.mart_assessment_scorecard WHERE province_code = '510000' "
                   "AND year = ? ORDER BY component", [at.selectbox(key="as_year").value])
    guangdong = mart("SELECT numerator FROM marts.mart_assessment_scorecard WHERE province_code = '440000' "
                     "AND year = ? ORDER BY component", [at.selectbox(key="as_year").value])
    assert list(card["分子"].astype(float)) == pytest.approx(list(guangdong["numerator"]), nan_ok=True)
    assert list(guangdong["numerator"].fillna(-1)) != list(sichuan["numerator"].fillna(-1))
    with pytest.raises(ValueError, match="四川省"):  # not among the options
        box.set_value("510000").run()


def test_a_provincial_user_sees_every_province_s_place_but_only_its_own_component_scores(signed_in, mart):
    at = signed_in("sc", PAGE)
    year = at.selectbox(key="as_year").value
    published = mart("SELECT province_name, score_injury_rate FROM marts.mart_provincial_assessment "
                     "WHERE year = ? ORDER BY rank, province_code", [year])
    ranking = _ranking(at)
    assert sorted(ranking["省份"]) == sorted(published["province_name"]) and len(ranking) > 1
    assert not any(c.endswith("得分") for c in ranking.columns)
    grid = drawing(at, "as_components")
    assert rows(grid) == ["四川省"]
    own = published[published["province_name"] == "四川省"]["score_injury_rate"]
    assert cell_text(cells(grid)[("四川省", columns(grid)[0])]) == [f"{float(own.iloc[0]):,.2f}"]
    assert "本省得分与权重" in texts(at)
    for frame in all_tables(at):  # no table shows another province's components or scorecard
        if "省份" in frame and "指标" in frame:
            assert set(frame["省份"]) <= {"四川省"}
    at = signed_in("nat", PAGE)
    assert len(rows(drawing(at, "as_components"))) == len(published)


def test_export_file_is_the_published_assessment_of_the_year(app_env, mart):
    book = openpyxl.load_workbook(io.BytesIO(export_file(app_env, 2022)))
    assert book.sheetnames == ["省级考核", "指标定义与权重", "数据快照", "说明"]
    rows = list(book["省级考核"].iter_rows(values_only=True))
    published = mart(f"SELECT {', '.join(ASSESSMENT_COLUMNS)} FROM marts.mart_provincial_assessment "
                     "WHERE year = 2022 ORDER BY rank, province_code")
    assert len(rows) - 1 == len(published)
    assert [r[0] for r in rows[1:]] == list(published["province_code"])
    assert [r[ASSESSMENT_COLUMNS.index("total_score")] for r in rows[1:]] == pytest.approx(
        list(published["total_score"].astype(float)))


def test_the_page_offers_the_export_for_the_chosen_year(signed_in, mart):
    at = signed_in("nat", PAGE)
    at.selectbox(key="as_year").set_value(2021).run()
    assert at.download_button(key="as_download").label == "下载2021年考核导出文件（XLSX）"
    assert "2021年 考核排名" in texts(at)
    grades = mart("SELECT grade, min_total FROM reference.assessment_grades WHERE min_total > 0 "
                  "ORDER BY min_total DESC")
    assert "；等级：" + "，".join(f"{g} ≥ {m:g}" for g, m in zip(grades["grade"], grades["min_total"])) in texts(at)


# ------------------------------------------------------------------ spec 5 v1.1: no score without data


def _not_delivered_badges(at) -> list[str]:
    """Province names shown as grey 未报送 badges."""
    return re.findall(r":gray-badge\[([^\]]+)\]", texts(at))


def test_only_provinces_that_delivered_are_scored_the_others_are_listed_as_not_delivered(signed_in, mart):
    at = signed_in("nat", PAGE)
    coverage = mart("SELECT year, province_name, is_assessed, is_assessment_year FROM marts.mart_assessment_coverage")
    offered = sorted(coverage[coverage["is_assessed"] & coverage["is_assessment_year"]]["year"].unique())
    assert at.selectbox(key="as_year").options == [f"{y}年" for y in offered] == ["2021年", "2022年"]
    for year in offered:
        at.selectbox(key="as_year").set_value(year).run()
        assert not at.exception
        of_year = coverage[coverage["year"] == year]
        assessed = of_year[of_year["is_assessed"]]
        assert len(assessed) == 3 and len(of_year) == 32  # the small build: 3 deliver, 29 do not
        assert "已报送省份 3/32" in texts(at)
        assert sorted(_not_delivered_badges(at)) == sorted(of_year[~of_year["is_assessed"]]["province_name"])
        assert "未报送（29 个）" in texts(at)
        shown = _ranking(at)
        assert sorted(shown["省份"]) == sorted(assessed["province_name"])
        assert sorted(rows(drawing(at, "as_components"))) == sorted(assessed["province_name"])
        assert sorted(at.selectbox(key="as_province").options) == sorted(assessed["province_name"])


def test_a_province_that_delivered_nothing_gets_no_score_rank_or_scorecard(app_env, monkeypatch, publish_copy,
                                                                           signed_in):
    # 四川 delivered nothing in 2022 (the pipeline then leaves it out of the assessment and re-ranks);
    # in 2021 nobody is marked as having delivered, though a stale assessment row remains: not offered.
    monkeypatch.setenv("IPX_WAREHOUSE", str(publish_copy(
        "UPDATE marts.mart_assessment_coverage SET is_assessed = false, accepted_slices = 0, accepted_feeds = 0 "
        "WHERE (province_code = '510000' AND year = 2022) OR year = 2021",
        "DELETE FROM marts.mart_provincial_assessment WHERE province_code = '510000' AND year = 2022",
        "DELETE FROM marts.mart_assessment_scorecard WHERE province_code = '510000' AND year = 2022")))
    at = signed_in("nat", PAGE)
    assert at.selectbox(key="as_year").options == ["2022年"]
    assert "已报送省份 2/32" in texts(at)
    assert "四川省" in _not_delivered_badges(at) and len(_not_delivered_badges(at)) == 30
    assert "四川省" not in list(_ranking(at)["省份"]) and len(_ranking(at)) == 2
    assert "四川省" not in rows(drawing(at, "as_components"))

    at = signed_in("sc", PAGE)
    assert not at.exception
    assert "四川省2022年未报送：没有任何数据项被接收，不评分、不参加排名。" in [i.value for i in at.info]
    assert not has_table(at, "指标", "分子", "分母")
    assert not [s for s in at.selectbox if s.key == "as_province"]
    assert "四川省" not in list(_ranking(at)["省份"])


def test_missing_cells_show_a_dash_not_none(signed_in):
    at = signed_in("nat", PAGE)
    at.selectbox(key="as_year").set_value(2021).run()  # no previous year: every change is missing
    ranking = displayed(at, "排名", "较上年(分)")
    assert no_missing_text(ranking)
    assert set(ranking["较上年(分)"]) == set(ranking["上年排名"]) == {"—"}
    assert all(re.fullmatch(r"\d+\.\d\d", v) for v in ranking["总分"])
    assert "“—”表示上年未考核或未报送" in texts(at)
    at.selectbox(key="as_year").set_value(2022).run()
    ranking = displayed(at, "排名", "较上年(分)")
    assert all(re.fullmatch(r"[+-]\d+\.\d\d", v) for v in ranking["较上年(分)"])
    assert no_missing_text(displayed(at, "指标", "分子"))
