"""超标与隐患整改: the employers of marts.mart_watchlist, worst first, with why each is listed;
filters by province, key industry, hazard factor and overdue; the filtered rows as XLSX."""

from __future__ import annotations

import streamlit as st

from dashboards.table_format import MISSING
from dashboards import access_log, auth, data, provenance
from dashboards.watchlist_table import (DISPLAY_ROWS, NOT_KEY_INDUSTRY, factor_options, filter_watchlist, for_display,
                                        industry_of, xlsx_bytes)
from ipx.exports.labels import label


def render() -> None:
    viewer = auth.require_page(auth.WATCHLIST)
    pub = provenance.require_publication()
    st.title("超标与隐患整改")
    st.caption("至数据截至日仍有未整改超标或隐患的单位，按优先序排列（1 最需关注）。"
               "优先级：1 重大隐患逾期或超标2倍以上逾期；2 其他逾期；3 未到期待整改。")

    rows = data.load(pub, data.WATCHLIST, order="priority_rank", shared=True)  # shared: never modified here
    if rows is None:
        st.info("已发布的数据中没有超标与隐患清单（mart_watchlist）。")
        return
    rows = viewer.restrict(rows)
    if rows.empty:
        st.info("当前没有需要整改的单位。" if viewer.role != "provincial"
                else "本省当前没有需要整改的单位。")
        return

    provinces_present = rows[["province_code", "province_name"]].drop_duplicates()
    names = dict(zip(provinces_present["province_code"], provinces_present["province_name"]))
    c1, c2, c3, c4 = st.columns([2, 2, 2, 1])
    provinces = viewer.choose_provinces(c1, names, key="wl")
    industries_present = sorted({industry_of(v) for v in rows["key_industry_name"].unique()},
                                key=lambda n: (n == NOT_KEY_INDUSTRY, n))
    industries = c2.multiselect("重点行业", industries_present, placeholder="全部行业", key="wl_industries")
    factors_present = factor_options(rows)
    factors = c3.multiselect("危害因素", factors_present, placeholder="全部因素", key="wl_factors")
    c4.write("")
    overdue_only = c4.checkbox("仅显示逾期", key="wl_overdue")

    shown = filter_watchlist(rows, provinces=provinces, industries=industries, factors=factors,
                             overdue_only=overdue_only)
    m1, m2, m3 = st.columns(3)
    m1.metric("列入单位", f"{len(shown):,}")
    m2.metric("其中有逾期项", f"{int((shown['overdue_items'] > 0).sum()):,}")
    m3.metric("优先级 1", f"{int((shown['priority_tier'] == 1).sum()):,}")
    if shown.empty:
        st.info("没有符合筛选条件的单位。")
        return

    if len(shown) > DISPLAY_ROWS:
        st.caption(f"表中显示优先序最前的 {DISPLAY_ROWS:,} 家（共 {len(shown):,} 家）；"
                   "全部单位请使用筛选条件或下载 XLSX。")
    st.dataframe(
        for_display(shown.head(DISPLAY_ROWS)), hide_index=True, placeholder=MISSING, key="wl_table", height=520,
        column_config={
            label("listing_reasons"): st.column_config.TextColumn(width="large"),
            label("employer_name"): st.column_config.TextColumn(width="medium"),
            label("worst_exceedance_ratio"): st.column_config.NumberColumn(format="%.4f"),
        })

    scope = viewer.province if viewer.role == "provincial" else "all"
    st.download_button(
        "下载筛选结果（XLSX）", data=lambda: access_log.download(
            data.warehouse_path(), viewer, "watchlist", lambda: xlsx_bytes(shown),
            provinces=sorted(set(shown["province_code"]))), file_name=f"超标与隐患整改清单-{scope}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="wl_download",
        on_click="ignore", icon=":material/download:")


render()
