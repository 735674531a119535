"""热点总览: who lags behind the plan's target path first (KPIs, the ranking of provinces by their
gap to the target, the map of that gap), then the map of any other measure, one province's detail
with links to its watchlist, the key-industry injury rate against the target path and the
province x key-industry heat table (all from marts.mart_hotspots).

The view (year, measure, industry group, province) is kept in the address bar
(``?year=2022&measure=injury_rate&industry=key_all&province=440000``): read once when a link
arrives, written back whenever a choice changes, so a leader can share what is on screen.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from dashboards import auth, charts, coverage, data, drawing, kpi_cards, map_svg, provenance
from dashboards import target_gap_charts as gap
from dashboards.geo import load_boundaries
from dashboards.kpi_cards import Kpi
from dashboards.measures import (
    ALL_INDUSTRIES,
    DETAIL_COLUMNS,
    DETAIL_HEADERS,
    KEY_ALL,
    MEASURES,
    NATIONAL,
    Measure,
)
from dashboards.table_format import MISSING
from ipx.exports.labels import label

MAP_KEY, RANKING_KEY, PROVINCE_KEY, OPTIONS_KEY = "hs_map", "hs_ranking", "hs_province", "_hs_province_options"
YEAR_KEY, MEASURE_KEY, GROUP_KEY = "hs_year", "hs_measure", "hs_group"
# URL parameter -> widget key (the URL contract of the page).
URL_KEYS = {"year": YEAR_KEY, "measure": MEASURE_KEY, "industry": GROUP_KEY, "province": PROVINCE_KEY}
URL_WRITTEN = "_hs_url_written"  # the parameters this page last wrote (so its own write-back is not re-read)
WATCHLIST_PAGE = "views/watchlist.py"


def _industry_groups(hotspots: pd.DataFrame, key_order: list[str]) -> dict[str, str]:
    groups = hotspots[["industry_group", "industry_group_name", "is_key_industry"]].drop_duplicates("industry_group")
    rank = {code: i for i, code in enumerate(key_order)}

    def order(row) -> tuple:
        if row.industry_group == KEY_ALL:
            return (0, 0, "")
        if row.industry_group == ALL_INDUSTRIES:
            return (3, 0, "")
        return (1 if row.industry_group in rank else 2, rank.get(row.industry_group, 0), row.industry_group)

    rows = sorted(groups.itertuples(), key=order)
    return {r.industry_group: r.industry_group_name for r in rows}


def _reported_years(hotspots: pd.DataFrame) -> list[int]:
    """Years in which at least one province delivered (spec 5 v1.1); other years have no data."""
    national = hotspots[(hotspots["province_code"] == NATIONAL) & (hotspots["industry_group"] == KEY_ALL)
                        & hotspots["is_reported"].fillna(False).astype(bool)]
    return sorted(int(y) for y in national["year"].unique())


def _default_year(hotspots: pd.DataFrame, years: list[int]) -> int:
    national = hotspots[(hotspots["province_code"] == NATIONAL) & (hotspots["industry_group"] == KEY_ALL)
                        & hotspots["injury_rate_per_1000"].notna() & hotspots["year"].isin(years)]
    return int(national["year"].max()) if not national.empty else max(years)


def _reported(frame: pd.DataFrame) -> pd.Series:
    return frame["is_reported"].fillna(False).astype(bool)


# ------------------------------------------------------------------ the view in the address bar


def _read_url(*, years: list[int], groups: dict[str, str], options: list[str], names: dict[str, str],
              viewer: auth.Viewer) -> list[str]:
    """Put the URL's parameters into the widgets' state when a link arrives (not when the URL
    holds what this page wrote itself). Returns notices about parameters that could not be used."""
    given = {k: st.query_params.get(k) for k in URL_KEYS}
    given = {k: v for k, v in given.items() if v}
    if not given or given == st.session_state.get(URL_WRITTEN):
        return []
    notices = []
    if "year" in given:
        year = int(given["year"]) if given["year"].isdigit() else None
        if year in years:
            st.session_state[YEAR_KEY] = year
        else:
            notices.append(f"链接中的年度“{given['year']}”没有数据，已显示默认年度。")
    if "measure" in given:
        if given["measure"] in MEASURES:
            st.session_state[MEASURE_KEY] = given["measure"]
        else:
            notices.append(f"链接中的指标“{given['measure']}”不存在，已显示默认指标。")
    if "industry" in given:
        if given["industry"] in groups:
            st.session_state[GROUP_KEY] = given["industry"]
        else:
            notices.append(f"链接中的行业“{given['industry']}”不存在，已显示重点行业合计。")
    if "province" in given:
        code = given["province"]
        if code in options:
            st.session_state[PROVINCE_KEY] = code
        elif code in names and viewer.role == "provincial":
            own = viewer.province
            st.session_state[PROVINCE_KEY] = own
            notices.append(f"您的账号只能查看本省详情，无法查看{names[code]}的详情；已显示{names.get(own, own)}。")
        else:
            notices.append(f"链接中的省份代码“{code}”不存在，已显示默认省份。")
    return notices


def _write_url(year: int, measure: Measure, group: str, province: str) -> None:
    wanted = {"year": str(year), "measure": measure.key, "industry": group, "province": province}
    if {k: st.query_params.get(k) for k in URL_KEYS} != wanted:
        st.query_params.from_dict(wanted)
    st.session_state[URL_WRITTEN] = wanted


# ------------------------------------------------------------------ clicks


def _select_from(key: str) -> None:
    code = drawing.selected(key)
    if code and code in st.session_state.get(OPTIONS_KEY, ()):
        st.session_state[PROVINCE_KEY] = code
    elif code:
        st.session_state["_hs_refused"] = code


def _on_map_select() -> None:
    _select_from(MAP_KEY)


def _on_ranking_select() -> None:
    _select_from(RANKING_KEY)


# ------------------------------------------------------------------ pieces


def _figure(title: str, value, decimals: int, help: str | None = None, change=None, unit: str = "") -> Kpi:
    """A figure with its change from the previous year (lower is better: a rise is red)."""
    return Kpi(title, charts.format_value(value, decimals), help=help,
               **kpi_cards.change(_delta(change, decimals, unit)))


def _target_path_help(pub: data.Publication) -> str | None:
    plan = data.load(pub, data.PLAN_CYCLES)
    if plan is None or plan.empty:
        return None
    p = plan.iloc[0]
    b, r = int(p["baseline_year"]), float(p["annual_reduction"])
    return f"{p['plan_name']}的目标路径：t(Y) = 基期({b}年)值 × (1 − {r:g} × (Y − {b}))"


def _lead(hotspots: pd.DataFrame, *, year: int, group: str, group_name: str, pub: data.Publication) -> None:
    """KPIs and the ranking of the provinces by their gap to the target path."""
    this = hotspots[(hotspots["year"] == year) & (hotspots["industry_group"] == group)]
    before = hotspots[(hotspots["year"] == year - 1) & (hotspots["industry_group"] == group)]
    provinces, previous = this[~this["is_national"]], before[~before["is_national"]]
    national = this[this["is_national"]]
    order = gap.ranked(provinces)
    behind, rated = gap.behind_count(provinces)

    figures = []
    if not national.empty and not pd.isna(national.iloc[0]["injury_rate_per_1000"]):
        n = national.iloc[0]
        figures.append(Kpi(f"全国{group_name}工伤事故发生率", f"{charts.format_value(n['injury_rate_per_1000'], 4)}‰",
                           help="全国为已报送省份之和。变化为与上年公布值之差，下降为好（绿色）。",
                           **kpi_cards.change(_delta(n["injury_rate_per_1000_change"], 4, "‰"))))
        status = n["target_status"]
        if pd.isna(n["target_injury_rate_per_1000"]):  # no base-year rate: no target path to compare with
            path_help = _target_path_help(pub)
            figures.append(Kpi("全国目标路径值", "无数据",
                               help="没有目标路径值：目标路径由基期发生率推算，已发布的数据中没有基期的发生率。"
                                    + (f"\n\n{path_help}" if path_help else "")))
        else:
            figures.append(Kpi("全国目标路径值", f"{charts.format_value(n['target_injury_rate_per_1000'], 4)}‰",
                               delta=f"差距 {gap.gap_text(n)} {gap.status_label(status, n['injury_rate_gap_per_1000'])}",
                               tone=kpi_cards.BAD if status == gap.BEHIND else kpi_cards.GOOD,
                               help=_target_path_help(pub)))
    else:
        figures += [Kpi(f"全国{group_name}工伤事故发生率", "无数据"), Kpi("全国目标路径值", "无数据")]
    prev_behind, prev_rated = gap.behind_count(previous)
    compare = rated and prev_rated
    moved = behind - prev_behind
    figures.append(Kpi("劣于目标省份", f"{behind}/{rated}" if rated else "无数据",
                       help="重点行业工伤事故发生率高于目标路径值的省份数 / 有发生率的已报送省份数（兵团计入）。",
                       **(kpi_cards.change(f"{moved:+d} 个" if moved else "持平",
                                           note=f"较上年（{prev_behind}/{prev_rated}）") if compare else {})))
    if len(order):
        worst = order.iloc[0]
        figures.append(Kpi("差距最大", worst["province_name"],
                           delta=f"{gap.signed(worst['injury_rate_gap_pct'], 2)}% "
                                 f"{gap.status_label(worst['target_status'], worst['injury_rate_gap_per_1000'])}",
                           tone=kpi_cards.BAD if worst["target_status"] == gap.BEHIND else kpi_cards.GOOD))
    else:
        figures.append(Kpi("差距最大", "无数据"))
    kpi_cards.show(figures, key="hs_kpis")

    lagging = order[order["target_status"] == gap.BEHIND]
    if len(lagging):
        who = "、".join(f"**{r.province_name}**（{gap.signed(r.injury_rate_gap_pct, 2)}%）" for r in lagging.itertuples())
        st.markdown(f":red[**劣于目标路径：**] {who}")
    elif rated:
        st.markdown(":green[**所有已报送省份均优于或达到目标路径。**]")


def _delta(change, decimals: int, unit: str = "") -> str | None:
    if change is None or pd.isna(change):
        return None
    return f"{float(change):+,.{decimals}f}{unit}" if decimals else f"{int(change):+,}{unit}"


def _ranking(hotspots: pd.DataFrame, *, year: int, group: str, short: dict[str, str], highlight: str | None,
             unreported: int, link) -> None:
    this = hotspots[(hotspots["year"] == year) & (hotspots["industry_group"] == group) & ~hotspots["is_national"]]
    order = gap.ranked(this)
    if order.empty:
        st.info(f"{year}年没有可与目标路径比较的省份数据。")
        return
    drawing.show(gap.ranking_drawing(order, short_names=short, highlight=highlight, link=link, key=RANKING_KEY),
                 key=RANKING_KEY, on_select=_on_ranking_select)
    st.caption("条形：实际发生率（红色劣于目标，蓝色优于或达到目标）；黑色竖线：目标路径值；"
               "右侧：与目标的差距占目标值的百分比。按差距从大到小排列，点击条形可查看该省详情。"
               + (f"未报送的 {unreported} 个省份无数据，不参加排名。" if unreported else ""))


def _map(hotspots: pd.DataFrame, by_province: pd.DataFrame, *, measure: Measure, group: str, names, short,
         selected: str, link) -> None:
    same_group = hotspots[(hotspots["industry_group"] == group) & ~hotspots["is_national"]]
    shown = by_province.assign(
        province_name=by_province["province_code"].map(names).fillna(by_province["province_name"]))
    hover = [gap.hover_text(r, measure, r["province_name"]) for _, r in shown.iterrows()]
    if measure.has_target:
        scale = gap.gap_scale(same_group["injury_rate_gap_pct"].astype(float))
        value = shown["injury_rate_gap_pct"].astype(float)
    else:
        scale = gap.measure_scale(same_group[measure.column].astype(float), measure)
        value = shown[measure.column].astype(float)
    values = pd.DataFrame({"province_code": shown["province_code"], "province_name": shown["province_name"],
                           "value": value, "hover": hover})
    markup = map_svg.province_map(values, scale=scale, decimals=2 if measure.has_target else measure.decimals,
                                  boundaries=load_boundaries(), short_names=short, selected=selected, link=link,
                                  key=MAP_KEY)
    drawing.show(markup, key=MAP_KEY, on_select=_on_map_select)
    if measure.has_target:
        st.caption("蓝色：优于目标路径；红色：劣于目标路径；颜色深浅为与目标的差距占目标值的百分比，"
                   "各年度使用同一色阶，可直接比较。灰色：未报送/无数据（台湾省、香港、澳门无报送数据）。"
                   "新疆生产建设兵团没有单独的行政区域，以新疆境内的圆点表示。点击省份或兵团圆点可查看详情。")
    else:
        st.caption(f"颜色越深{measure.label.split('(')[0]}越高，各年度使用同一色阶（0 至 {scale.zmax:g}）。"
                   "灰色：未报送/无数据，不按零计（台湾省、香港、澳门无报送数据）。"
                   "新疆生产建设兵团没有单独的行政区域，以新疆境内的圆点表示。点击省份或兵团圆点可查看详情。")


def _watchlist_links(detail: pd.DataFrame, province: str, names: dict[str, str]) -> None:
    """Each industry of the province detail -> the watchlist filtered to that province and industry."""
    where = names.get(province, province) if province != NATIONAL else "全国"
    st.markdown(f"**{where}超标与隐患整改清单**（按行业）")
    rows = detail[~detail["industry_group"].isin([ALL_INDUSTRIES])]
    links = []
    for r in rows.itertuples():
        params = {} if province == NATIONAL else {"province": province}
        if r.industry_group != KEY_ALL:
            params["industry"] = r.industry_group
        links.append((r.industry_group_name if r.industry_group != KEY_ALL else "全部重点行业", params))
    cols = st.columns(min(len(links), 6) or 1)
    for i, (text, params) in enumerate(links):
        cols[i % len(cols)].page_link(WATCHLIST_PAGE, label=f"{text} →", query_params=params,
                                      help=f"打开超标与隐患整改清单：{where} · {text}")


# ------------------------------------------------------------------ the page


def render() -> None:
    viewer = auth.require_page(auth.HOTSPOTS)
    pub = provenance.require_publication()
    st.title("热点总览")

    hotspots = data.load(pub, data.HOTSPOTS)
    if hotspots is None or hotspots.empty:
        st.info("已发布的数据中没有热点指标（mart_hotspots），暂无可显示的内容。")
        return
    provinces = data.load(pub, data.PROVINCES)
    if provinces is None:
        provinces = hotspots[["province_code", "province_name"]].drop_duplicates().assign(
            province_short=lambda f: f["province_name"])
    names = dict(zip(provinces["province_code"], provinces["province_name"]))
    short = dict(zip(provinces["province_code"], provinces["province_short"]))
    key_industries = data.load(pub, data.KEY_INDUSTRIES)
    key_order = list(dict.fromkeys(key_industries["key_industry_code"])) if key_industries is not None else []
    groups = _industry_groups(hotspots, key_order)

    years = _reported_years(hotspots)
    if not years:
        st.info("尚无任何省份报送数据，暂无可显示的热点指标。")
        return
    options = [NATIONAL] + sorted(c for c in names if c != NATIONAL and viewer.sees_details_of(c))
    st.session_state[OPTIONS_KEY] = tuple(options)
    notices = _read_url(years=years, groups=groups, options=options, names=names, viewer=viewer)
    if PROVINCE_KEY not in st.session_state or st.session_state[PROVINCE_KEY] not in options:
        st.session_state[PROVINCE_KEY] = NATIONAL if viewer.role != "provincial" else viewer.province
    if st.session_state.get(YEAR_KEY) not in years:
        st.session_state[YEAR_KEY] = _default_year(hotspots, years)

    c1, c2, c3 = st.columns(3)
    provisional = coverage.provisional_years(data.load(pub, data.COVERAGE))
    year = c1.selectbox("年度", years, key=YEAR_KEY, format_func=lambda y: coverage.year_label(y, provisional))
    measure = MEASURES[c2.selectbox("指标", list(MEASURES), key=MEASURE_KEY, format_func=lambda k: MEASURES[k].label)]
    group = c3.selectbox("行业", list(groups), key=GROUP_KEY, format_func=groups.get)
    for notice in notices:
        st.info(notice)
    refused = st.session_state.pop("_hs_refused", None)
    if refused:
        st.info(f"您的账号只能查看本省详情，无法查看{names.get(refused, refused)}的详情。")

    selection = hotspots[(hotspots["year"] == year) & (hotspots["industry_group"] == group)]
    by_province = selection[~selection["is_national"]]
    reported = set(by_province.loc[_reported(by_province), "province_code"])
    unreported = by_province["province_code"].nunique() - len(reported)
    st.caption(f"已报送省份 {len(reported)}/{by_province['province_code'].nunique()}：全国数据为已报送省份之和；"
               "未报送的省份显示为“未报送/无数据”（灰色），不按零计，不参加排名。")
    if year in provisional:
        st.warning(f"{year}年为预评估：截至数据日期，该年仍有应报数据未到报送期限，数字可能随后续报送而变化。")

    # -------------------------------------------------------------- who lags: KPIs, ranking, map
    def link(code: str) -> str:
        """A province's view as a link (opened in a new tab, or shared): the page's URL contract."""
        return "?" + urlencode({"year": year, "measure": measure.key, "industry": group, "province": code})

    st.subheader(f"{year}年 {groups[group]}工伤事故发生率：谁落后于目标路径")
    _lead(hotspots, year=year, group=group, group_name=groups[group], pub=pub)
    left, right = st.columns([5, 7], gap="medium")
    with left:
        st.markdown("**各省实际与目标（差距大者在前）**")
        _ranking(hotspots, year=year, group=group, short=short, highlight=st.session_state[PROVINCE_KEY],
                 unreported=unreported, link=link)
    with right:
        title = "与目标路径的差距" if measure.has_target else measure.label
        st.markdown(f"**{year}年 各省{groups[group]}{title}**")
        if by_province[measure.column].notna().any():
            _map(hotspots, by_province, measure=measure, group=group, names=names, short=short,
                 selected=st.session_state[PROVINCE_KEY], link=link)
        else:
            st.info(f"{year}年没有{groups[group]}{measure.label}数据。")

    # -------------------------------------------------------------- province detail
    st.subheader("省份详情")
    province = st.selectbox("省份", options, key=PROVINCE_KEY, format_func=lambda c: names.get(c, c))
    _write_url(year, measure, group, province)
    province_rows = hotspots[hotspots["province_code"] == province]
    row = province_rows[(province_rows["year"] == year) & (province_rows["industry_group"] == group)]
    if province != NATIONAL and province not in reported:
        st.info(f"{names.get(province, province)}{year}年未报送任何数据（无数据，不按零计）。")
    elif row.empty:
        st.info(f"{names.get(province, province)}在{year}年没有{groups[group]}的数据。")
    else:
        r = row.iloc[0]
        status = gap.status_label(r["target_status"], r["injury_rate_gap_per_1000"])
        st.markdown(f"**{names.get(province, province)} · {year}年 · {groups[group]}**　"
                    + (f":{'red' if r['target_status'] == gap.BEHIND else 'green'}[**{status}**，"
                       f"差距 {gap.gap_text(r)}]" if not pd.isna(r["target_status"]) else ""))
        kpi_cards.show([
            _figure("工伤事故发生率(‰)", r["injury_rate_per_1000"], 4, change=r["injury_rate_per_1000_change"]),
            _figure(label("target_injury_rate_per_1000"), r["target_injury_rate_per_1000"], 4,
                    help=_target_path_help(pub)),
            _figure(label("fatalities"), r["fatalities"], 0, change=r["fatalities_change"]),
            _figure(label("accidents"), r["accidents"], 0, change=r["accidents_change"]),
            _figure(label("od_rate_per_100k"), r["od_rate_per_100k"], 4, change=r["od_rate_per_100k_change"]),
            _figure(label("exceedances"), r["exceedances"], 0, change=r["exceedances_change"]),
        ], key="hs_detail_kpis")

    trend = st.container()
    series = [("全国", hotspots[(hotspots["province_code"] == NATIONAL) & (hotspots["industry_group"] == KEY_ALL)])]
    if province != NATIONAL:
        series.append((names.get(province, province),
                       province_rows[province_rows["industry_group"] == KEY_ALL]))
    series = [(n, f.sort_values("year").rename(columns={"injury_rate_per_1000": "actual",
                                                       "target_injury_rate_per_1000": "target"}))
              for n, f in series]
    trend.markdown("**重点行业工伤事故发生率与目标路径（‰）**")
    if all(f["actual"].isna().all() for _, f in series):
        trend.info("没有重点行业工伤事故发生率数据。")
    else:
        with trend:
            drawing.show(_trend_drawing(series), key="hs_trend")

    detail = province_rows[province_rows["year"] == year].copy()
    if not detail.empty and (province == NATIONAL or province in reported):
        detail["order"] = detail["industry_group"].map({g: i for i, g in enumerate(groups)})
        detail = detail.sort_values("order")
        table = detail[DETAIL_COLUMNS].copy()
        table["target_status"] = [gap.status_label(s, g) if not pd.isna(s) else None
                                  for s, g in zip(table["target_status"], detail["injury_rate_gap_per_1000"])]
        st.markdown(f"**{names.get(province, province)} {year}年 各行业指标**")
        rates = ["injury_rate_per_1000", "target_injury_rate_per_1000", "od_rate_per_100k"]

        def header(column: str) -> str:
            return DETAIL_HEADERS.get(column) or label(column)

        formats = {header(c): (lambda v: f"{float(v):,.4f}") for c in rates} | {
            header("insured_workers"): lambda v: f"{float(v):,.2f}",
            header("injury_rate_per_1000_change"): lambda v: f"{float(v):+,.4f}",
            header("injury_rate_gap_pct"): lambda v: f"{float(v):+,.2f}%",
            header("injuries"): lambda v: f"{int(v):,}", header("fatalities"): lambda v: f"{int(v):,}",
            header("accidents"): lambda v: f"{int(v):,}", header("exceedances"): lambda v: f"{int(v):,}"}
        drawing.show(drawing.table(table.rename(columns=header), name="hs_detail", formats=formats,
                                   missing=MISSING), key="hs_detail")
        if table[rates + ["injury_rate_per_1000_change"]].isna().any().any():
            st.caption(f"表中“{MISSING}”表示该行业本年或上年没有参保职工或基期数据，比率或变化无法计算（不是零）。"
                       "差距(%)：与目标路径值之差占目标路径值的百分比，正数为劣于目标。")
        _watchlist_links(detail, province, names)

    # -------------------------------------------------------------- heat table
    _heat_table(hotspots, year=year, measure=measure, groups=groups, names=names, by_province=by_province,
                unreported=unreported)


def _trend_drawing(series: list[tuple[str, pd.DataFrame]]) -> str:
    """The key-industry injury rate (solid) and the plan's target path (dashed) of each series."""
    palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]
    years = sorted({int(y) for _, f in series for y in f["year"]})
    lines = []
    for i, (name, frame) in enumerate(series):
        by_year = frame.set_index(frame["year"].astype(int))
        colour = palette[i % len(palette)]
        for column, suffix, dashed in (("actual", " 实际", False), ("target", " 目标路径", True)):
            values = [float(by_year.at[y, column]) if y in by_year.index and pd.notna(by_year.at[y, column])
                      else None for y in years]
            lines.append(drawing.Series(name + suffix, colour, values, dashed=dashed))
    return drawing.lines(years, lines, name="hs_trend", y_title=label("injury_rate_per_1000"), decimals=4)


