"""超标与隐患整改: the employers of marts.mart_watchlist, worst first, with why each is listed and a
link to each one's profile (单位档案); filters by province, key industry, hazard factor and overdue;
the filtered rows as XLSX.

The address shares the view: ``/watchlist?province=440000&industry=construction`` (codes; several
separated by commas; ``industry=non_key`` for employers outside the key industries, ``key_all`` for
every key industry). The parameters are read into the filters when the page first renders (and
whenever the address brings new ones), and the filters are written back to the address."""

from __future__ import annotations

import numpy as np
import streamlit as st

from dashboards import access_log, auth, data, kpi_cards, provenance, table_format
from dashboards.kpi_cards import Kpi
from dashboards.watchlist_table import (
    ALL_KEY_INDUSTRIES_CODE,
    DISPLAY_FORMATS,
    NOT_KEY_INDUSTRY,
    NOT_KEY_INDUSTRY_CODE,
    PROFILE_LINK,
    factor_options,
    for_display,
    industry_options,
    watchlist_mask,
    xlsx_bytes,
)
from ipx.exports.labels import label

URL_KEYS = ("province", "industry")
NATIONAL_CODE = "000000"
KEY_INDUSTRY_ADDITIONS = "reference.province_key_industry_additions"  # provinces' own key industries
_WRITTEN_KEY = "_wl_url_written"


def _url_values(key: str) -> list[str]:
    raw = st.query_params.get(key) or ""
    return [v.strip() for v in str(raw).split(",") if v.strip()]


def _known_names(pub: data.Publication, table: str, code: str, name: str) -> dict[str, str]:
    frame = data.load(pub, table, f"{code}, {name}") if data.has_table(pub, table) else None
    return {} if frame is None else dict(zip(frame[code].astype(str), frame[name].astype(str)))


def _read_url(viewer: auth.Viewer, province_names: dict[str, str], industries: dict[str, str],
              all_provinces: dict[str, str]) -> None:
    """Put the address's province and industry into the filters' state (before the widgets are
    made), when the address differs from what this page last wrote to it."""
    current = {k: st.query_params.get(k) for k in URL_KEYS if st.query_params.get(k)}
    if current == st.session_state.get(_WRITTEN_KEY):
        return
    notices = []
    asked = [c for c in _url_values("province") if c != NATIONAL_CODE]  # 全国 = every province
    if viewer.role == "provincial":
        if any(code != viewer.province for code in asked):
            own = all_provinces.get(viewer.province, viewer.province)
            notices.append(f"您的账号只能查看本省（{own}）的单位明细，链接中的其他省份已改为本省。")
    else:
        unknown = [c for c in asked if c not in all_provinces]
        if unknown:
            notices.append(f"链接中的省份代码 {'、'.join(unknown)} 无法识别，已忽略。")
        chosen = [c for c in asked if c in all_provinces]
        for code in chosen:  # a real province without listed employers: shown as an empty result
            province_names.setdefault(code, all_provinces[code])
        st.session_state["wl_provinces"] = chosen
    codes = []
    for code in _url_values("industry"):
        if code == ALL_KEY_INDUSTRIES_CODE:
            codes += [c for c in industries if c != NOT_KEY_INDUSTRY_CODE]
        elif code == "all":
            continue
        elif code in industries:
            codes.append(code)
        else:
            notices.append(f"链接中的行业代码 {code} 无法识别，已忽略。")
    st.session_state["wl_industries"] = list(dict.fromkeys(codes))
    for text in notices:
        st.warning(text)


def _write_url(viewer: auth.Viewer, provinces: list[str], industries: list[str]) -> None:
    wanted = {"province": viewer.province if viewer.role == "provincial" else ",".join(provinces),
              "industry": ",".join(industries)}
    for key, value in wanted.items():
        if value and st.query_params.get(key) != value:
            st.query_params[key] = value
        elif not value and key in st.query_params:
            del st.query_params[key]
    st.session_state[_WRITTEN_KEY] = {k: v for k, v in wanted.items() if v}


@st.cache_resource(show_spinner=False, max_entries=64)
def _options(version: str, scope: str, _rows) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """The provinces, key industries and hazard factors present in the rows a viewer may see: once
    per published version and scope (the factors alone took 0.17 s over 265,000 rows on every
    rerun). Shared by every session: callers copy before adding to them."""
    provinces = _rows[["province_code", "province_name"]].drop_duplicates()
    return (dict(zip(provinces["province_code"], provinces["province_name"])), industry_options(_rows),
            factor_options(_rows))


