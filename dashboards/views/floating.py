"""费率浮动 (spec 6): for a cycle, employers by float status and the premium effect by province and
by risk class (marts.mart_premium_floating_summary); one province's employers with grade, status,
rates and reasons (marts.mart_premium_floating); the floating export (``ipx export floating``);
and, for national users, a what-if that re-grades every employer under other bands, multipliers
and modifiers (dashboards/floating_whatif.py) beside the published result. Nothing is written
back: the published figures follow the seeds."""

from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st

from dashboards import auth, data, drawing, kpi_cards, provenance
from dashboards.floating_tables import (
    CLASS_NAMES,
    EMPLOYER_FORMATS,
    EMPLOYER_VIEWS,
    EMPLOYER_WIDTHS,
    STATUS_COLOURS,
    STATUS_COLUMNS,
    SUMMARY_FORMATS,
    SUMMARY_LABELS,
    class_name,
    class_summary,
    employers_for_display,
    export_file,
    filter_employers,
    order_employers,
    province_summary,
    summary_for_display,
)
from dashboards.floating_whatif import (
    DOWN,
    INPUT_COLUMNS,
    STATUSES,
    UNCHANGED,
    UNCLASSIFIED,
    UP,
    Comparison,
    Rules,
    Settings,
    compare,
    compare_by_province,
    regrade,
    rules_from_seeds,
    to_decimal,
)
from dashboards.kpi_cards import Kpi
from dashboards.plan_charts import status_bars, whatif_bars
from dashboards.scoped_exports import download_button
from dashboards.table_format import MISSING, WAN, count, pager, show_table, signed, styled, wan_yuan

GRADE_LABELS = {-2: "下浮两档", -1: "下浮一档", 0: "不浮动", 1: "上浮一档", 2: "上浮两档"}
WHATIF_KEYS = "_fl_whatif_defaults"


def _cycle_label(year: int) -> str:
    return f"{year}年（{year - 2}年第1季度—{year}年第4季度）"


def _summary_metrics(row: pd.Series) -> None:
    kpi_cards.show([Kpi("浮动单位数", count(row["employers"]))]
                   + [Kpi(STATUS_COLUMNS[column], count(row[column])) for column in STATUS_COLUMNS],
                   key="fl_counts_kpis", columns=6)
    kpi_cards.show([Kpi("当前年缴费", wan_yuan(row["current_premium_yuan"])),
                    Kpi("浮动后年缴费", wan_yuan(row["projected_premium_yuan"])),
                    Kpi("缴费变化", wan_yuan(row["change_yuan"], signed=True))], key="fl_premium_kpis", columns=3)
    st.caption("年缴费为周期最后4个季度的缴费：当前按现行费率、浮动后按建议费率测算；未分类单位不计入缴费合计。")


def _status_colour(value) -> str:
    return f"background-color: {STATUS_COLOURS[value]}" if value in STATUS_COLOURS else ""


# ------------------------------------------------------------------ what-if


def _rules(pub: data.Publication) -> tuple[Rules, bool]:
    """The published rules (from the reference.floating_* seeds) and whether the seeds were there."""
    return _published_rules(pub.version, pub)


@st.cache_resource(show_spinner=False, max_entries=8)
def _published_rules(version: str, _pub: data.Publication) -> tuple[Rules, bool]:
    """Once per published version (reading the seeds into rules took about 50 ms a rerun); the
    rules are frozen, shared by every session."""
    pub = _pub
    seeds = {name: data.load(pub, table) for name, table in data.FLOATING_SEEDS.items()}
    found = any(frame is not None for frame in seeds.values())
    return rules_from_seeds(seeds["parameters"], seeds["ratio_bands"], seeds["grade_multipliers"],
                            seeds["base_rates"]), found


def _widget_defaults(settings: Settings) -> dict:
    values = {f"fl_band_{i}": float(upper) for i, (upper, _) in enumerate(settings.bands) if upper is not None}
    values |= {f"fl_mult_{g:+d}": float(m) for g, m in settings.multipliers}
    values |= {"fl_severity": settings.severity_block_enabled, "fl_deaths": settings.deaths_up_enabled,
               "fl_overdue": settings.overdue_up_enabled}
    return values


def _reset_whatif() -> None:
    for key, value in st.session_state.get(WHATIF_KEYS, {}).items():
        st.session_state[key] = value