def _heat_table(hotspots: pd.DataFrame, *, year: int, measure: Measure, groups: dict[str, str], names,
                by_province: pd.DataFrame, unreported: int) -> None:
    title = "与目标路径的差距" if measure.has_target else measure.label
    st.subheader(f"{year}年 省份 × 重点行业：{title}")
    key_groups = [g for g in groups if g != ALL_INDUSTRIES]
    every_year = hotspots[hotspots["industry_group"].isin(key_groups)]
    heat = every_year[(every_year["year"] == year) & _reported(every_year)]
    if not heat[measure.column].notna().any():
        st.info(f"{year}年没有各重点行业的{measure.label}数据。")
        return
    order = [NATIONAL] + sorted(c for c in heat["province_code"].unique() if c != NATIONAL)
    # Only industries with a figure this year (a province's own key industry may have none).
    columns = [g for g in key_groups if heat.loc[heat["industry_group"] == g, measure.column].notna().any()]
    rows_by_cell = {(r["province_code"], r["industry_group"]): r for _, r in heat.iterrows()}
    colour_column = "injury_rate_gap_pct" if measure.has_target else measure.column
    scale = (gap.gap_scale(every_year.loc[~every_year["is_national"], "injury_rate_gap_pct"].astype(float))
             if measure.has_target else
             gap.measure_scale(every_year.loc[~every_year["is_national"], measure.column].astype(float), measure))
    cells = {}
    for code in order:
        for g in columns:
            r = rows_by_cell.get((code, g))
            value = None if r is None else r[measure.column]
            where = {"data-code": code, "data-group": g}
            if r is None or pd.isna(value):
                cells[(names.get(code, code), groups[g])] = drawing.Cell(drawing.EMPTY_CELL, "—", "无数据", where)
                continue
            counted = code == NATIONAL and not measure.has_target and measure.decimals == 0
            colour = r[colour_column]
            fill = drawing.EMPTY_CELL if counted or pd.isna(colour) else scale.colour_of(float(colour))
            text = (f"{charts.format_value(value, measure.decimals)}<br>"
                    f"{gap.change_text(r[measure.change_column], '', measure.decimals)}")
            tip = gap.hover_text(r, measure, f"{names.get(code, code)} · {groups[g]}")
            cells[(names.get(code, code), groups[g])] = drawing.Cell(
                fill, text, tip, where | {"data-value": repr(float(value))})
    span = scale.zmax - scale.zmin
    ticks = ([((v - scale.zmin) / span, t) for v, t in zip(scale.tickvals, scale.ticktext or ())]
             if scale.tickvals is not None else
             [(0.0, charts.format_value(scale.zmin, measure.decimals)),
              (1.0, charts.format_value(scale.zmax, measure.decimals))])
    legend = drawing.gradient_legend(scale.colours, ticks, title_text=scale.title, no_data=("无数据", drawing.EMPTY_CELL),
                                     gradient_id="ipx-scale-hs-heat", width=760,
                                     value_range=(scale.zmin, scale.zmax))
    drawing.show(drawing.grid([names.get(c, c) for c in order], [groups[g] for g in columns], cells, name="hs_heat",
                              bold=[names.get(NATIONAL, "全国")], legend=legend, corner="省份"), key="hs_heat")
    note = ("颜色：与目标路径的差距占目标值的百分比（蓝色优于目标，红色劣于目标，各年度同一色阶）；"
            "格内：实际发生率（‰）与较上年变化。" if measure.has_target else
            "格内：数值与较上年变化；颜色各年度同一色阶" + ("，全国合计行不着色。" if measure.decimals == 0 else "。"))
    st.caption(note + "“—”：该省该行业无数据（地方增列的重点行业只在增列省份统计）。"
               + (f"另有 {unreported} 个省份本年未报送，未列入表中。" if unreported else ""))


render()
