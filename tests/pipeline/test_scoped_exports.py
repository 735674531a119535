"""A provincial reader's export (``ipx export --province``, the dashboard's downloads for a
provincial user) holds national rows and the ranking, and of the provinces only its own details."""

from __future__ import annotations

import csv

import openpyxl
import pytest

from ipx.exports.evaluation import groups_path
from ipx.exports.registry import EXPORTS, run_export

OWN, OTHERS = "510000", {"440000", "660000"}
SCOPE = frozenset({OWN})


def _csv(path):
    with path.open(encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("kind", ["hotspots", "watchlist", "feed-health", "reconciliation", "floating", "evaluation"])
def test_scoped_csv_holds_only_the_own_province_and_the_nation(small_build, tmp_path, kind):
    whole, scoped = tmp_path / f"{kind}-all.csv", tmp_path / f"{kind}-{OWN}.csv"
    run_export(kind, small_build.warehouse, whole)
    run_export(kind, small_build.warehouse, scoped, scope=SCOPE)
    everyone = {r["province_code"] for r in _csv(whole)}
    assert OTHERS & everyone, "the unscoped file has other provinces (the check is not vacuous)"
    mine = _csv(scoped)
    assert mine and {r["province_code"] for r in mine} <= {OWN, "000000"}
    assert [r for r in _csv(whole) if r["province_code"] in {OWN, "000000"}] == mine
    if kind == "evaluation":
        groups = _csv(groups_path(scoped))
        assert groups and {r["province_code"] for r in groups} <= {OWN, "000000"}


def test_scoped_rejects_hold_only_the_own_provinces_files(small_build, tmp_path):
    whole, scoped = tmp_path / "rejects-all.csv", tmp_path / "rejects-own.csv"
    run_export("rejects", small_build.warehouse, whole)
    run_export("rejects", small_build.warehouse, scoped, scope=SCOPE)
    assert {r["file"][:6] for r in _csv(whole)} >= OTHERS
    mine = _csv(scoped)
    assert mine and {r["file"][:6] for r in mine} == {OWN}


def test_scoped_assessment_keeps_the_ranking_but_not_other_provinces_figures(small_build, tmp_path):
    out = tmp_path / "assessment.xlsx"
    run_export("assessment", small_build.warehouse, out, year=2022, scope=SCOPE)
    book = openpyxl.load_workbook(out, read_only=True)
    rows = list(book["省级考核"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert {r[0] for r in body} == {OWN} | OTHERS  # the whole ranking
    kept = {"省份代码", "省份", "年度", "总分", "等级", "排名"}
    for row in body:
        cells = dict(zip(header, row))
        if row[0] == OWN:
            assert cells["重点行业工伤事故发生率(‰)"] is not None and cells["A 事故发生率得分"] is not None
        else:
            assert all(v is None for k, v in cells.items() if k not in kept), row
            assert cells["总分"] is not None and cells["排名"] is not None
    snapshot = list(book["数据快照"].iter_rows(values_only=True))
    code_at = snapshot[0].index("省份代码")
    assert len(snapshot) > 10 and {r[code_at] for r in snapshot[1:]} == {OWN}


def test_every_export_kind_takes_a_scope():
    assert set(EXPORTS) == {"rejects", "assessment", "hotspots", "watchlist", "feed-health", "reconciliation",
                            "floating", "evaluation", "briefing"}