def render() -> None:
    viewer = auth.require_page(auth.WATCHLIST)
    pub = provenance.require_publication()
    st.title("超标与隐患整改")
    st.caption("至数据截至日仍有未整改超标或隐患的单位，按优先序排列（1 最需关注）。"
               "优先级：1 重大隐患逾期或超标2倍以上逾期；2 其他逾期；3 未到期待整改。"
               "超标因素为“—”：近12个月没有超标且没有未整改的超标（因隐患列入）。")

    rows = data.load(pub, data.WATCHLIST, order="priority_rank", shared=True)  # shared: never modified here
    if rows is None:
        st.info("已发布的数据中没有超标与隐患清单（mart_watchlist）。")
        return
    rows = viewer.restrict(rows)
    if rows.empty:
        st.info("当前没有需要整改的单位。" if viewer.role != "provincial"
                else "本省当前没有需要整改的单位。")
        return

    present_names, present_industries, factors_present = _options(pub.version, viewer.province or "all", rows)
    names = dict(present_names)  # copies: the lists below add what the address asks for
    all_provinces = {c: n for c, n in _known_names(pub, data.PROVINCES, "province_code", "province_name").items()
                     if c != "000000"}
    industries_present = dict(present_industries)
    known_industries = {**_known_names(pub, KEY_INDUSTRY_ADDITIONS, "key_industry_code", "key_industry_name"),
                        **_known_names(pub, data.KEY_INDUSTRIES, "key_industry_code", "key_industry_name"),
                        NOT_KEY_INDUSTRY_CODE: NOT_KEY_INDUSTRY, **industries_present}
    _read_url(viewer, names, known_industries, all_provinces)
    for code in st.session_state.get("wl_industries", []):  # asked for by the address, none listed
        industries_present.setdefault(code, known_industries.get(code, code))
    for code in st.session_state.get("wl_provinces", []):
        names.setdefault(code, all_provinces.get(code, code))
    c1, c2, c3, c4 = st.columns([2, 2, 2, 1])
    provinces = viewer.choose_provinces(c1, names, key="wl")
    industries = c2.multiselect("重点行业", list(industries_present), format_func=industries_present.get,
                                placeholder="全部行业", key="wl_industries", select_all=False)
    factors = c3.multiselect("危害因素", factors_present, placeholder="全部因素", key="wl_factors",
                             select_all=False)
    c4.write("")
    overdue_only = c4.checkbox("仅显示逾期", key="wl_overdue")

    # The rows come ordered by priority_rank and the mask keeps that order: only the table's first
    # rows are taken out of the (shared) frame; the counts are read through the mask, and the
    # download's rows are taken when it is clicked.
    keep = watchlist_mask(rows, provinces=provinces, industries=industries, factors=factors,
                          overdue_only=overdue_only)
    listed = int(keep.sum())
    _write_url(viewer, provinces, industries)
    kpi_cards.show([Kpi("列入单位", f"{listed:,}"),
                    Kpi("其中有逾期项", f"{int((rows['overdue_items'].fillna(0).to_numpy()[keep] > 0).sum()):,}"),
                    Kpi("优先级 1", f"{int((rows['priority_tier'].to_numpy()[keep] == 1).sum()):,}")],
                   key="wl_kpis", columns=3)
    if not listed:
        st.info("没有符合筛选条件的单位。")
        return

    # One page of the list at a time, worst first; only that page's rows are taken out of the
    # (shared) frame and made into the table.
    page = table_format.pager(listed, key="wl_page", unit="家",
                              signature=(tuple(provinces), tuple(industries), tuple(factors), overdue_only))
    table_format.show_table(
        for_display(rows.iloc[np.flatnonzero(keep)[page]]), key="wl_table",
        formats=DISPLAY_FORMATS,
        widths={label("listing_reasons"): "large", label("employer_name"): "medium", label("province_name"): "4em",
                label("key_industry_name"): "small", label("exceeded_factors"): "medium", label("uscc"): "11em"},
        links={label(PROFILE_LINK): table_format.Link("查看档案", "在新标签页打开该单位的档案（超标趋势、隐患期限、事件记录）")})

    scope = viewer.province if viewer.role == "provincial" else "all"
    st.download_button(
        "下载筛选结果（XLSX）", data=lambda: access_log.download(
            data.warehouse_path(), viewer, "watchlist", lambda: xlsx_bytes(rows[keep]),
            provinces=sorted(set(rows["province_code"][keep]))), file_name=f"超标与隐患整改清单-{scope}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="wl_download",
        on_click="ignore", icon=":material/download:")


render()
