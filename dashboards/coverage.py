"""Who delivered in a plan year (spec 5 v1.1, ``marts.mart_assessment_coverage``): a province with
no accepted slice of the year is 未报送 — never scored, ranked or evaluated, shown in grey — and a
year whose deliveries were not all due at the data's as-of time is provisional (预评估)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

NOT_DELIVERED = "未报送"


@dataclass(frozen=True)
class Coverage:
    """Who delivered in one year: ``assessed`` and ``not_delivered`` are (code, name) pairs in
    province-code order; ``total`` is how many provinces report under the plan."""

    year: int
    assessed: tuple[tuple[str, str], ...]
    not_delivered: tuple[tuple[str, str], ...]
    provisional: bool = False

    @property
    def total(self) -> int:
        return len(self.assessed) + len(self.not_delivered)

    @property
    def line(self) -> str:
        return f"已报送省份 {len(self.assessed)}/{self.total}"

    def is_assessed(self, province_code: str) -> bool:
        return any(code == province_code for code, _ in self.assessed)


def coverage_of(coverage: pd.DataFrame | None, assessment: pd.DataFrame, year: int) -> Coverage:
    """Who delivered in ``year``. Without the coverage mart, the provinces the assessment holds
    count as assessed and nobody is listed as 未报送."""
    if coverage is None:
        rows = assessment[assessment["year"] == year].sort_values("province_code")
        return Coverage(year, tuple(zip(rows["province_code"], rows["province_name"])), ())
    rows = coverage[coverage["year"] == year].sort_values("province_code")
    flag = rows["is_assessed"].fillna(False).astype(bool)
    provisional = "is_provisional" in rows and bool(rows["is_provisional"].fillna(False).astype(bool).any())
    return Coverage(year, tuple(zip(rows.loc[flag, "province_code"], rows.loc[flag, "province_name"])),
                    tuple(zip(rows.loc[~flag, "province_code"], rows.loc[~flag, "province_name"])), provisional)


def provisional_years(coverage: pd.DataFrame | None) -> set[int]:
    """Years whose figures are provisional (预评估): some deliveries were not yet due at the as-of time."""
    if coverage is None or "is_provisional" not in coverage:
        return set()
    return {int(y) for y in coverage.loc[coverage["is_provisional"].fillna(False).astype(bool), "year"].unique()}


def year_label(year: int, provisional: set[int]) -> str:
    return f"{year}年（预评估）" if year in provisional else f"{year}年"


def show(coverage: Coverage, what: str = "不评分、不参加排名，也不出现在得分图中") -> None:
    """The year's coverage line and the provinces that delivered nothing, as grey badges."""
    st.markdown(f"**{coverage.line}**　未报送的省份{what}。")
    if coverage.not_delivered:
        badges = " ".join(f":gray-badge[{name}]" for _, name in coverage.not_delivered)
        st.markdown(f":gray[**{NOT_DELIVERED}（{len(coverage.not_delivered)} 个）**："
                    f"{coverage.year}年没有任何数据项被接收]  \n{badges}")
