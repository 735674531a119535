"""The published marts agree, to the last published digit, with an independent computation from
the raw layer (tests/pipeline/independent_figures.py), and the exports agree with the marts."""

import csv
import re
from decimal import Decimal

import openpyxl
import pytest
from independent_figures import Figures, RawLayer, half_up

from ipx import reference
from ipx.exports.registry import run_export

PROVINCE, YEAR = "440000", 2022


@pytest.fixture(scope="module")
def figures(small_build):
    return Figures(RawLayer.read(small_build))


def _mart_row(build, table, where, params):
    frame = build.frame(f"SELECT * FROM marts.{table} WHERE {where}", params)
    assert len(frame) == 1, (table, params)
    return frame.iloc[0].to_dict()


def _same(actual, expected):
    if expected is None:
        return actual is None or actual != actual  # None or NaN
    return Decimal(str(actual)) == expected


@pytest.mark.parametrize("province", ["440000", "510000", "660000"])
def test_assessment_every_column_against_independent_computation(small_build, figures, province):
    row = _mart_row(small_build, "mart_provincial_assessment", "province_code = ? AND year = ?", [province, YEAR])
    expected = figures.assessment(province, YEAR)
    mismatches = {k: (row[k], v) for k, v in expected.items() if not _same(row[k], v)}
    assert not mismatches
    assert row["province_name"] == reference.provinces()[province]


def test_assessment_grade_and_rank_follow_the_published_totals(small_build, figures):
    totals = {p: figures.assessment(p, YEAR)["total_score"] for p in reference.provinces()
              if figures.assessed(p, YEAR)}
    rows = small_build.query("SELECT province_code, total_score, grade, rank FROM marts.mart_provincial_assessment "
                             "WHERE year = ?", [YEAR])
    assert len(rows) == len(totals) == 3  # the small folder's three provinces; 29 delivered nothing
    for province, total, grade, rank in rows:
        assert total == totals[province]
        assert rank == 1 + sum(t > totals[province] for t in totals.values())
        assert grade == ("优秀" if total >= 90 else "良好" if total >= 75 else "合格" if total >= 60 else "不合格")


@pytest.mark.parametrize("group", ["key_all", "all", "hazchem", "construction", "mining"])
def test_hotspots_every_column_against_independent_computation(small_build, figures, group):
    row = _mart_row(small_build, "mart_hotspots", "province_code = ? AND year = ? AND industry_group = ?",
                    [PROVINCE, YEAR, group])
    workers = figures.insured_workers(PROVINCE, YEAR, group)
    accidents, deaths = figures.accident_counts(PROVINCE, YEAR, group)
    baseline = figures.injury_rate(PROVINCE, 2020, group)
    expected = {
        "insured_workers": half_up(workers, 2),
        "injuries": figures.injuries(PROVINCE, YEAR, group),
        "injury_rate_per_1000": half_up(figures.injury_rate(PROVINCE, YEAR, group), 4),
        "baseline_injury_rate_per_1000": half_up(baseline, 4),
        "target_injury_rate_per_1000": half_up(None if baseline is None else baseline * (1 - 0.04 * 2), 4),
        "fatalities": figures.injuries(PROVINCE, YEAR, group, fatal=True),
        "accidents": accidents,
        "accident_deaths": deaths,
        "od_cases": figures.od_cases(PROVINCE, YEAR, group),
        "od_rate_per_100k": half_up(None if not workers else figures.od_cases(PROVINCE, YEAR, group) * 1e5 / workers, 4),
        "exceedances": figures.exceedances(PROVINCE, YEAR, group),
    }
    mismatches = {k: (row[k], v) for k, v in expected.items()
                  if not (row[k] == v if isinstance(v, int) else _same(row[k], v))}
    assert not mismatches
    assert expected["injuries"] > 0 or group == "mining"  # the comparison is not vacuous


def test_assessment_export_has_one_row_per_assessed_province_and_totals_from_components(small_build, figures,
                                                                                        tmp_path):
    for year in range(2021, 2026):
        assessed = {p for p in reference.provinces() if figures.assessed(p, year)}
        out = tmp_path / f"assessment-{year}.csv"
        assert run_export("assessment", small_build.warehouse, out, year=year) == len(assessed)
        with out.open(encoding="utf-8-sig") as fh:
            header = next(csv.reader(fh))
        with out.open(encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
        # spec 5 (v1.1): a province with no accepted slice of the year is not in the export at all
        assert {r["province_code"] for r in rows} == assessed
        assert [r["year"] for r in rows] == [str(year)] * len(assessed)
        assert assessed == ({"440000", "510000", "660000"} if year <= 2022 else set())
        assert header == [
            "province_code", "province_name", "year", "injury_rate_per_1000", "baseline_injury_rate_per_1000",
            "target_injury_rate_per_1000", "od_rate_per_100k", "baseline_od_rate_per_100k", "training_coverage",
            "rectified_on_time_share", "on_time_clean_share", "fund_execution_rate", "score_injury_rate",
            "score_occupational_disease", "score_training", "score_rectification", "score_data_sharing",
            "score_reporting", "score_prevention_fund", "total_score", "grade", "rank"]
        for r in rows:
            parts = sum(Decimal(r[c]) for c in r if c.startswith("score_"))
            # the total is the unrounded components' sum, rounded: within 7 half-cents of the parts
            assert abs(Decimal(r["total_score"]) - parts) <= Decimal("0.035"), r


def test_assessment_xlsx_has_chinese_headers_definitions_and_snapshot(small_build, tmp_path):
    out = tmp_path / "assessment.xlsx"
    run_export("assessment", small_build.warehouse, out, year=YEAR)
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames == ["省级考核", "指标定义与权重", "数据快照", "说明"]
    header = next(book["省级考核"].iter_rows(values_only=True))
    assert header[:3] == ("省份代码", "省份", "年度") and "总分" in header and "排名" in header
    weights = list(book["指标定义与权重"].iter_rows(values_only=True))[1:8]
    assert [(r[0], r[2]) for r in weights] == [("A", 30), ("B", 10), ("C", 20), ("D", 15), ("E", 10), ("F", 5), ("G", 10)]
    # the method is explained in Chinese words, and nothing names an internal table or path
    assert all(re.search(r"[\u4e00-\u9fff]", r[3]) and not re.search(r"clamp|share|coverage", r[3]) for r in weights)
    cells = [str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row if v]
    assert not [c for c in cells if re.search(r"marts\.|reference\.|shared/|\.sql|\.md\b", c)]
    snapshot = list(book["数据快照"].iter_rows(values_only=True))
    assert len(snapshot) > 100 and "现行序号" in snapshot[0]


def test_csv_exports_neutralise_formulas(small_build, tmp_path):
    out = tmp_path / "watchlist.csv"
    n = run_export("watchlist", small_build.warehouse, out)
    text = out.read_text(encoding="utf-8-sig")
    assert n > 0 and "\n=" not in text and ",=" not in text