def _chosen_settings(default: Settings) -> Settings:
    """The settings as the panel's widgets set them (widgets seeded with ``default``)."""
    defaults = _widget_defaults(default)
    st.session_state[WHATIF_KEYS] = defaults
    for key, value in defaults.items():
        st.session_state.setdefault(key, value)

    left, middle, right = st.columns(3)
    left.markdown("**支缴率分档**（支缴率 = 周期内基金支付 ÷ 周期缴费）")
    bands = []
    for i, (upper, grade) in enumerate(default.bands):
        if upper is None:
            left.caption(f"超过上一档上限：{GRADE_LABELS.get(grade, grade)}")
            bands.append((None, grade))
            continue
        value = left.number_input(f"第{i + 1}档：支缴率 ≤（{GRADE_LABELS.get(grade, grade)}）", min_value=0.0,
                                  step=0.05, format="%.2f", key=f"fl_band_{i}")
        bands.append((to_decimal(round(value, 4)), grade))
    middle.markdown("**各档费率倍数**（建议费率 = 基准费率 × 倍数）")
    multipliers = []
    for grade, _ in default.multipliers:
        value = middle.number_input(f"{GRADE_LABELS.get(grade, grade)}（{grade:+d}）×", min_value=0.0, step=0.05,
                                    format="%.2f", key=f"fl_mult_{grade:+d}")
        multipliers.append((grade, to_decimal(round(value, 4))))
    right.markdown("**调整项**")
    floor = "不下浮" if default.severity_floor_grade == 0 else f"至少{GRADE_LABELS.get(default.severity_floor_grade)}"
    severity = right.toggle(f"有死亡、重伤或职业病：{floor}", key="fl_severity",
                            help="周期内有工亡、1–4级伤残或职业病报告的单位，档次不低于此值。")
    deaths_floor = GRADE_LABELS.get(default.deaths_floor_grade, "")
    deaths = right.toggle(f"死亡 ≥ {default.deaths_up_threshold} 人：至少{deaths_floor}", key="fl_deaths")
    overdue = right.toggle(f"逾期整改 ≥ {default.overdue_min_items} 项：上浮 {default.overdue_grade_step} 档",
                           key="fl_overdue", help="周期内到期的超标整改与重大隐患整改，逾期未整改或逾期后才整改的事项。")
    right.button("恢复公布的参数", key="fl_whatif_reset", on_click=_reset_whatif)
    return dataclasses.replace(default, bands=tuple(bands), multipliers=tuple(multipliers),
                               severity_block_enabled=severity, deaths_up_enabled=deaths, overdue_up_enabled=overdue)


@st.cache_data(show_spinner="正在重新评定…", max_entries=32)
def _whatif_result(version: str, year: int, settings_key: str, _pub: data.Publication, _rules: Rules,
                   _chosen: Settings, _summary: pd.DataFrame) -> tuple[Comparison, pd.DataFrame] | None:
    """The what-if of one cycle under ``_chosen`` (cached per published version, cycle and
    settings: re-grading a national cycle takes a moment, a rerun with the same settings none)."""
    employers = data.query(_pub, f"SELECT {', '.join(INPUT_COLUMNS)}, projected_premium_yuan "
                                 f"FROM {data.FLOATING} WHERE cycle_end_year = ?", (year,), shared=True)
    if employers is None or employers.empty:
        return None
    regraded = regrade(employers, _rules.with_changes(_chosen))
    of_year = _summary[_summary["cycle_end_year"] == year]
    national = of_year[of_year["level"] == "national"]
    result = compare(employers, regraded, national.iloc[0] if not national.empty else None)
    provinces = compare_by_province(employers, regraded,
                                    of_year[of_year["level"] == "province"].set_index("province_code"))
    return result, provinces


