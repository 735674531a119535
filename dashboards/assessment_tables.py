"""The assessment as the page shows it: the years in which some province was assessed (who
delivered is in ``dashboards/coverage.py``), the ranking beside the previous year's, the
scorecard's column labels, and the assessment export file (written by ``ipx.exports``, not
re-made here)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dashboards.scoped_exports import export_bytes
from ipx.exports.tables import export_assessment

COMPONENT_SCORES = {
    "A": "score_injury_rate", "B": "score_occupational_disease", "C": "score_training",
    "D": "score_rectification", "E": "score_data_sharing", "F": "score_reporting", "G": "score_prevention_fund",
}
SCORECARD_LABELS = {
    "component": "指标", "component_name": "指标名称", "weight": "权重", "score": "得分", "figure": "指标值",
    "numerator": "分子", "denominator": "分母", "baseline": "基期值(2020年)", "target": "目标值",
    "figure_definition": "口径",
}
CHANGE, PREVIOUS_RANK, RANK_CHANGE = "较上年(分)", "上年排名", "名次变化"
# What every role sees of every assessed province: its place in the ranking (spec 5), never its
# component scores (those are details, shown to a provincial user for its own province only).
RANKING_COLUMNS = ["rank", "province_name", "total_score", "grade", CHANGE, PREVIOUS_RANK, RANK_CHANGE]

SCORECARD_COLUMNS = [c for c in SCORECARD_LABELS if c != "figure_definition"]  # 口径 is listed under the table


def export_file(warehouse: Path, year: int, scope: frozenset[str] | None = None) -> bytes:
    """The assessment export of one year (``ipx export assessment --year [--province]``), from the
    published copy; ``scope`` = the provinces a provincial reader may see (None: everything)."""
    return export_bytes(export_assessment, warehouse, year, scope)


def assessed_years(assessment: pd.DataFrame, coverage: pd.DataFrame | None) -> list[int]:
    """Years of the assessment in which at least one province is assessed (from the coverage mart;
    without it, the years the assessment holds)."""
    years = {int(y) for y in assessment["year"].unique()}
    if coverage is None:
        return sorted(years)
    assessed = coverage[coverage["is_assessed"].fillna(False).astype(bool)
                        & coverage["is_assessment_year"].fillna(False).astype(bool)]
    return sorted(years & {int(y) for y in assessed["year"].unique()})


def ranking_with_change(assessment: pd.DataFrame, year: int) -> pd.DataFrame:
    """The year's rows in rank order, with the previous year's total and rank beside them."""
    current = assessment[assessment["year"] == year].sort_values(["rank", "province_code"])
    previous = assessment[assessment["year"] == year - 1][["province_code", "total_score", "rank"]]
    merged = current.merge(previous.rename(columns={"total_score": "previous_total", "rank": "previous_rank"}),
                           on="province_code", how="left")
    merged[CHANGE] = (merged["total_score"] - merged["previous_total"]).round(2)
    merged[PREVIOUS_RANK] = merged["previous_rank"].astype("Int64")
    merged[RANK_CHANGE] = (merged["previous_rank"] - merged["rank"]).astype("Int64")
    return merged
