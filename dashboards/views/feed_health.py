"""数据交换 (for data engineers): the province x feed grid of delivery state over a period range
(marts.mart_feed_health), the slices that were not on time, the rejected records with their
reasons and the quarantined files (ingest ledger), and data quality (marts.mart_data_quality)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import auth, charts, data, drawing, kpi_cards, provenance
from dashboards.delivery_grid import SUMMARY_LABELS, in_range, month_label, period_months, summarise
from dashboards.feed_fields import field_header
from dashboards.kpi_cards import Kpi
from dashboards.table_format import count, pager, show_table
from ipx.exports.labels import label, quarantine_reason, rule_name

REJECTED_LABELS = {"feed_title": "数据项", "province_name": "省份", "period": "期间", "file_name": "文件",
                   "record_no": "记录号", "field_header": "数据字段", "rule_name": "规则", "reason_text": "原因"}
QUARANTINE_LABELS = {"feed_title": "数据项", "province_name": "省份", "period": "期间", "seq": "序号",
                     "file_name": "文件", "quarantine_reason": "隔离原因", "quarantine_detail": "说明",
                     "exported_at": "导出时间"}
QUALITY_LABELS = {"feed": "数据项", "province_code": "省份", "year": "年度", "severity": "级别",
                  "rule": "规则", "records": "记录数"}
SEVERITY = {"R": "R 拒收", "W": "W 标记", "info": "提示"}
# The summary table's counts (whole numbers with separators).
SUMMARY_COUNTS = ("slices", "n_on_time", "n_late", "n_quarantined", "n_missing", "n_not_due", "unclean", "records",
                  "records_rejected")
# Minimum column widths in pixels (the texts wrap within them; the page stretches the tables when there is room).
REJECTED_WIDTHS = {"数据项": 120, "省份": 90, "期间": 70, "文件": 180, "记录号": 60, "数据字段": 110, "规则": 130, "原因": 240}
QUARANTINE_WIDTHS = {"数据项": 120, "省份": 90, "期间": 70, "序号": 45, "文件": 200, "隔离原因": 120, "说明": 190,
                     "导出时间": 150}


def _default_range(months: list[int], pub: data.Publication) -> tuple[int, int]:
    last = months[-1]
    as_of = data.load(pub, data.AS_OF)
    if as_of is not None and not as_of.empty and pd.notna(as_of.iloc[0]["as_of_date"]):
        day = pd.Timestamp(as_of.iloc[0]["as_of_date"])
        last = min(last, max(months[0], day.year * 12 + day.month - 1))
    return max(months[0], last - 11), last


def _selected(frame: pd.DataFrame, province_column: str, first: int, last: int, provinces: list[str],
              feeds: list[str]) -> pd.DataFrame:
    """The rows whose period overlaps the chosen months and whose province and feed are chosen
    (every province or feed when none is)."""
    if frame.empty:
        return frame
    frame = frame[in_range(frame["period"], first, last)]
    if provinces:
        frame = frame[frame[province_column].isin(provinces)]
    if feeds:
        frame = frame[frame["feed"].isin(feeds)]
    return frame


def render() -> None:
    viewer = auth.require_page(auth.FEED_HEALTH)
    pub = provenance.require_publication()
    st.title("数据交换")
    st.caption("各省各数据项的报送情况（按时、逾期、被隔离、缺报、拒收比例），拒收记录及原因，数据质量。"
               "各数据项的表头、类型、校验规则与报送期限见系统文档《数据项说明》（docs/feeds/，由 ipx docs 生成），"
               "报送格式见《报送说明》（docs/delivery.md）。")

    health = data.load(pub, data.FEED_HEALTH)
    if health is None or health.empty:
        st.info("已发布的数据中没有报送情况（mart_feed_health）。")
        return
    health = viewer.restrict(health)
    if health.empty:
        st.info("本省没有报送情况数据。")
        return
    feeds_present = health[["feed", "feed_title"]].drop_duplicates()
    provinces_present = health[["province_code", "province_name"]].drop_duplicates()
    titles = dict(zip(feeds_present["feed"], feeds_present["feed_title"]))
    names = dict(zip(provinces_present["province_code"], provinces_present["province_name"]))

    bounds = health["period"].drop_duplicates().map(period_months)
    months = list(range(min(b[0] for b in bounds), max(b[1] for b in bounds) + 1))
    first, last = st.select_slider("期间范围", options=months, value=_default_range(months, pub),
                                   format_func=month_label, key="fh_range")
    c1, c2 = st.columns(2)
    provinces = viewer.choose_provinces(c1, names, key="fh")
    feeds = c2.multiselect("数据项", sorted(titles), format_func=lambda f: titles.get(f, f),
                           placeholder="全部数据项", key="fh_feeds", select_all=False)

    chosen = _selected(health, "province_code", first, last, provinces, feeds)

    st.subheader(f"报送情况：{month_label(first)} 至 {month_label(last)}")
    if chosen.empty:
        st.info("所选期间、省份和数据项没有应报数据片。")
    else:
        summary = summarise(chosen.sort_values(["province_code", "feed"]))
        drawing.show(charts.feed_grid(summary), key="fh_grid")
        st.caption("格内为“按时/已到期”数据片数，颜色为期间内最差的状态；数据片的期间与所选范围有重叠即计入。"
                   "拒收超1%：已接收但现行版本拒收记录超过1%。")
        with st.expander("报送情况明细表", expanded=False):
            show_table(summary[list(SUMMARY_LABELS)].rename(columns=SUMMARY_LABELS), key="fh_summary",
                       formats={"最高拒收比例": "{:.4f}", **{SUMMARY_LABELS[c]: count for c in SUMMARY_COUNTS}},
                       unit="行")
        problems = chosen[chosen["status"].isin(["late", "quarantined", "missing"])
                          | (chosen["accepted"] & ~chosen["clean"])]
        st.markdown(f"**未按时或不合格的数据片（{len(problems):,}）**")
        if problems.empty:
            st.info("所选范围内的数据片均按时且合格。")
        else:
            columns = ["feed_title", "province_name", "period", "status_zh", "clean", "due_at", "first_exported_at",
                       "current_seq", "records", "records_rejected", "rejected_share"]
            problems = problems.sort_values(["province_code", "feed", "period"])
            page = pager(len(problems), key="fh_problems_page", unit="个", order="按省份、数据项、期间排列",
                         signature=(first, last, tuple(provinces), tuple(feeds)))
            show_table(problems.iloc[page][columns].rename(columns=label), key="fh_problems",
                       formats={label("rejected_share"): "{:.4f}", label("records"): count,
                                label("records_rejected"): count, label("current_seq"): count})

    # -------------------------------------------------------------- rejected records
    st.subheader("拒收记录")
    # shared: one frame for every session (100,000s of rows at national volume), only filtered here
    rejected = data.load(pub, data.REJECTED, data.REJECTED_COLUMNS, order="feed, file_name, record_no", shared=True)
    if rejected is None:
        st.info("已发布的数据中没有拒收记录表（ingest.rejected_records），可能由较早版本的流程发布。")
    else:
        rejected = _selected(viewer.restrict(rejected, "province"), "province", first, last, provinces, feeds)
        if rejected.empty:
            st.info("所选范围内没有拒收记录。")
        else:
            kpi_cards.show([Kpi("拒收记录数", f"{len(rejected):,}")], key="fh_rejected_kpis", columns=4)
            # a national range holds 100,000s: one page of them is made into the table
            page = pager(len(rejected), key="fh_rejected_page", unit="条", order="按数据项、文件、记录号排列",
                         signature=(first, last, tuple(provinces), tuple(feeds)))
            rejected = rejected.iloc[page]
            shown = rejected.assign(
                feed_title=rejected["feed"].map(lambda f: titles.get(f, f)),
                province_name=rejected["province"].map(lambda c: names.get(c, c)),
                field_header=[field_header(f, c) for f, c in zip(rejected["feed"], rejected["field"])],
                rule_name=rejected["rule"].map(rule_name),
                # the stored reason starts with the rule id ("date: 检查日期: 不是有效的日期")
                reason_text=rejected["reason"].str.replace(r"^[a-z_]+: ", "", regex=True)
                                              .str.replace(r"; [a-z_]+: ", "；", regex=True))
            show_table(shown[list(REJECTED_LABELS)].rename(columns=REJECTED_LABELS), key="fh_rejected",
                       widths=REJECTED_WIDTHS, formats={"记录号": count})

    quarantined = data.query(pub, data.QUARANTINED_SQL) if data.has_table(pub, data.FILES) else None
    if quarantined is not None:
        quarantined = _selected(viewer.restrict(quarantined, "province"), "province", first, last, provinces, feeds)
        st.markdown(f"**被隔离的文件（{len(quarantined):,}）**")
        if not quarantined.empty:
            shown = quarantined.assign(feed_title=quarantined["feed"].map(lambda f: titles.get(f, f)),
                                       province_name=quarantined["province"].map(lambda c: names.get(c, c)),
                                       quarantine_reason=quarantined["quarantine_reason"].map(quarantine_reason))
            show_table(shown[list(QUARANTINE_LABELS)].rename(columns=QUARANTINE_LABELS), key="fh_quarantined",
                       widths=QUARANTINE_WIDTHS, unit="个")

    # -------------------------------------------------------------- data quality
    st.subheader("数据质量")
    quality = data.load(pub, data.DATA_QUALITY)
    if quality is None:
        st.info("已发布的数据中没有数据质量表（mart_data_quality）。")
        return
    quality = viewer.restrict(quality)
    years = range(first // 12, last // 12 + 1)
    quality = quality[quality["year"].isin(years)]
    if provinces:
        quality = quality[quality["province_code"].isin(provinces)]
    if feeds:
        quality = quality[quality["feed"].isin(feeds)]
    st.caption(f"按记录所属年度统计（{years[0]}—{years[-1]}年）：R 拒收、W 标记（入库但相关指标不采用）、"
               "提示（如参保名册中找不到的工伤认定单位）。")
    if quality.empty:
        st.info("所选范围内没有数据质量问题。")
        return
    kpi_cards.show([Kpi(name, f"{int(quality.loc[quality['severity'] == code, 'records'].sum()):,}")
                    for code, name in SEVERITY.items()], key="fh_quality_kpis", columns=4)
    ordered = quality.sort_values(["records", "feed"], ascending=[False, True])
    page = pager(len(ordered), key="fh_quality_page", order="按记录数从多到少排列",
                 signature=(first, last, tuple(provinces), tuple(feeds)))
    ordered = ordered.iloc[page]
    shown = ordered.assign(feed=ordered["feed"].map(lambda f: titles.get(f, f)),
                           province_code=ordered["province_code"].map(lambda c: names.get(c, c)),
                           rule=ordered["rule"].map(rule_name),
                           severity=ordered["severity"].map(lambda s: SEVERITY.get(s, s)))
    show_table(shown[list(QUALITY_LABELS)].rename(columns=QUALITY_LABELS), key="fh_quality", formats={"记录数": count})


render()