def _whatif(pub: data.Publication, year: int, summary: pd.DataFrame, names: dict[str, str]) -> None:
    st.subheader("测算：调整浮动规则")
    st.caption("仅全国用户可见。调整分档、倍数或调整项后，按规范第6节的步骤对本周期全部单位重新评定，"
               "与公布结果并列显示；测算结果不写回，公布结果始终按参数表（种子数据）计算。"
               "调整后的参数统一适用于所有省份；未调整的项目保留各省自己的参数。")
    # Closed until asked for: its dozen inputs, tables and chart were a third of the page's
    # elements, drawn on every load and every filter change (issue 11, item 11). Its values are kept
    # while it is closed (a widget's state is dropped on a run that does not draw it).
    kept = st.session_state.get(WHATIF_KEYS, {})
    for key in kept:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
    if not st.toggle("打开测算", key="fl_whatif_open", help="打开后按调整的参数重新评定本周期全部单位；关闭时保留已调整的参数。"):
        return
    rules, found = _rules(pub)
    if not found:
        st.caption("已发布的数据中没有浮动参数表，按规范第6节的默认参数测算。")
    chosen = _chosen_settings(rules.default)
    problems = chosen.problems()
    if problems:
        st.warning("参数有误，暂不测算：" + "".join(problems))
        return
    computed = _whatif_result(pub.version, year, repr(chosen), pub, rules, chosen, summary)
    if computed is None:
        st.info(f"{year}年周期没有单位明细，无法测算。")
        return
    result, provinces = computed
    changed = rules.with_changes(chosen) is not rules
    st.markdown("**测算结果与公布结果**" + ("" if changed else "（参数未调整：测算结果与公布结果相同）"))
    left, right = st.columns([3, 2])
    with left:
        rows = [{"浮动结果": s, "公布结果": result.published_counts[s], "测算结果": result.whatif_counts[s],
                 "差异": result.whatif_counts[s] - result.published_counts[s]} for s in STATUSES]
        rows.append({"浮动结果": "合计", "公布结果": sum(result.published_counts.values()),
                     "测算结果": sum(result.whatif_counts.values()), "差异": 0})
        show_table(styled(pd.DataFrame(rows), {"公布结果": "{:,}", "测算结果": "{:,}",
                                               "差异": lambda v: f"{v:+,}" if v else "0"}),
                   key="fl_whatif_counts")
        drawing.show(whatif_bars(result.published_counts, result.whatif_counts), key="fl_whatif_chart")
    with right:
        difference = result.whatif_projected_yuan - result.published_projected_yuan
        kpi_cards.show([
            Kpi("当前年缴费（全国）", wan_yuan(result.current_premium_yuan)),
            Kpi("浮动后年缴费（测算）", wan_yuan(result.whatif_projected_yuan),
                **(kpi_cards.change(wan_yuan(difference, signed=True), note="较公布") if changed else {})),
            Kpi("缴费变化（公布）", wan_yuan(result.published_change_yuan, signed=True)),
            Kpi("缴费变化（测算）", wan_yuan(result.whatif_change_yuan, signed=True)),
        ], key="fl_whatif_kpis", columns=1)

    table = pd.DataFrame({"省份": provinces["province_code"].map(lambda c: names.get(c, c))})
    for s in (DOWN, UNCHANGED, UP):
        table[f"{s}(公布)"], table[f"{s}(测算)"] = provinces[f"published_{s}"], provinces[f"whatif_{s}"]
    table["缴费变化(公布,万元)"] = provinces["published_change_yuan"] / WAN
    table["缴费变化(测算,万元)"] = provinces["whatif_change_yuan"] / WAN
    st.markdown("**各省测算**")
    counts = {c: "{:,}" for c in table.columns if c.endswith(("(公布)", "(测算)"))}
    show_table(styled(table, counts | {"缴费变化(公布,万元)": signed(2), "缴费变化(测算,万元)": signed(2)}),
               key="fl_whatif_provinces")


# ------------------------------------------------------------------ page


@st.cache_resource(show_spinner=False, max_entries=16)
def _ordered(version: str, year: int, province: str, _employers: pd.DataFrame) -> tuple[pd.DataFrame, list, list]:
    """A province's employers in the table's order, and the statuses and risk classes present: once
    per published version, cycle and province (sorting 190,000 employers on every rerun cost
    about 0.1 s). Shared by every session and never modified; filters make new frames."""
    present = set(_employers["status"].drop_duplicates())
    class_number = {name: number for number, name in CLASS_NAMES.items()}
    classes = sorted({class_name(v) for v in _employers["risk_class"].drop_duplicates()},
                     key=lambda n: (n == UNCLASSIFIED, class_number.get(n, 99), n))
    return order_employers(_employers), [s for s in STATUSES if s in present], classes



