"""单位档案: one employer's profile (URL ``/employer?uscc=<USCC>``) — who it is, why it is on the
watchlist, its exceedances over time against the limit, its open hazards and deadlines, every
event in order, and its premium-rate floating result; a search when no USCC is given. A
provincial user opens only employers of its own province. Each profile opened is logged in the
access log once per employer and session."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import access_log, auth, data, drawing, kpi_cards, provenance
from dashboards import employer_profile as ep
from dashboards.kpi_cards import Kpi
from dashboards.table_format import MISSING, Link, show_table

_LOGGED_KEY = "_emp_logged"
_FLOATING_LABELS = {"上浮": "上浮", "下浮": "下浮", "不浮动": "不浮动", "新参保": "新参保（不足一个周期，不浮动）",
                    "未分类": "未分类（风险类别无效，未测算）"}


def _province_names(pub: data.Publication) -> dict[str, str]:
    frame = data.load(pub, data.PROVINCES)
    return {} if frame is None else dict(zip(frame["province_code"], frame["province_name"]))


def _open(uscc: str) -> None:
    st.query_params["uscc"] = uscc


def _search(pub: data.Publication, viewer: auth.Viewer, names: dict[str, str]) -> None:
    own = viewer.province if viewer.role == "provincial" else None
    where = f"本省（{names.get(own, own)}）" if own else "全国"
    st.markdown(f"输入统一社会信用代码或单位名称（可只输入一部分），在{where}的单位中查找。")
    text = st.text_input("统一社会信用代码或单位名称", key="emp_search", placeholder="例如 91440300… 或 单位名称中的词")
    if not text.strip():
        st.caption("也可从「超标与隐患整改」清单中点击单位的「查看档案」打开。")
        return
    found = ep.search(pub, text, own)
    if found.empty:
        st.info(f"在{where}没有找到与“{text.strip()}”相符的单位。")
        return
    more = len(found) > ep.SEARCH_LIMIT
    found = found.head(ep.SEARCH_LIMIT)
    st.caption(f"找到 {len(found):,} 家单位" + (f"（只列出前 {ep.SEARCH_LIMIT} 家，请输入更完整的名称或代码）" if more else "")
               + "；列入超标与隐患清单的单位在前。清单优先序为“—”表示未列入清单。")
    show_table(ep.search_display(found), key="emp_results",
               links={"档案": Link("查看档案", "在新标签页打开该单位的档案")})
    titles = {u: f"{n}（{u}，{p}）" for u, n, p in
              zip(found["uscc"], found["employer_name"], found["province_name"])}
    choice = st.selectbox("打开档案", list(titles), key="emp_choice", format_func=titles.get)
    st.button("打开所选单位的档案", key="emp_open", on_click=_open, args=(choice,), type="primary")


def _log_once(viewer: auth.Viewer, event: str, uscc: str, province: str | None) -> None:
    logged = st.session_state.setdefault(_LOGGED_KEY, set())
    if (event, uscc, province) in logged:
        return
    logged.add((event, uscc, province))
    access_log.profile(data.warehouse_path(), viewer, event, uscc=uscc, employer_province=province)


def _back() -> None:
    st.query_params.pop("uscc", None)


def _header(row: pd.Series) -> None:
    st.header(row["employer_name"])
    industry = ep.text_or_missing(row["industry_division_name"], "参保名册中无行业")
    key_industry = row["key_industry_name"] if pd.notna(row["key_industry_name"]) else "非重点行业"
    parts = [f"统一社会信用代码 **{row['uscc']}**", f"省份 **{row['province_name']}**",
             f"行业 **{industry}**" + (f"（{row['industry_code']}）" if pd.notna(row["industry_code"]) else ""),
             f"重点行业 **{key_industry}**",
             f"参保职工 **{ep.count_text(row['latest_insured_workers'])} 人**"
             + (f"（{row['latest_snapshot']} 快照）" if pd.notna(row["latest_snapshot"]) else "")]
    st.markdown(" · ".join(parts))
    if not bool(row["in_employer_snapshot"]):
        st.caption("该单位不在任何一期参保单位名册中，行业与参保人数为“—”；以下事件来自各部门报送的记录。")
    if pd.notna(row["priority_rank"]):
        tier = int(row["priority_tier"])
        text = (f"**列入超标与隐患整改清单：优先级 {tier}，全国优先序第 {int(row['priority_rank']):,} 位。**"
                f"  \n列入原因：{row['listing_reasons']}")
        (st.error if tier == 1 else st.warning if tier == 2 else st.info)(text)
    else:
        st.success("未列入超标与隐患整改清单（截至数据截至日没有未整改的超标或隐患）。")


def _kpis(row: pd.Series) -> None:
    as_of = pd.Timestamp(row["as_of_date"]).strftime("%Y-%m-%d")
    kpi_cards.show([
        Kpi("待整改项", ep.count_text(row["open_items"]), help=f"截至 {as_of} 未整改的超标与隐患"),
        Kpi("其中逾期", ep.count_text(row["overdue_items"]),
            help="整改期限已过仍未整改" + (f"；最长逾期 {int(row['max_days_overdue']):,} 天"
                                       if pd.notna(row["max_days_overdue"]) else "")),
        Kpi("超标次数（近12个月）", f"{ep.count_text(row['exceedances'])}（{ep.count_text(row['exceedances_12m'])}）",
            help="全部年份的超标样本数，括号内为近12个月"),
        Kpi("认定工伤（死亡）", f"{ep.count_text(row['recognised_injuries'])}（{ep.count_text(row['injury_deaths'])}）",
            help="认定或视同工伤的人数，括号内为其中死亡人数；只显示人数，不显示任何个人信息"),
        Kpi("职业病", ep.count_text(row["od_cases"]), help="职业病诊断报告例数"),
        Kpi("工会检查问题（投诉）", f"{ep.count_text(row['union_issues_found'])}（{ep.count_text(row['union_complaints'])}）",
            help="工会劳动保护监督检查发现的问题数，括号内为职工投诉件数"),
    ], key="ep_kpis")
    st.caption(f"统计截至数据截至日 {as_of}；生产安全事故 {ep.count_text(row['accidents'])} 起，"
               f"事故死亡 {ep.count_text(row['accident_deaths'])} 人；"
               f"隐患 {ep.count_text(row['hazards'])} 项（其中重大隐患 {ep.count_text(row['major_hazards'])} 项）。")


def _floating(pub: data.Publication, row: pd.Series) -> None:
    st.subheader("工伤保险费率浮动")
    latest = ep.latest_floating_of(pub, row["province_code"], row["uscc"])
    if latest is None:
        st.markdown(f"{MISSING}（该单位未参加费率浮动测算：不在测算周期最后一期参保名册中）")
        return
    status = _FLOATING_LABELS.get(latest["status"], latest["status"])
    grade = MISSING if pd.isna(latest["grade"]) else f"{int(latest['grade']):+d} 档"
    st.markdown(
        f"{int(latest['cycle_end_year'])} 年度周期测算结果：**{status}**，浮动档次 **{grade}**；"
        f"现行费率 **{ep.rate_text(latest['current_rate_pct'])}**，"
        f"建议下一期费率 **{ep.rate_text(latest['recommended_rate_pct'])}**。")
    if pd.isna(latest["recommended_rate_pct"]):
        st.caption("建议费率为“—”：该单位风险类别无效，未测算浮动费率。")


def _profile(pub: data.Publication, row: pd.Series) -> None:
    _header(row)
    _kpis(row)
    events = ep.events_of(pub, row["province_code"], row["uscc"])

    st.subheader("超标检测趋势")
    fig = ep.exceedance_chart(events)
    if fig is None:
        st.info("该单位没有超标检测记录。")
    else:
        drawing.show(fig, key="emp_exceedances")
        st.caption("每个点是一次超标检测：检测值 ÷ 职业接触限值；虚线为限值（= 1 倍），越高越严重。按危害因素区分颜色。")

    st.subheader("待整改的超标与隐患")
    items = ep.open_items(events)
    if items.empty:
        st.success("没有未整改的超标或隐患。")
    else:
        st.caption(f"共 {len(items):,} 项，其中逾期 {int(items['is_overdue'].sum()):,} 项（红色，逾期最久的在前）。")
        show_table(ep.open_table(items.reset_index(drop=True)), key="emp_open_items",
                   widths={"情况": ep.DESCRIPTION_WIDTH})

    yearly = ep.yearly_of(pub, row["province_code"], row["uscc"])
    if yearly is not None and not yearly.empty:
        st.subheader("逐年情况")
        show_table(ep.yearly_table(yearly), key="emp_yearly")

    st.subheader("事件记录")
    if events.empty:
        st.info("该单位没有超标、隐患、工伤、职业病、事故或工会检查问题记录。")
    else:
        kinds = list(dict.fromkeys(events["event_kind"]))
        chosen = st.multiselect("事件类别", kinds, placeholder="全部类别", key="emp_kinds",
                                select_all=False)
        shown = events[events["event_kind"].isin(chosen)] if chosen else events
        st.caption(f"{len(shown):,} 条，最近的在前。“—”表示该项不适用（如工伤没有整改期限）。"
                   "工伤、职业病只列日期和类别，不含任何个人信息。")
        show_table(ep.event_table(shown), key="emp_events", unit="条", widths={"情况": ep.DESCRIPTION_WIDTH})

    _floating(pub, row)


def render() -> None:
    viewer = auth.require_page(auth.EMPLOYER)
    pub = provenance.require_publication()
    st.title("单位档案")
    if not data.has_table(pub, data.EMPLOYER_PROFILE) or not data.has_table(pub, data.EMPLOYER_EVENTS):
        st.info("已发布的数据中还没有单位档案（mart_employer_profile），请在下次数据发布后再查看。")
        return
    names = _province_names(pub)
    uscc = ep.normalise_uscc(st.query_params.get("uscc"))
    if not uscc:
        _search(pub, viewer, names)
        return

    rows = ep.profiles_of(pub, uscc)
    visible = viewer.restrict(rows) if rows is not None else pd.DataFrame()
    if rows is None or rows.empty:
        st.warning(f"没有找到统一社会信用代码为 {uscc} 的单位。")
        st.button("查找其他单位", key="emp_back", on_click=_back)
        return
    if visible.empty:
        own = names.get(viewer.province, viewer.province)
        st.error(f"无权查看：您的账号只能查看本省（{own}）单位的档案，统一社会信用代码 {uscc} 不属于本省登记的单位。")
        _log_once(viewer, "profile_refused", uscc, None)
        st.button("在本省单位中查找", key="emp_back", on_click=_back)
        return

    if len(visible) > 1:  # one USCC registered in several provinces
        code = st.selectbox("该单位在多个省份登记，请选择", list(visible["province_code"]),
                            format_func=lambda c: names.get(c, c), key="emp_province")
        row = visible[visible["province_code"] == code].iloc[0]
    else:
        row = visible.iloc[0]
    _log_once(viewer, "profile_open", row["uscc"], row["province_code"])
    st.button("查找其他单位", key="emp_back", on_click=_back)
    _profile(pub, row)


render()
