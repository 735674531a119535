"""省级考核: the ranking of a year (marts.mart_provincial_assessment) with the change from the
previous year, every province's components against their weights, one province's scorecard
with the figures behind each component (marts.mart_assessment_scorecard), and the assessment
export file (the XLSX of ``ipx export assessment``)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import auth, charts, data, provenance
from dashboards.assessment_tables import (CHANGE, COMPONENT_SCORES, PREVIOUS_RANK, RANK_CHANGE, SCORECARD_LABELS,
                                          export_file, ranking_with_change)
from ipx.exports.labels import label

def _weights(pub: data.Publication, scorecard: pd.DataFrame | None) -> pd.DataFrame | None:
    weights = data.load(pub, data.WEIGHTS, "component, component_name, weight", order="component")
    if weights is None and scorecard is not None and not scorecard.empty:
        weights = scorecard[["component", "component_name", "weight"]].drop_duplicates("component")
    return None if weights is None else weights.sort_values("component").reset_index(drop=True)


def _default_year(pub: data.Publication, years: list[int]) -> int:
    """The latest year that ended before the data's as-of date (a year in progress is incomplete)."""
    as_of = data.load(pub, data.AS_OF)
    if as_of is not None and not as_of.empty and pd.notna(as_of.iloc[0]["as_of_date"]):
        as_of_year = pd.Timestamp(as_of.iloc[0]["as_of_date"]).year
        for candidates in ([y for y in years if y < as_of_year], [y for y in years if y <= as_of_year]):
            if candidates:
                return max(candidates)
    return max(years)


def render() -> None:
    viewer = auth.require_page(auth.ASSESSMENT)
    pub = provenance.require_publication()
    st.title("省级考核")

    assessment = data.load(pub, data.ASSESSMENT)
    if assessment is None or assessment.empty:
        st.info("已发布的数据中没有省级考核结果（mart_provincial_assessment）。")
        return
    scorecard = data.load(pub, data.SCORECARD)
    weights = _weights(pub, scorecard)

    years = sorted(int(y) for y in assessment["year"].unique())
    c1, c2 = st.columns([1, 3])
    year = c1.selectbox("考核年度", years, index=years.index(_default_year(pub, years)), key="as_year",
                        format_func=lambda y: f"{y}年")
    ranking = ranking_with_change(assessment, year)
    if ranking.empty:
        st.info(f"{year}年没有考核结果。")
        return
    with c2:
        st.write("")
        st.download_button(
            f"下载{year}年考核导出文件（XLSX）", data=lambda: export_file(data.warehouse_path(), year),
            file_name=f"省级考核-{year}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="as_download",
            on_click="ignore", icon=":material/download:")

    # -------------------------------------------------------------- ranking
    st.subheader(f"{year}年 考核排名")
    grades = data.load(pub, data.GRADES, "grade, min_total", order="min_total DESC")
    thresholds = ("；等级：" + "，".join(f"{g.grade} ≥ {g.min_total:g}" for g in grades.itertuples() if g.min_total > 0)
                  if grades is not None else "")
    st.caption(f"总分 = 各项未取整得分之和，四舍五入保留2位{thresholds}；同分同名次。"
               "“较上年”为本年与上年总分之差，“名次变化”为正表示名次上升。")
    score_columns = list(COMPONENT_SCORES.values())
    table = ranking[["rank", "province_name", "total_score", "grade", CHANGE, PREVIOUS_RANK, RANK_CHANGE]
                    + score_columns].rename(columns=label)
    st.dataframe(table, hide_index=True, key="as_ranking",
                 column_config={label("total_score"): st.column_config.NumberColumn(format="%.2f"),
                                CHANGE: st.column_config.NumberColumn(format="%+.2f")})

    st.subheader("各省得分与权重")
    if weights is None:
        st.info("已发布的数据中没有考核权重（reference.assessment_weights）。")
    else:
        scores = ranking.set_index("province_name")[[COMPONENT_SCORES[c] for c in weights["component"]]]
        scores.columns = list(weights["component"])
        st.plotly_chart(charts.component_grid(scores, weights), key="as_components", config=charts.CHART_CONFIG)
        st.caption("格内数字为得分，颜色为得分占该项权重的比例；列标题括号内为权重。")

    # -------------------------------------------------------------- scorecard
    st.subheader("单省计分卡")
    options = [c for c in ranking["province_code"] if viewer.sees_details_of(c)]
    if not options:
        st.info("您的账号所属省份在该年度没有考核结果。")
        return
    names = dict(zip(ranking["province_code"], ranking["province_name"]))
    province = st.selectbox("省份", options, key="as_province", format_func=lambda c: names.get(c, c))
    row = ranking[ranking["province_code"] == province].iloc[0]
    m1, m2, m3 = st.columns(3)
    change, rank_change = row[CHANGE], row[RANK_CHANGE]
    m1.metric(label("total_score"), f"{row['total_score']:.2f}",
              delta=None if pd.isna(change) else f"{change:+.2f} 较上年", delta_color="normal" if change else "off")
    m2.metric(label("grade"), row["grade"])
    m3.metric(label("rank"), f"第 {int(row['rank'])} 名",
              delta=None if pd.isna(rank_change) else (f"{int(rank_change):+d} 名次较上年" if rank_change
                                                       else "名次与上年持平"),
              delta_color="normal" if not pd.isna(rank_change) and rank_change else "off")

    card = None if scorecard is None else scorecard[(scorecard["province_code"] == province)
                                                   & (scorecard["year"] == year)].sort_values("component")
    if card is None or card.empty:
        st.info(f"{names.get(province, province)}在{year}年没有计分卡明细（mart_assessment_scorecard）。")
        return
    left, right = st.columns([3, 2])
    with left:
        st.dataframe(card[list(SCORECARD_LABELS)].rename(columns=SCORECARD_LABELS), hide_index=True,
                     key="as_scorecard",
                     column_config={"指标值": st.column_config.NumberColumn(format="%.4f"),
                                    "分子": st.column_config.NumberColumn(format="%.2f"),
                                    "分母": st.column_config.NumberColumn(format="%.2f"),
                                    "基期值(2020年)": st.column_config.NumberColumn(format="%.4f"),
                                    "目标值": st.column_config.NumberColumn(format="%.4f"),
                                    "得分": st.column_config.NumberColumn(format="%.2f")})
    with right:
        st.plotly_chart(charts.scorecard_bars(card), key="as_scorecard_chart", config=charts.CHART_CONFIG)
    st.caption("F 报告报送的指标值：年度落实情况按期 0.6 + 实施方案按期备案 0.4。分子分母为空表示该项不按比率计算。")


render()
