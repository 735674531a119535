"""Premium-rate floating (spec 6) and plan evaluation (spec 7) as exported agree, to the last
published digit, with independent computations from the raw layer
(tests/pipeline/independent_floating.py, independent_evaluation.py); provinces that delivered
nothing are neither assessed nor evaluated (spec 5 v1.1)."""

from __future__ import annotations

import csv
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from independent_evaluation import GROUP_COLUMNS, PROVINCE_COLUMNS, Evaluation
from independent_figures import Figures, RawLayer
from independent_floating import EXPORT_COLUMNS, Floating, q

from ipx.exports.registry import run_export
from ipx.generator import generate
from ipx.pipeline import run_pipeline

SMALL_PROVINCES = {"440000", "510000", "660000"}
CYCLE = 2022
PLAN_YEARS = (2021, 2022)            # the plan years the small folder has data for
INTEGER_COLUMNS = {"cycle_end_year", "year", "risk_class", "quarters", "claims", "deaths", "severe", "od_reports",
                   "overdue_items", "grade", "years_excellent", "years_good", "years_pass", "years_fail"}


@pytest.fixture(scope="module")
def raw(small_build):
    return RawLayer.read(small_build)


@pytest.fixture(scope="module")
def figures(raw):
    return Figures(raw)


@pytest.fixture(scope="module")
def floating(raw, figures):
    return Floating(raw, figures)


@pytest.fixture(scope="module")
def evaluation(raw, figures):
    return Evaluation(raw, figures)


def _export(kind: str, build, out: Path, year: int | None) -> int:
    """``ipx export KIND --year Y --out FILE`` as the command runs it."""
    return run_export(kind, build.warehouse, out, year=year)


