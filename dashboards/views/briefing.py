"""领导简报: a short preview of what the briefing holds for a year and one button that makes the
PDF (``ipx.exports.briefing``, from the published copy, with the viewer's scope) and downloads
it; the download is written to the access log."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import access_log, auth, data, provenance
from dashboards.coverage import coverage_of, provisional_years, year_label
from dashboards.scoped_exports import export_bytes
from ipx.exports.briefing import KEY_ALL, WATCHLIST_ROWS, export_briefing

PDF_MIME = "application/pdf"


def _signed_pct(value) -> str:
    v = float(value)
    return f"{'+' if v > 0 else '−' if v < 0 else '±'}{abs(v):.2f}%"


def render() -> None:
    viewer = auth.require_page(auth.BRIEFING)
    pub = provenance.require_publication()
    st.title("领导简报")
    st.caption("一键生成供领导阅读的 PDF 简报（A4，中文，2–3 页）：谁落后于目标路径、差距多大、较上年变化，"
               "以及考核排名和重点关注单位。")

    coverage_rows = data.load(pub, data.COVERAGE)
    if coverage_rows is None or not coverage_rows["is_assessed"].fillna(False).astype(bool).any():
        st.info("还没有任何省份报送数据，暂无可生成的简报。")
        return
    years = sorted({int(y) for y in coverage_rows.loc[coverage_rows["is_assessed"].fillna(False).astype(bool), "year"]},
                   reverse=True)
    provisional = provisional_years(coverage_rows)
    c1, _ = st.columns([1, 3])
    year = c1.selectbox("年度", years, index=0, key="br_year", format_func=lambda y: year_label(y, provisional))
    coverage = coverage_of(coverage_rows, None, year)
    label = year_label(year, provisional)

    rows = data.query(pub, "SELECT province_name, is_national, injury_rate_per_1000, target_injury_rate_per_1000, "
                           "injury_rate_gap_pct, target_status FROM marts.mart_hotspots "
                           "WHERE industry_group = ? AND year = ? ORDER BY injury_rate_gap_pct DESC, province_code",
                      (KEY_ALL, year))
    national = rows[rows["is_national"]] if rows is not None else None
    lagging = rows[(~rows["is_national"]) & (rows["target_status"] == "behind")] if rows is not None else None
    ranked = data.query(pub, "SELECT count(*) AS n FROM marts.mart_provincial_assessment WHERE year = ?", (year,))

    st.subheader(f"简报内容预览（{label}）")
    if coverage.provisional:
        st.warning(f"{year}年为预评估：截至数据日期仍有应报数据未到报送期限，简报中的结果均标注“预评估”。")
    lines = [f"**抬头**：标题、年度（{label}）、数据截至时间、**{coverage.line}**"
             + (f"，未报送的 {len(coverage.not_delivered)} 个省份逐一列出" if coverage.not_delivered else "")]
    if national is not None and not national.empty and pd.notna(national.iloc[0]["injury_rate_per_1000"]):
        n = national.iloc[0]
        status = "劣于目标" if n["target_status"] == "behind" else "优于或达到目标"
        lines.append(f"**全国重点行业工伤事故发生率** {float(n['injury_rate_per_1000']):.4f}‰，目标路径 "
                     f"{float(n['target_injury_rate_per_1000']):.4f}‰，{status}（{_signed_pct(n['injury_rate_gap_pct'])}）；"
                     "全国为已报送省份之和")
    lines.append("**地图**：各省与目标路径的差距（蓝：优于目标，红：劣于目标，灰：未报送 / 无数据）")
    if lagging is not None and not lagging.empty:
        names = "、".join(f"{r.province_name}（{_signed_pct(r.injury_rate_gap_pct)}）" for r in lagging.itertuples())
        lines.append(f"**落后于目标路径的省份 {len(lagging)} 个**：{names}，附发生率、目标、差距与较上年变化")
    else:
        lines.append("**落后于目标路径的省份**：无")
    count = int(ranked.iloc[0]["n"]) if ranked is not None and not ranked.empty else 0
    lines.append(f"**省级考核排名**：{count} 个省份的总分、等级与名次")
    lines.append(f"**重点关注单位前{WATCHLIST_ROWS}**：" + ("全国，按优先序" if viewer.scope is None
                                                         else "仅本省单位，按优先序"))
    st.markdown("\n".join(f"- {line}" for line in lines))
    if viewer.role == "provincial":
        st.caption("省级用户的简报含全国汇总、地图与排名；重点关注单位只含本省。")

    warehouse = data.warehouse_path()
    suffix = f"-{viewer.province}" if viewer.role == "provincial" else ""
    st.download_button(
        "生成并下载领导简报（PDF）",
        data=lambda: access_log.download(
            warehouse, viewer, "briefing",
            lambda: export_bytes(export_briefing, warehouse, year, scope=viewer.scope, suffix=".pdf"),
            year=year, provinces=viewer.scope),
        file_name=f"工伤预防工作领导简报-{year}{suffix}.pdf", mime=PDF_MIME, key="br_download",
        on_click="ignore", type="primary", icon=":material/picture_as_pdf:")


render()
