"""省级考核: the ranking of a year (marts.mart_provincial_assessment) with the change from the
previous year, the year's coverage (marts.mart_assessment_coverage: provinces that delivered
nothing are listed as 未报送, never scored or ranked; a provisional year is marked 预评估), the
components against their weights, one province's scorecard with the figures behind each
component (marts.mart_assessment_scorecard), and the assessment export file (the XLSX of
``ipx export assessment``, for a provincial user with its own province's details only).

Every role sees the ranking of every assessed province (rank, total, grade, change); component
scores and scorecards are details: a provincial user sees those of its own province only."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import auth, charts, data, drawing, kpi_cards, provenance
from dashboards import coverage as delivered
from dashboards.assessment_tables import (
    CHANGE,
    COMPONENT_SCORES,
    RANK_CHANGE,
    RANKING_COLUMNS,
    SCORECARD_COLUMNS,
    SCORECARD_LABELS,
    assessed_years,
    export_file,
    ranking_with_change,
)
from dashboards.coverage import NOT_DELIVERED, coverage_of, provisional_years, year_label
from dashboards.kpi_cards import Kpi
from dashboards.scoped_exports import download_button
from dashboards.table_format import show_table, styled
from ipx.exports.labels import label


def _weights(pub: data.Publication, scorecard: pd.DataFrame | None) -> pd.DataFrame | None:
    weights = data.load(pub, data.WEIGHTS, "component, component_name, weight", order="component")
    if weights is None and scorecard is not None and not scorecard.empty:
        weights = scorecard[["component", "component_name", "weight"]].drop_duplicates("component")
    return None if weights is None else weights.sort_values("component").reset_index(drop=True)


def render() -> None:
    viewer = auth.require_page(auth.ASSESSMENT)
    pub = provenance.require_publication()
    st.title("省级考核")

    assessment = data.load(pub, data.ASSESSMENT)
    if assessment is None or assessment.empty:
        st.info("已发布的数据中没有省级考核结果。")
        return
    coverage_rows = data.load(pub, data.COVERAGE)
    scorecard = data.load(pub, data.SCORECARD)
    weights = _weights(pub, scorecard)

    years = assessed_years(assessment, coverage_rows)
    if not years:
        st.info("没有任何年度有省份报送数据，暂无考核结果。")
        return
    c1, c2 = st.columns([1, 3])
    provisional = provisional_years(coverage_rows)
    year = c1.selectbox("考核年度", years, index=years.index(data.default_year(pub, years)), key="as_year",
                        format_func=lambda y: year_label(y, provisional))
    coverage = coverage_of(coverage_rows, assessment, year)
    ranking = ranking_with_change(assessment, year)
    ranking = ranking[ranking["province_code"].map(coverage.is_assessed)]
    if ranking.empty:
        st.info(f"{year}年没有考核结果。")
        return
    with c2:
        st.write("")
        download_button(
            f"下载{year}年考核导出文件（XLSX）", viewer=viewer, what="assessment", year=year,
            make=lambda: export_file(data.warehouse_path(), year, scope=viewer.scope),
            file_name=f"省级考核-{year}.xlsx", key="as_download")

    # -------------------------------------------------------------- ranking
    st.subheader(f"{year}年 考核排名")
    if coverage.provisional:
        st.warning(f"{year}年为预评估：截至数据日期仍有应报数据未到报送期限，结果可能随后续报送而变化。")
    delivered.show(coverage)
    grades = data.load(pub, data.GRADES, "grade, min_total", order="min_total DESC")
    thresholds = ("；等级：" + "，".join(f"{g.grade} ≥ {g.min_total:g}" for g in grades.itertuples() if g.min_total > 0)
                  if grades is not None else "")
    st.caption(f"总分 = 各项未取整得分之和，四舍五入保留2位{thresholds}；同分同名次。"
               "“较上年”为本年与上年总分之差，“名次变化”为正表示名次上升；“—”表示上年未考核或未报送。")
    # The ranking (allowed to every role): place, total, grade and the change from the year before;
    # the component scores are in the grid below, of the provinces whose details the viewer may see.
    table = ranking[RANKING_COLUMNS].rename(columns=label)
    show_table(styled(table, {label("total_score"): "{:.2f}", CHANGE: "{:+.2f}"}), key="as_ranking")

    own = viewer.province if viewer.role == "provincial" else None
    st.subheader("本省得分与权重" if own else "各省得分与权重")
    detailed = ranking[ranking["province_code"].map(viewer.sees_details_of)]
    if weights is None:
        st.info("已发布的数据中没有考核权重。")
    elif detailed.empty:
        st.info("您的账号所属省份在该年度没有考核结果；各项得分只对本省显示。")
    else:
        scores = detailed.set_index("province_name")[[COMPONENT_SCORES[c] for c in weights["component"]]]
        scores.columns = list(weights["component"])
        codes = dict(zip(detailed["province_name"], detailed["province_code"]))
        drawing.show(charts.component_grid(scores, weights, codes=codes), key="as_components")
        st.caption("格内数字为得分，颜色为得分占该项权重的比例；列标题括号内为权重。"
                   + ("其他省份只列总分、等级与排名，各项得分只对本省显示。" if own else "未报送的省份不在图中。"))

    # -------------------------------------------------------------- scorecard
    st.subheader("单省计分卡")
    if viewer.role == "provincial" and not coverage.is_assessed(viewer.province):
        own = dict(coverage.not_delivered).get(viewer.province, viewer.province)
        st.info(f"{own}{year}年{NOT_DELIVERED}：没有任何数据项被接收，不评分、不参加排名。")
        return
    options = [c for c in ranking["province_code"] if viewer.sees_details_of(c)]
    if not options:
        st.info("您的账号所属省份在该年度没有考核结果。")
        return
    names = dict(zip(ranking["province_code"], ranking["province_name"]))
    province = st.selectbox("省份", options, key="as_province", format_func=lambda c: names.get(c, c))
    row = ranking[ranking["province_code"] == province].iloc[0]
    change, rank_change = row[CHANGE], row[RANK_CHANGE]
    kpi_cards.show([
        Kpi(label("total_score"), f"{row['total_score']:.2f}",
            **({} if pd.isna(change) else kpi_cards.change(f"{change:+.2f}" if change else "与上年持平",
                                                          lower_is_better=False, note="较上年" if change else None))),
        Kpi(label("grade"), row["grade"]),
        Kpi(label("rank"), f"第 {int(row['rank'])} 名",
            **({} if pd.isna(rank_change) else kpi_cards.change(f"{int(rank_change):+d} 名次" if rank_change
                                                               else "名次与上年持平", lower_is_better=False,
                                                               note="较上年" if rank_change else None))),
    ], key="as_kpis", columns=3)

    card = None if scorecard is None else scorecard[(scorecard["province_code"] == province)
                                                   & (scorecard["year"] == year)].sort_values("component")
    if card is None or card.empty:
        st.info(f"{names.get(province, province)}在{year}年没有计分卡明细。")
        return
    # The table takes the page's width (ten columns do not fit beside the chart); 口径 is listed under it.
    show_table(styled(card[SCORECARD_COLUMNS].rename(columns=SCORECARD_LABELS),
                      {"权重": "{:g}", "指标值": "{:,.4f}", "分子": "{:,.2f}", "分母": "{:,.2f}",
                       "基期值(2020年)": "{:,.4f}", "目标值": "{:,.4f}", "得分": "{:.2f}"}),
               key="as_scorecard")
    st.caption("F 报告报送的指标值：年度落实情况按期 0.6 + 实施方案按期备案 0.4。"
               "“—”：分子分母为空表示该项不按比率计算；基期值、目标值为空表示该项没有基期或目标。")
    left, right = st.columns([2, 3])
    with left:
        drawing.show(charts.scorecard_bars(card), key="as_scorecard_chart")
    with right:
        st.markdown("**指标口径**")
        st.markdown("\n".join(f"- **{r.component} {r.component_name}**：{r.figure_definition}"
                              for r in card.itertuples() if isinstance(r.figure_definition, str)))


render()