def _read_csv(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _same(column: str, text: str, expected) -> bool:
    if expected is None:
        return text == ""
    if text == "":
        return False
    if isinstance(expected, Decimal):
        return Decimal(text) == expected
    if column in INTEGER_COLUMNS or isinstance(expected, int):
        return int(Decimal(text)) == expected
    return text == str(expected)


def _compare(rows: list[dict], expected: list[dict], key: tuple[str, ...], columns: list[str],
             skip: set[str] = frozenset()) -> list:
    """Every difference as (key, column, exported, independent)."""
    got = {tuple(r[k] for k in key): r for r in rows}
    want = {tuple(str(e[k]) for k in key): e for e in expected}
    diffs = [(k, "<row>", "present" if k in got else "absent", "present" if k in want else "absent")
             for k in sorted(set(got) ^ set(want))]
    for k in sorted(set(got) & set(want)):
        for c in columns:
            if c not in skip and not _same(c, got[k][c], want[k][c]):
                diffs.append((k, c, got[k][c], want[k][c]))
    return diffs


# ------------------------------------------------------------------------------------ floating

@pytest.fixture(scope="module")
def floating_export(small_build, tmp_path_factory):
    out = tmp_path_factory.mktemp("floating") / f"floating-{CYCLE}.csv"
    n = _export("floating", small_build, out, CYCLE)
    header, rows = _read_csv(out)
    assert n == len(rows)
    return header, rows


def test_floating_export_every_column_against_independent_computation(floating_export, floating):
    header, rows = floating_export
    assert header == EXPORT_COLUMNS
    expected = floating.all_floating(CYCLE)
    assert {e["province_code"] for e in expected} == SMALL_PROVINCES
    diffs = _compare(rows, expected, ("province_code", "uscc"), EXPORT_COLUMNS, skip={"reasons"})
    assert not diffs, f"{len(diffs)} differences, first: {diffs[:10]}"
    assert all(r["reasons"].strip() for r in rows)
    assert {r["cycle_end_year"] for r in rows} == {str(CYCLE)}


def test_floating_covers_every_status_in_every_province(floating_export, floating):
    """The small folder gives each status and each grade something to show (spec 6)."""
    _, rows = floating_export
    for province in SMALL_PROVINCES:
        mine = [r for r in rows if r["province_code"] == province]
        assert {"下浮", "不浮动", "上浮", "新参保", "未分类"} <= {r["status"] for r in mine}, province
        assert {"-2", "-1", "0", "1", "2"} <= {r["grade"] for r in mine}, province
    unclassified = [r for r in rows if r["status"] == "未分类"]
    assert all(r[c] == "" for r in unclassified
               for c in ("grade", "base_rate_pct", "recommended_rate_pct", "projected_premium_yuan", "change_yuan"))
    assert all(r["current_premium_yuan"] != "" for r in unclassified)
    expected = floating.all_floating(CYCLE)
    moved = [e for e in expected if e["_record_grade"] is not None and e["_record_grade"] != e["grade"]]
    for figure in ("deaths", "severe", "od_reports", "overdue_items"):
        assert any(e[figure] for e in moved), figure
    assert any(e["risk_class"] == 1 and e["_record_grade"] < 0 for e in moved)


def test_floating_mart_extras_against_independent_computation(small_build, floating):
    mart = small_build.frame("SELECT * FROM marts.mart_premium_floating WHERE cycle_end_year = ?", [CYCLE])
    by_key = {(r["province_code"], r["uscc"]): r for r in mart.to_dict("records")}
    diffs = []
    for e in floating.all_floating(CYCLE):
        row = by_key[(e["province_code"], e["uscc"])]
        expected = {"effect_payroll_yuan": q(e["_effect_payroll"], 2), "record_grade": e["_record_grade"],
                    "window_start_quarter": f"{CYCLE - 2}Q1", "window_end_quarter": f"{CYCLE}Q4",
                    "last_snapshot_period": e["_last_snapshot"]}
        for column, value in expected.items():
            actual = row[column]
            if value is None:
                ok = actual is None or actual != actual
            else:
                ok = actual == value if not isinstance(value, Decimal) else Decimal(str(actual)) == value
            if not ok:
                diffs.append((e["province_code"], e["uscc"], column, actual, value))
    assert not diffs, diffs[:10]


def test_floating_summary_sums_the_employers(small_build, floating):
    summary = small_build.frame("SELECT * FROM marts.mart_premium_floating_summary WHERE cycle_end_year = ?", [CYCLE])
    expected = floating.all_floating(CYCLE)
    status_column = {"下浮": "employers_down", "不浮动": "employers_unchanged", "上浮": "employers_up",
                     "新参保": "employers_new", "未分类": "employers_unclassified"}

    def figures(members: list[dict]) -> dict:
        counts = Counter(status_column[e["status"]] for e in members)
        priced = [e for e in members if e["_projected"] is not None]
        current = sum((e["_current"] for e in priced), Decimal(0))
        projected = sum((e["_projected"] for e in priced), Decimal(0))
        return {"employers": len(members), **{c: counts.get(c, 0) for c in status_column.values()},
                "current_premium_yuan": q(current, 2), "projected_premium_yuan": q(projected, 2),
                "change_yuan": q(projected - current, 2)}

    levels = {("national", "000000", None): expected}
    for p in SMALL_PROVINCES:
        mine = [e for e in expected if e["province_code"] == p]
        levels[("province", p, None)] = mine
        for cls in {e["risk_class"] for e in mine}:
            levels[("province_class", p, cls)] = [e for e in mine if e["risk_class"] == cls]
    rows = {(r["level"], r["province_code"], None if r["risk_class"] is None or r["risk_class"] != r["risk_class"]
             else int(r["risk_class"])): r for r in summary.to_dict("records")}
    assert set(rows) == set(levels)
    diffs = [(key, c, rows[key][c], v) for key, members in levels.items() for c, v in figures(members).items()
             if Decimal(str(rows[key][c])) != Decimal(v)]
    assert not diffs, diffs[:10]


def test_floating_needs_a_snapshot_in_the_first_and_last_year_of_the_cycle(small_build, tmp_path, floating):
    for year in (2020, 2021):     # the small folder starts in 2020: no cycle ends before 2022
        assert not floating.all_floating(year)
        out = tmp_path / f"floating-{year}.csv"
        assert _export("floating", small_build, out, year) == 0


# ------------------------------------------------------------------------------------ evaluation

@pytest.mark.parametrize("year", PLAN_YEARS)
def test_evaluation_export_every_column_against_independent_computation(small_build, evaluation, tmp_path, year):
    out = tmp_path / f"evaluation-{year}.csv"
    n = _export("evaluation", small_build, out, year)
    header, rows = _read_csv(out)
    assert header == PROVINCE_COLUMNS and len(rows) == len(SMALL_PROVINCES) + 1
    diffs = _compare(rows, evaluation.province_rows(year), ("province_code",), PROVINCE_COLUMNS)
    assert not diffs, f"{len(diffs)} differences: {diffs[:10]}"

    group_header, groups = _read_csv(out.with_name(f"{out.stem}_groups{out.suffix}"))
    assert group_header == GROUP_COLUMNS
    assert n in (len(rows), len(rows) + len(groups))      # rows written: of the province table, or of both
    diffs = _compare(groups, evaluation.group_rows(year), ("province_code", "industry_group"), GROUP_COLUMNS)
    assert not diffs, f"{len(diffs)} differences: {diffs[:10]}"
    assert {g["province_code"] for g in groups} == SMALL_PROVINCES | {"000000"}
    assert sum(g["province_code"] == "000000" for g in groups) == 5     # the national key industries only


def test_evaluation_marts_count_the_provinces_of_the_national_row(small_build):
    rows = small_build.query("SELECT year, province_code, is_national, provinces_assessed FROM "
                             "marts.mart_plan_evaluation ORDER BY year, province_code")
    assert {r[0] for r in rows} == set(PLAN_YEARS)
    for _year, code, national, provinces in rows:
        assert national == (code == "000000")
        assert provinces == (len(SMALL_PROVINCES) if national else 1)


def test_evaluation_xlsx_has_the_province_and_group_sheets(small_build, tmp_path):
    out = tmp_path / "evaluation.xlsx"
    _export("evaluation", small_build, out, CYCLE)
    book = openpyxl.load_workbook(out, read_only=True)
    assert len(book.sheetnames) >= 2
    provinces, groups = (list(book.worksheets[i].iter_rows(values_only=True)) for i in (0, 1))
    assert len(provinces) == 1 + len(SMALL_PROVINCES) + 1 and len(groups) == 1 + 5 * len(SMALL_PROVINCES) + 5
    assert provinces[0][:3] == ("省份代码", "省份", "年度")


# ------------------------------------------------------------------------------------ spec 5 v1.1

def test_provinces_that_delivered_nothing_are_not_assessed_nor_evaluated(small_build, evaluation, tmp_path):
    for year in (*PLAN_YEARS, 2023):
        assessed = set(evaluation.assessed_provinces(year))
        assert assessed == (SMALL_PROVINCES if year in PLAN_YEARS else set())
        out = tmp_path / f"assessment-{year}.csv"
        run_export("assessment", small_build.warehouse, out, year=year)
        assert {r["province_code"] for r in _read_csv(out)[1]} == assessed, year
        out = tmp_path / f"evaluation-{year}.csv"
        _export("evaluation", small_build, out, year)
        evaluated = {r["province_code"] for r in _read_csv(out)[1]}
        assert evaluated == (assessed | {"000000"} if assessed else set()), year
        coverage = small_build.query("SELECT province_code FROM marts.mart_assessment_coverage "
                                     "WHERE year = ? AND is_assessed", [year])
        assert {c for (c,) in coverage} == assessed, year


# ------------------------------------------------------------------------------------ final year

@pytest.fixture(scope="module")
def final_year_build(small_build, tmp_path_factory):
    """The small provinces delivering 2020 (the baseline) and 2025 (the final evaluation) only
    (built like the session's ``small_build``)."""
    root = tmp_path_factory.mktemp("final_year")
    landing = root / "landing"
    generate(landing, scale="small", seed=7, years=[2020, 2025])
    truth = json.loads((landing / "_meta" / "ground_truth.json").read_text(encoding="utf-8"))
    summary = run_pipeline(landing, root / "wh" / "ipx.duckdb")
    return type(small_build)(landing, root / "wh" / "ipx.duckdb", truth, summary)


@pytest.mark.slow
def test_final_evaluation_and_years_without_delivery(final_year_build, tmp_path):
    """2025 is judged against the final thresholds (达成 / 基本达成 / 未达成); 2021-2024 brought no
    delivery, so no province is assessed or evaluated then and the 2025 record counts one year."""
    raw = RawLayer.read(final_year_build)
    evaluation = Evaluation(raw, Figures(raw))
    for year in (2021, 2022, 2023, 2024):
        out = tmp_path / f"evaluation-{year}.csv"
        _export("evaluation", final_year_build, out, year)
        assert _read_csv(out)[1] == [] and not evaluation.assessed_provinces(year), year
    out = tmp_path / "evaluation-2025.csv"
    _export("evaluation", final_year_build, out, 2025)
    _, rows = _read_csv(out)
    expected = evaluation.province_rows(2025)
    diffs = _compare(rows, expected, ("province_code",), PROVINCE_COLUMNS)
    assert not diffs, f"{len(diffs)} differences: {diffs[:10]}"
    _, groups = _read_csv(out.with_name(f"{out.stem}_groups{out.suffix}"))
    expected_groups = evaluation.group_rows(2025)
    diffs = _compare(groups, expected_groups, ("province_code", "industry_group"), GROUP_COLUMNS)
    assert not diffs, f"{len(diffs)} differences: {diffs[:10]}"
    statuses = {r["injury_status"] for r in expected + expected_groups}
    assert statuses == {"达成", "基本达成", "未达成"}      # every final status occurs (seed 7)
    assert all(r["years_excellent"] + r["years_good"] + r["years_pass"] + r["years_fail"] == 1
               for r in expected if r["province_code"] != "000000")
    # no cycle ends in 2025 without a 2023 snapshot
    assert _export("floating", final_year_build, tmp_path / "floating-2025.csv", 2025) == 0
