"""热点总览: the province map, the province x key-industry heat table, the key-industry injury
rate against the plan's target path, and one province's detail (all from marts.mart_hotspots)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import auth, charts, coverage, data, provenance
from dashboards.table_format import MISSING
from dashboards.geo import WITHOUT_POLYGON, load_boundaries
from dashboards.measures import ALL_INDUSTRIES, DETAIL_COLUMNS, KEY_ALL, MEASURES, NATIONAL, XPCC
from ipx.exports.labels import label

MAP_KEY, PROVINCE_KEY, OPTIONS_KEY = "hs_map", "hs_province", "_hs_province_options"


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


def _on_map_select() -> None:
    code = charts.selected_province(st.session_state.get(MAP_KEY))
    if code and code in st.session_state.get(OPTIONS_KEY, ()):
        st.session_state[PROVINCE_KEY] = code
    elif code:
        st.session_state["_hs_refused"] = code


def _metric(column, title: str, value, decimals: int, help: str | None = None) -> None:
    column.metric(title, charts.format_value(value, decimals), help=help)


def _target_path_help(pub: data.Publication) -> str | None:
    plan = data.load(pub, data.PLAN_CYCLES)
    if plan is None or plan.empty:
        return None
    p = plan.iloc[0]
    b, r = int(p["baseline_year"]), float(p["annual_reduction"])
    return f"{p['plan_name']}的目标路径：t(Y) = 基期({b}年)值 × (1 − {r:g} × (Y − {b}))"


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
    c1, c2, c3 = st.columns(3)
    default_year = _default_year(hotspots, years)
    provisional = coverage.provisional_years(data.load(pub, data.COVERAGE))
    year = c1.selectbox("年度", years, index=years.index(default_year), key="hs_year",
                        format_func=lambda y: coverage.year_label(y, provisional))
    measure = MEASURES[c2.selectbox("指标", list(MEASURES), key="hs_measure", format_func=lambda k: MEASURES[k].label)]
    group = c3.selectbox("行业", list(groups), key="hs_group", format_func=groups.get)
    measure_label = f"{groups[group]} {measure.label}"

    selection = hotspots[(hotspots["year"] == year) & (hotspots["industry_group"] == group)]
    by_province = selection[~selection["is_national"]]
    reported = set(by_province.loc[by_province["is_reported"].fillna(False).astype(bool), "province_code"])
    st.caption(f"已报送省份 {len(reported)}/{by_province['province_code'].nunique()}：全国数据为已报送省份之和；"
               "未报送的省份显示为“未报送/无数据”（灰色），不按零计。")
    if year in provisional:
        st.warning(f"{year}年为预评估：截至数据日期，该年仍有应报数据未到报送期限，数字可能随后续报送而变化。")
    values = by_province[["province_code", "province_name"]].assign(value=by_province[measure.column].astype(float))

    # -------------------------------------------------------------- map
    st.subheader(f"{year}年 各省{measure_label}")
    options = [NATIONAL] + sorted(c for c in names if c != NATIONAL and viewer.sees_details_of(c))
    st.session_state[OPTIONS_KEY] = tuple(options)
    if PROVINCE_KEY not in st.session_state or st.session_state[PROVINCE_KEY] not in options:
        st.session_state[PROVINCE_KEY] = NATIONAL if viewer.role != "provincial" else viewer.province
    if values["value"].notna().any():
        figure = charts.province_map(values, label=measure.label, decimals=measure.decimals,
                                     boundaries=load_boundaries(), short_names=short,
                                     selected=st.session_state[PROVINCE_KEY])
        st.plotly_chart(figure, key=MAP_KEY, on_select=_on_map_select, selection_mode="points",
                        config=charts.MAP_CONFIG)
        st.caption("点击地图上的省份可查看其详情。灰色：该年度无数据；浅灰：不在本计划报送范围。")
    else:
        st.info(f"{year}年没有{measure_label}数据。")
    refused = st.session_state.pop("_hs_refused", None)
    if refused:
        st.info(f"您的账号只能查看本省详情，无法查看{names.get(refused, refused)}的详情。")

    xpcc = by_province[by_province["province_code"] == XPCC]
    xpcc_value = charts.format_value(xpcc[measure.column].iloc[0], measure.decimals) if not xpcc.empty else "无数据"
    st.caption(
        f"新疆生产建设兵团（{XPCC}）没有单独的行政区域边界（辖区位于{names.get(WITHOUT_POLYGON[XPCC], '新疆')}境内），"
        f"地图上不单独着色：兵团{measure.label}为 {xpcc_value}。兵团的数据见下方表格，也可在“省份详情”中选择兵团。")

    # -------------------------------------------------------------- province detail
    st.subheader("省份详情")
    province = st.selectbox("省份", options, key=PROVINCE_KEY, format_func=lambda c: names.get(c, c))
    province_rows = hotspots[hotspots["province_code"] == province]
    row = province_rows[(province_rows["year"] == year) & (province_rows["industry_group"] == group)]
    if province != NATIONAL and province not in reported:
        st.info(f"{names.get(province, province)}{year}年未报送任何数据（无数据，不按零计）。")
    elif row.empty:
        st.info(f"{names.get(province, province)}在{year}年没有{groups[group]}的数据。")
    else:
        r = row.iloc[0]
        st.markdown(f"**{names.get(province, province)} · {year}年 · {groups[group]}**")
        cols = st.columns(6)
        _metric(cols[0], "工伤事故发生率(‰)", r["injury_rate_per_1000"], 4)
        _metric(cols[1], label("target_injury_rate_per_1000"), r["target_injury_rate_per_1000"], 4,
                help=_target_path_help(pub))
        _metric(cols[2], label("fatalities"), r["fatalities"], 0)
        _metric(cols[3], label("accidents"), r["accidents"], 0)
        _metric(cols[4], label("od_rate_per_100k"), r["od_rate_per_100k"], 4)
        _metric(cols[5], label("exceedances"), r["exceedances"], 0)

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
        trend.plotly_chart(charts.trend_chart(series, label=label("injury_rate_per_1000")), key="hs_trend",
                           config=charts.CHART_CONFIG)

    detail = province_rows[province_rows["year"] == year].copy()
    if not detail.empty:
        detail["order"] = detail["industry_group"].map({g: i for i, g in enumerate(groups)})
        detail = detail.sort_values("order")[DETAIL_COLUMNS]
        st.markdown(f"**{names.get(province, province)} {year}年 各行业指标**")
        rates = ["injury_rate_per_1000", "baseline_injury_rate_per_1000", "target_injury_rate_per_1000",
                 "od_rate_per_100k"]
        st.dataframe(detail.rename(columns=label), hide_index=True, key="hs_detail", placeholder=MISSING,
                     column_config={label(c): st.column_config.NumberColumn(format="%.4f") for c in rates}
                     | {label("insured_workers"): st.column_config.NumberColumn(format="%.2f")})
        if detail[rates].isna().any().any():
            st.caption(f"表中“{MISSING}”表示该行业本年没有参保职工或基期数据，比率无法计算（不是零）。")

    # -------------------------------------------------------------- heat table
    st.subheader(f"{year}年 省份 × 重点行业：{measure.label}")
    key_groups = [g for g in groups if g != ALL_INDUSTRIES]
    heat = hotspots[(hotspots["year"] == year) & hotspots["industry_group"].isin(key_groups)
                    & hotspots["is_reported"].fillna(False).astype(bool)]
    if heat[measure.column].notna().any():
        pivot = heat.pivot_table(index="province_code", columns="industry_group", values=measure.column,
                                 aggfunc="first", dropna=False)
        order = [NATIONAL] + sorted(c for c in pivot.index if c != NATIONAL)
        pivot = pivot.reindex(index=[c for c in order if c in pivot.index],
                              columns=[g for g in key_groups if g in pivot.columns]).astype(float)
        pivot.index = [names.get(c, c) for c in pivot.index]
        pivot.columns = [groups[g] for g in pivot.columns]
        st.plotly_chart(charts.heat_table(pivot, label=measure.label, decimals=measure.decimals), key="hs_heat",
                        config=charts.CHART_CONFIG)
        missing = len(by_province) and by_province["province_code"].nunique() - len(reported)
        st.caption("“—”：该省该行业无数据（地方增列的重点行业只在增列省份统计）。"
                   + (f"另有 {missing} 个省份本年未报送，未列入表中。" if missing else ""))
    else:
        st.info(f"{year}年没有各重点行业的{measure.label}数据。")


render()