def render() -> None:
    viewer = auth.require_page(auth.FLOATING)
    pub = provenance.require_publication()
    st.title("费率浮动")
    st.caption("按浮动周期（3年、12个季度）对每家参保单位评定浮动档次（−2 至 +2）与下一周期建议费率，"
               "并测算对缴费的影响。档次依次由缴费与基金支付（支缴率）、死亡与重伤、职业病、逾期整改"
               "和行业类别限制决定；一类行业只上浮不下浮。")

    summary = data.load(pub, data.FLOATING_SUMMARY)
    if summary is None or summary.empty:
        st.info("已发布的数据中没有费率浮动结果。")
        return
    years = sorted(int(y) for y in summary["cycle_end_year"].unique())
    c1, c2 = st.columns([2, 3])
    year = c1.selectbox("浮动周期（截止年度）", years, index=years.index(data.default_year(pub, years)),
                        key="fl_year", format_func=_cycle_label)
    own = viewer.province if viewer.role == "provincial" else None
    with c2:
        st.write("")
        download_button(
            f"下载{year}年周期费率浮动导出文件（XLSX）" + ("（本省）" if own else ""), viewer=viewer, what="floating", year=year,
            make=lambda: export_file(data.warehouse_path(), year, scope=viewer.scope),
            file_name=f"费率浮动-{year}" + (f"-{own}" if own else "") + ".xlsx", key="fl_download")

    # -------------------------------------------------------------- summary by province
    provinces = province_summary(summary, year, visible=[own] if own else None)
    st.subheader(f"{year}年周期 浮动结果汇总")
    scope_rows = provinces[provinces["province_code"] == (own or "000000")]
    if not scope_rows.empty:
        st.markdown(f"**{scope_rows.iloc[0]['province_name']}**")
        _summary_metrics(scope_rows.iloc[0])
    table = summary_for_display(provinces, "province_name")
    show_table(styled(table, SUMMARY_FORMATS), key="fl_provinces")
    st.caption("单位数按浮动结果分列；缴费单位万元。" + ("您的账号只能查看全国合计与本省。" if own else ""))

    # -------------------------------------------------------------- one province: by class, employers
    names = dict(zip(provinces["province_code"], provinces["province_name"]))
    options = [c for c in provinces["province_code"] if c != "000000"]
    if not options:
        st.info(f"{year}年周期没有{('本省' if own else '各省')}的浮动结果。")
        return
    st.subheader("分省：按风险类别与单位明细")
    province = st.selectbox("省份", options, key="fl_province", format_func=lambda c: names.get(c, c),
                            disabled=bool(own))
    classes = summary_for_display(class_summary(summary, year, province), "risk_class")
    st.markdown(f"**{names.get(province, province)}：按风险类别**")
    show_table(styled(classes, SUMMARY_FORMATS), key="fl_classes")
    drawing.show(status_bars(classes, category=SUMMARY_LABELS["risk_class"],
                             counts={SUMMARY_LABELS[c]: s for c, s in STATUS_COLUMNS.items()}), key="fl_class_chart")

    # shared: one frame per published version for every session (a province can have 100,000s of
    # employers); it is only filtered into new frames here.
    employers = data.query(pub, f"SELECT * FROM {data.FLOATING} WHERE cycle_end_year = ? AND province_code = ?",
                           (year, province), shared=True)
    if employers is None:
        st.info("已发布的数据中没有单位明细。")
    elif employers.empty:
        st.info(f"{names.get(province, province)}{year}年周期没有浮动单位。")
    else:
        f1, f2, f3 = st.columns([2, 2, 3])
        ordered, present_statuses, class_options = _ordered(pub.version, year, province, employers)
        statuses = f1.multiselect("浮动结果", present_statuses, placeholder="全部", key="fl_status", select_all=False)
        chosen_classes = f2.multiselect("风险类别", class_options, placeholder="全部", key="fl_class", select_all=False)
        search = f3.text_input("搜索单位名称或统一社会信用代码", key="fl_search")
        shown = filter_employers(ordered, statuses=statuses, classes=chosen_classes, search=search)  # order kept
        st.markdown(f"**{names.get(province, province)}：符合条件的单位 {len(shown):,} 家**"
                    f"（共 {len(employers):,} 家）")
        if shown.empty:
            st.info("没有符合筛选条件的单位。")
        else:
            # One view at a time (tabs would send both tables on every run), one page at a time.
            views = list(EMPLOYER_VIEWS)
            view = st.segmented_control("显示列", views, default=views[0], key="fl_view",
                                        label_visibility="collapsed") or views[0]
            columns = EMPLOYER_VIEWS[view]
            page = pager(len(shown), key="fl_page", unit="家", order="按浮动结果、缴费变化绝对值从大到小排列",
                         signature=(year, province, tuple(statuses), tuple(chosen_classes), search))
            display = employers_for_display(shown.iloc[page], columns)
            styler = styled(display, EMPLOYER_FORMATS)
            if "浮动结果" in display:
                styler = styler.map(_status_colour, subset=["浮动结果"])
            show_table(styler, key=f"fl_employers_{columns[2]}",
                       widths={c: EMPLOYER_WIDTHS[c] for c in display.columns if c in EMPLOYER_WIDTHS})
            st.caption(f"“{MISSING}”：未分类单位（风险类别缺失或无效）不评定档次、不测算浮动后缴费；"
                       "周期缴费为 0 的单位支缴率无法计算。费率单位为缴费工资的百分比。")

    if viewer.role == "national":
        with st.container(border=True):
            _whatif(pub, year, summary, dict(zip(summary["province_code"], summary["province_name"])))


render()
