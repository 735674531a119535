"""热点总览: who lags behind the target path first (KPIs, the ranking by gap, the map of the gap on a
diverging scale centred on the target, one range for every year), then the map of any measure, the
heat table, trend and province detail, all as marts.mart_hotspots publishes them, for every
measure, year, industry group and province chosen; the view kept in the URL; the boundaries are
China's (Taiwan, Hong Kong and Macao grey "no data" like any province without data; the corps a
marker inside Xinjiang)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import shapely
from dashboard_support import figure, metrics, table, texts, values
from shapely.geometry import shape
from streamlit.proto.Metric_pb2 import Metric

from dashboards import charts
from dashboards import target_gap_charts as gap
from dashboards.geo import LABEL_POSITIONS, MAINLAND_PROVINCES, OUTSIDE_PLAN, XPCC_POINT, load_boundaries
from dashboards.measures import MEASURES

PAGE = "views/hotspots.py"


def _hotspots(mart, year: int, group: str) -> pd.DataFrame:
    return mart("SELECT * FROM marts.mart_hotspots WHERE year = ? AND industry_group = ? ORDER BY province_code",
                [year, group])


def _map_values(spec: dict) -> dict[str, float]:
    """Province -> value of the coloured choropleth traces of the main view."""
    out = {}
    for trace in spec["data"]:
        if trace["type"] == "choropleth" and trace.get("coloraxis") and trace.get("geo", "geo") == "geo":
            out.update(zip(values(trace["locations"]), values(trace["z"])))
    return out


def _grey(spec: dict) -> set[str]:
    return {c for t in spec["data"] if t["type"] == "choropleth" and t.get("name") == "无数据"
            and t.get("geo", "geo") == "geo" for c in t["locations"]}


def _grey_trace(spec: dict) -> dict:
    return next(t for t in spec["data"] if t["type"] == "choropleth" and t.get("name") == "无数据"
                and t.get("geo", "geo") == "geo")


def _xpcc_marker(spec: dict) -> dict:
    return next(t for t in spec["data"] if t["type"] == "scattergeo" and t.get("name") == "新疆生产建设兵团")


def _labels(spec: dict) -> dict[str, tuple[float, float, str]]:
    """Label text -> (lon, lat, trace name) of the province names on the main view."""
    out = {}
    for t in spec["data"]:
        if t["type"] == "scattergeo" and str(t.get("name", "")).startswith("省份名称"):
            for text, lon, lat in zip(t["text"], values(t["lon"]), values(t["lat"])):
                out[text] = (lon, lat, t["name"])
    return out


def _expected(frame_: pd.DataFrame, column: str) -> dict[str, float]:
    rows = frame_[~frame_["is_national"] & frame_[column].notna() & (frame_["province_code"] != "660000")]
    return {r.province_code: float(getattr(r, column)) for r in rows.itertuples()}


def _mapped_column(measure: str) -> str:
    """The injury rate is mapped as its gap to the target (%); other measures as they are."""
    return "injury_rate_gap_pct" if MEASURES[measure].has_target else MEASURES[measure].column


def test_default_view_maps_the_gap_of_the_latest_key_industry_injury_rate(signed_in, mart):
    at = signed_in("nat", PAGE)
    national = mart("SELECT max(year) AS y FROM marts.mart_hotspots WHERE province_code = '000000' "
                    "AND industry_group = 'key_all' AND injury_rate_per_1000 IS NOT NULL")
    year = int(national["y"][0])
    assert at.selectbox(key="hs_year").value == year
    assert at.selectbox(key="hs_measure").value == "injury_rate"
    assert at.selectbox(key="hs_group").value == "key_all"

    spec = figure(at, "hs_map")
    expected = _expected(_hotspots(mart, year, "key_all"), "injury_rate_gap_pct")
    assert expected, "the small build has provinces with data"
    assert _map_values(spec) == pytest.approx(expected)
    # every other mainland province, Taiwan, Hong Kong and Macao: the same grey, "no data"
    assert _grey(spec) == set(MAINLAND_PROVINCES) - set(expected) | set(OUTSIDE_PLAN)
    # the boundaries travel inside the figure: no request for Plotly's world map
    assert spec["layout"]["geo"]["visible"] is False
    assert charts.MAP_CONFIG["topojsonURL"].startswith("data:")
    assert "cdn.plot.ly" not in json.dumps(spec)
    assert not at.exception


@pytest.mark.parametrize("measure", list(MEASURES))
@pytest.mark.parametrize("group", ["key_all", "construction", "all"])
def test_every_measure_and_industry_is_mapped_as_published(signed_in, mart, measure, group):
    at = signed_in("nat", PAGE)
    at.selectbox(key="hs_year").set_value(2021)
    at.selectbox(key="hs_measure").set_value(measure)
    at.selectbox(key="hs_group").set_value(group)
    at.run()
    assert not at.exception
    column = _mapped_column(measure)
    published = _hotspots(mart, 2021, group)
    expected = _expected(published, column)
    spec = figure(at, "hs_map")
    assert _map_values(spec) == pytest.approx(expected)
    # the corps is a marker on the map, coloured on the same scale by its own figure
    xpcc = published[published["province_code"] == "660000"].iloc[0]
    marker = _xpcc_marker(spec)
    assert marker["customdata"][0][0] == "660000"
    if pd.isna(xpcc[column]):
        assert marker["marker"]["color"] == charts.NO_DATA_COLOUR
    else:
        assert values(marker["marker"]["color"]) == pytest.approx([float(xpcc[column])])
        assert marker["marker"]["coloraxis"] == "coloraxis"
        shown = charts.format_value(xpcc[MEASURES[measure].column], MEASURES[measure].decimals)
        assert shown in marker["customdata"][0][1]


def test_years_and_provinces_without_deliveries_are_no_data_never_zero(signed_in, mart):
    """Spec 5 (v1.1): a year nobody delivered is not offered; a province that delivered nothing
    is grey 未报送 on count measures too (not coloured as 0), and coverage is stated."""
    empty_years = mart("SELECT year FROM marts.mart_hotspots WHERE province_code = '000000' "
                       "AND industry_group = 'key_all' AND NOT is_reported ORDER BY year")
    assert len(empty_years), "the small build has plan years without deliveries"
    at = signed_in("nat", PAGE)
    assert set(empty_years["year"]).isdisjoint(at.selectbox(key="hs_year").options)
    at.selectbox(key="hs_year").set_value(2021)
    at.selectbox(key="hs_measure").set_value("fatalities")
    at.run()
    assert not at.exception
    spec = figure(at, "hs_map")
    coloured = set(_map_values(spec))
    assert coloured == {"440000", "510000"}  # the corps has no polygon of its own: a marker
    assert _grey(spec) == set(MAINLAND_PROVINCES) - coloured | set(OUTSIDE_PLAN)
    grey = _grey_trace(spec)
    tips = dict(zip(grey["locations"], (c[1] for c in grey["customdata"])))
    assert "未报送" in tips["410000"] and "0" not in tips["410000"].split("<br>")[1]
    unreported = mart("SELECT * FROM marts.mart_hotspots WHERE year = 2021 AND industry_group = 'key_all' "
                      "AND NOT is_reported")
    assert len(unreported) == 29 and unreported["fatalities"].isna().all()
    assert "已报送省份 3/32" in texts(at)
    at.selectbox(key="hs_province").set_value("410000").run()
    assert any("河南省2021年未报送任何数据" in i.value for i in at.info)


def test_heat_table_is_the_province_by_key_industry_figures(signed_in, mart):
    at = signed_in("nat", PAGE)
    at.selectbox(key="hs_year").set_value(2022)
    at.selectbox(key="hs_measure").set_value("fatalities")
    at.run()
    heat = figure(at, "hs_heat")["data"]
    spec = next(t for t in heat if t["type"] == "heatmap" and t["name"] == "工亡人数")
    published = mart("SELECT h.province_name, h.industry_group_name, h.fatalities, h.fatalities_change "
                     "FROM marts.mart_hotspots h WHERE year = 2022 AND industry_group <> 'all' AND is_reported "
                     "AND fatalities IS NOT NULL")
    assert spec["y"][0] == "全国" and "新疆生产建设兵团" in spec["y"]
    assert spec["x"][0] == "重点行业合计" and "全部行业" not in spec["x"]
    cells = {(y, x): z for y, row in zip(values(spec["y"]), values(spec["z"])) for x, z in zip(values(spec["x"]), row)}
    expected = {(r.province_name, r.industry_group_name): r.fatalities for r in published.itertuples()}
    assert set(expected) <= set(cells)
    # provinces are coloured by their figure; the national sum is written but not coloured (it
    # would dwarf every province on a count measure); an industry without a row stays empty
    assert cells == {cell: None if cell[0] == "全国" else expected.get(cell) for cell in cells}
    # each cell reads its figure and its change from the previous year
    words = {(y, x): w for t in heat if t["type"] == "scatter" for y, x, w in zip(t["y"], t["x"], t["text"])}
    for r in published.itertuples():
        text = words[(r.province_name, r.industry_group_name)]
        assert text.split("<br>")[0] == charts.format_value(r.fatalities, 0)
        assert text.split("<br>")[1] == gap.change_text(r.fatalities_change, "", 0)
    assert any("较上年 −" in t or "较上年 +" in t for t in words.values())
    # provinces that delivered nothing are not rows of 0s: they are left out and counted below
    assert set(values(spec["y"])) == {"全国", "广东省", "四川省", "新疆生产建设兵团"}
    assert "另有 29 个省份本年未报送" in texts(at)


def test_trend_is_the_key_industry_rate_against_the_target_path(signed_in, mart):
    at = signed_in("nat", PAGE)
    at.selectbox(key="hs_province").set_value("440000").run()
    assert not at.exception
    traces = {t["name"]: t for t in figure(at, "hs_trend")["data"]}
    assert set(traces) == {"全国 实际", "全国 目标路径", "广东省 实际", "广东省 目标路径"}
    for code, name in (("000000", "全国"), ("440000", "广东省")):
        published = mart("SELECT year, injury_rate_per_1000 AS r, target_injury_rate_per_1000 AS t "
                         "FROM marts.mart_hotspots WHERE province_code = ? AND industry_group = 'key_all' "
                         "ORDER BY year", [code])
        assert values(traces[f"{name} 实际"]["x"]) == list(published["year"])
        actual = values(traces[f"{name} 实际"]["y"])
        assert [v is None for v in actual] == list(published["r"].isna())
        assert [v for v in actual if v is not None] == pytest.approx(list(published["r"].dropna()))
        assert values(traces[f"{name} 目标路径"]["y"]) == pytest.approx(list(published["t"]))


@pytest.mark.parametrize("province", ["440000", "660000", "000000"])
def test_province_detail_shows_its_published_figures(signed_in, mart, province):
    at = signed_in("nat", PAGE)
    at.selectbox(key="hs_year").set_value(2021)
    at.selectbox(key="hs_province").set_value(province)
    at.run()
    row = mart("SELECT * FROM marts.mart_hotspots WHERE province_code = ? AND year = 2021 "
               "AND industry_group = 'key_all'", [province]).iloc[0]
    shown = metrics(at)
    plan = mart("SELECT plan_name, annual_reduction FROM reference.plan_cycles").iloc[0]
    target_help = next(m.help for m in at.metric if m.label == "目标路径值(‰)")
    assert plan["plan_name"] in target_help and f"{plan['annual_reduction']:g}" in target_help
    assert shown["工伤事故发生率(‰)"] == charts.format_value(row["injury_rate_per_1000"], 4)
    assert shown["目标路径值(‰)"] == charts.format_value(row["target_injury_rate_per_1000"], 4)
    assert shown["工亡人数"] == charts.format_value(row["fatalities"], 0)
    assert shown["生产安全事故数"] == charts.format_value(row["accidents"], 0)
    assert shown["职业病发病率(1/10万)"] == charts.format_value(row["od_rate_per_100k"], 4)
    assert shown["超标样本数"] == charts.format_value(row["exceedances"], 0)

    detail = table(at, "行业", "工伤事故数")
    published = mart("SELECT industry_group_name, injuries, insured_workers FROM marts.mart_hotspots "
                     "WHERE province_code = ? AND year = 2021", [province])
    assert sorted(detail["行业"]) == sorted(published["industry_group_name"])
    merged = detail.merge(published, left_on="行业", right_on="industry_group_name")
    assert list(merged["工伤事故数"]) == list(merged["injuries"])
    assert list(merged["参保职工数(年均)"].astype(float)) == pytest.approx(list(merged["insured_workers"]),
                                                                      nan_ok=True)


def test_a_provincial_user_chooses_only_the_nation_or_its_own_province(signed_in):
    at = signed_in("gd", PAGE)
    box = at.selectbox(key="hs_province")
    assert box.options == ["全国", "广东省"]
    assert box.value == "440000"
    with pytest.raises(ValueError, match="四川省"):  # not among the options
        box.set_value("510000").run()
    # the map itself (province aggregates) is shown to every role that opens the page
    assert "hs_map" in {e.key for e in at.get("plotly_chart")}


def test_a_click_on_the_map_is_read_as_a_province():
    assert charts.selected_province({"selection": {"points": [{"location": "650000", "z": 3}]}}) == "650000"
    # the corps' marker and the ranking's bars carry the code as customdata[0]
    assert charts.selected_province({"selection": {"points": [{"lat": 44.3, "customdata": ["660000", "x"]}]}}) \
        == "660000"
    assert charts.selected_province({"selection": {"points": [{"customdata": ["兵团", "x"]}]}}) is None
    assert charts.selected_province({"selection": {"points": []}}) is None
    assert charts.selected_province(None) is None


# ------------------------------------------------------------------ boundaries


def test_boundaries_are_china_s_provinces_simplified_and_oriented_for_plotly():
    b = load_boundaries()
    assert sorted(b.codes) == sorted(list(MAINLAND_PROVINCES) + list(OUTSIDE_PLAN))
    assert "660000" not in b.codes
    # the corps' marker lies inside Xinjiang, away from Xinjiang's own label
    xinjiang = shape(next(f for f in b.main["features"] if f["id"] == "650000")["geometry"])
    assert xinjiang.contains(shapely.Point(*XPCC_POINT))
    assert shapely.Point(*XPCC_POINT).distance(shapely.Point(*b.label_points["650000"])) > 2
    size = len(json.dumps(b.main)) + len(json.dumps(b.inset))
    assert size < 400_000
    for feature in b.main["features"]:
        geometry = shape(feature["geometry"])
        assert geometry.is_valid, feature["id"]
        for polygon in getattr(geometry, "geoms", [geometry]):
            # d3-geo (plotly.js) needs clockwise exterior rings, or it fills the rest of the globe
            assert not polygon.exterior.is_ccw, feature["id"]
        lon, lat = b.label_points[feature["id"]]
        assert geometry.buffer(0.01).contains(shapely.Point(lon, lat)), feature["id"]
    # the South China Sea islands are in the inset, with Hainan
    inset = {f["id"]: shape(f["geometry"]) for f in b.inset["features"]}
    assert {"440000", "450000", "460000", "710000"} <= set(inset) and "110000" not in inset
    assert all(not g.is_empty for g in inset.values())
    assert inset["460000"].bounds[1] < 10
    assert shape(next(f for f in b.main["features"] if f["id"] == "460000")["geometry"]).bounds[1] > 17
    # Guangdong is where it should be
    gd = shape(next(f for f in b.main["features"] if f["id"] == "440000")["geometry"])
    assert gd.contains(shapely.Point(113.26, 23.13))  # Guangzhou


def test_map_traces_carry_their_own_boundaries():
    b = load_boundaries()
    shown = pd.DataFrame({"province_code": ["440000", "510000"], "province_name": ["广东省", "四川省"],
                          "value": [1.5, 2.5]})
    spec = json.loads(charts.province_map(shown, label="x", decimals=1, boundaries=b,
                                          short_names={"440000": "广东"}, selected="510000").to_json())
    for trace in spec["data"]:
        if trace["type"] == "choropleth":
            features = charts.decode_geojson(trace["geojson"])["features"]
            assert sorted(f["id"] for f in features) == sorted(values(trace["locations"]))
    selected = [t for t in spec["data"] if t.get("name") == "所选省份"]
    assert [values(t["locations"]) for t in selected] == [["510000"]]


def test_a_provisional_year_is_marked_as_such(app_env, monkeypatch, publish_copy, signed_in):
    """A year whose deliveries are not all due at the as-of time is labelled 预评估 with a warning."""
    monkeypatch.setenv("IPX_WAREHOUSE", str(publish_copy(
        "UPDATE marts.mart_assessment_coverage SET is_provisional = (year = 2022)")))
    at = signed_in("nat", PAGE)
    assert at.selectbox(key="hs_year").value == 2022
    assert "2022年（预评估）" in at.selectbox(key="hs_year").options
    assert any("2022年为预评估" in w.value for w in at.warning)
    at.selectbox(key="hs_year").set_value(2021).run()
    assert not at.exception and not at.warning
    assert "2021年" in at.selectbox(key="hs_year").options


# ------------------------------------------------------------------ who lags behind the target path


def _coloraxis(spec: dict) -> dict:
    return spec["layout"]["coloraxis"]


def test_the_gap_scale_is_centred_on_the_target_and_the_same_in_every_year(signed_in, mart):
    """The injury-rate map colours the gap in % on a diverging scale symmetric around 0 (the target),
    with one range for every year, wide enough for the largest gap of any province in any year."""
    largest = float(mart("SELECT max(abs(injury_rate_gap_pct)) AS m FROM marts.mart_hotspots "
                         "WHERE industry_group = 'key_all' AND NOT is_national")["m"][0])
    at = signed_in("nat", PAGE)
    axes = {}
    for year in (2021, 2022):
        at.selectbox(key="hs_year").set_value(year).run()
        assert not at.exception
        axes[year] = _coloraxis(figure(at, "hs_map"))
    assert axes[2021]["cmin"] == axes[2022]["cmin"] and axes[2021]["cmax"] == axes[2022]["cmax"]
    axis = axes[2022]
    assert axis["cmin"] == -axis["cmax"] and axis["cmax"] >= largest > 0
    # the middle of the colour scale (the target, gap 0) is the neutral colour; better is blue, worse red
    scale = {round(float(at_), 3): colour for at_, colour in axis["colorscale"]}
    assert scale[0.5] == "#f7f7f7" and scale[0.0] == gap.DIVERGING[0][1] and scale[1.0] == gap.DIVERGING[-1][1]
    ticks = dict(zip(axis["colorbar"]["tickvals"], axis["colorbar"]["ticktext"]))
    assert ticks[0] == "目标"
    assert ticks[axis["cmin"]].startswith("优于目标") and ticks[axis["cmax"]].startswith("劣于目标")


def test_count_measures_keep_a_sequential_scale_with_one_range_for_every_year(signed_in, mart):
    largest = float(mart("SELECT max(fatalities) AS m FROM marts.mart_hotspots "
                         "WHERE industry_group = 'key_all' AND NOT is_national")["m"][0])
    at = signed_in("nat", PAGE)
    at.selectbox(key="hs_measure").set_value("fatalities")
    axes = {}
    for year in (2021, 2022):
        at.selectbox(key="hs_year").set_value(year).run()
        axes[year] = _coloraxis(figure(at, "hs_map"))
    assert (axes[2021]["cmin"], axes[2021]["cmax"]) == (axes[2022]["cmin"], axes[2022]["cmax"])
    assert axes[2022]["cmin"] == 0 and axes[2022]["cmax"] >= largest
    # sequential: light to dark, no neutral middle
    assert axes[2022]["colorscale"][0][1] == charts.SEQUENTIAL[0]
    assert axes[2022]["colorscale"][-1][1] == charts.SEQUENTIAL[-1]


def test_tooltips_show_actual_target_gap_and_change_from_the_previous_year(signed_in, mart):
    at = signed_in("nat", PAGE)
    at.selectbox(key="hs_year").set_value(2022).run()
    spec = figure(at, "hs_map")
    tips = {c[0]: c[1] for t in spec["data"] if t["type"] == "choropleth" and t.get("customdata")
            for c in t["customdata"]}
    row = _hotspots(mart, 2022, "key_all").set_index("province_code").loc["510000"]
    tip = tips["510000"]
    assert f"{charts.format_value(row['injury_rate_per_1000'], 4)}‰" in tip
    assert f"目标路径值：{charts.format_value(row['target_injury_rate_per_1000'], 4)}‰" in tip
    assert gap.gap_text(row) in tip and gap.gap_text(row).startswith("+")
    assert ("劣于目标" if row["target_status"] == "behind" else "优于目标") in tip
    assert gap.change_text(row["injury_rate_per_1000_change"], "‰", 4) in tip
    assert "较上年 " in tip
    # the first year has no previous year: said so, never "+0"
    at.selectbox(key="hs_year").set_value(2020).run()
    tips = {c[0]: c[1] for t in figure(at, "hs_map")["data"] if t["type"] == "choropleth" and t.get("customdata")
            for c in t["customdata"]}
    assert "上年无数据" in tips["440000"]


def test_the_ranking_is_the_mart_s_gap_order_with_actual_bars_and_target_marks(signed_in, mart):
    at = signed_in("nat", PAGE)
    at.selectbox(key="hs_year").set_value(2022).run()
    traces = {t["name"]: t for t in figure(at, "hs_ranking")["data"]}
    published = mart("SELECT province_code, injury_rate_per_1000 AS r, target_injury_rate_per_1000 AS t, "
                     "injury_rate_gap_pct AS p, target_status AS s FROM marts.mart_hotspots "
                     "WHERE year = 2022 AND industry_group = 'key_all' AND NOT is_national "
                     "AND injury_rate_gap_per_1000 IS NOT NULL "
                     "ORDER BY injury_rate_gap_pct DESC, injury_rate_gap_per_1000 DESC, province_code")
    assert len(published) == 3, "unreported provinces are not ranked"
    bars, marks = traces["实际发生率"], traces["目标路径值"]
    assert [c[0] for c in bars["customdata"]] == list(published["province_code"])
    assert values(bars["x"]) == pytest.approx([float(v) for v in published["r"]])
    assert values(marks["x"]) == pytest.approx([float(v) for v in published["t"]])
    colours = [gap.BEHIND_COLOUR if s == "behind" else gap.ON_TRACK_COLOUR for s in published["s"]]
    assert bars["marker"]["color"] == colours
    assert published["s"].iloc[0] == "behind" and bars["marker"]["color"][0] == gap.BEHIND_COLOUR
    # worst on top, and the gap written beside each bar
    assert figure(at, "hs_ranking")["layout"]["yaxis"]["autorange"] == "reversed"
    assert traces["差距"]["text"][0].startswith(f"{gap.signed(published['p'].iloc[0], 2)}% 劣于目标")


def test_kpis_say_how_many_provinces_lag_and_the_change_from_the_previous_year(signed_in, mart):
    at = signed_in("nat", PAGE)
    at.selectbox(key="hs_year").set_value(2022).run()
    rows = _hotspots(mart, 2022, "key_all")
    provinces = rows[~rows["is_national"] & rows["target_status"].notna()]
    behind = int((provinces["target_status"] == "behind").sum())
    kpi = {m.label: m for m in at.metric}
    assert kpi["劣于目标省份"].value == f"{behind}/{len(provinces)}"
    national = rows[rows["is_national"]].iloc[0]
    rate = kpi["全国重点行业合计工伤事故发生率"]
    assert rate.value == f"{charts.format_value(national['injury_rate_per_1000'], 4)}‰"
    assert rate.delta == f"{float(national['injury_rate_per_1000_change']):+.4f}‰"
    # lower is better: a fall is green, a rise red (delta_color="inverse")
    change = float(national["injury_rate_per_1000_change"])
    assert Metric.MetricColor.Name(rate.proto.color) == ("GREEN" if change < 0 else "RED")
    assert Metric.MetricDirection.Name(rate.proto.direction) == ("DOWN" if change < 0 else "UP")
    worst = gap.ranked(rows[~rows["is_national"]]).iloc[0]
    assert kpi["差距最大"].value == worst["province_name"]
    lagging = [m.value for m in at.markdown if "劣于目标路径" in m.value]
    assert len(lagging) == 1 and f"**{worst['province_name']}**" in lagging[0]


def test_the_corps_is_a_marker_inside_xinjiang_with_its_value(signed_in, mart):
    at = signed_in("nat", PAGE)
    at.selectbox(key="hs_year").set_value(2022).run()
    marker = _xpcc_marker(figure(at, "hs_map"))
    assert (marker["lon"][0], marker["lat"][0]) == pytest.approx(XPCC_POINT)
    row = _hotspots(mart, 2022, "key_all").set_index("province_code").loc["660000"]
    assert values(marker["marker"]["color"]) == pytest.approx([float(row["injury_rate_gap_pct"])])
    assert marker["text"] == ["兵团"]
    assert charts.format_value(row["injury_rate_per_1000"], 4) in marker["customdata"][0][1]
    # a click on it is read as the corps, like a click on a province
    assert charts.selected_province({"selection": {"points": [{"customdata": marker["customdata"][0]}]}}) == "660000"


def test_taiwan_hong_kong_macao_are_drawn_grey_no_data_like_any_province_without_data(signed_in):
    at = signed_in("nat", PAGE)
    spec = figure(at, "hs_map")
    grey = _grey_trace(spec)
    assert set(OUTSIDE_PLAN) <= set(grey["locations"]) and "410000" in grey["locations"]
    assert grey["colorscale"][0][1] == grey["colorscale"][-1][1] == charts.NO_DATA_COLOUR
    assert not any(t.get("name") == "不在本计划报送范围" for t in spec["data"])
    tips = dict(zip(grey["locations"], (c[1] for c in grey["customdata"])))
    assert tips["710000"] == "台湾省<br>无数据"
    # labelled in the same style as the other provinces without data
    labels = _labels(spec)
    assert labels["台湾"][2] == labels["河南"][2] == "省份名称"


def test_labels_are_white_on_dark_fills_and_apart_around_beijing(signed_in):
    b = load_boundaries()
    shown = pd.DataFrame({"province_code": ["510000", "440000", "110000"], "province_name": ["四川省", "广东省", "北京市"],
                          "value": [30.0, 0.0, -30.0]})
    scale = gap.gap_scale(pd.Series([30.0, -30.0]))
    spec = json.loads(charts.province_map(shown, label="x", decimals=2, boundaries=b, scale=scale,
                                          short_names={"510000": "四川", "440000": "广东", "110000": "北京",
                                                       "120000": "天津", "130000": "河北"}).to_json())
    labels = _labels(spec)
    assert labels["四川"][2] == labels["北京"][2] == "省份名称（深色底）"  # darkest red, darkest blue
    assert labels["广东"][2] == "省份名称"  # the neutral middle
    light = next(t for t in spec["data"] if t.get("name") == "省份名称（深色底）")
    assert light["textfont"]["color"] == "#ffffff" and "#000000" in light["textfont"]["shadow"]
    # 北京, 天津, 河北 at least 1.2° apart (two characters at national scale), 天津 with a leader line
    points = {n: shapely.Point(labels[n][:2]) for n in ("北京", "天津", "河北")}
    assert min(points[a].distance(points[c]) for a, c in (("北京", "天津"), ("北京", "河北"), ("天津", "河北"))) > 1.2
    assert "120000" in b.outside_labels and labels["天津"][:2] == pytest.approx(LABEL_POSITIONS["120000"])
    lines = next(t for t in spec["data"] if t.get("name") == "标注引线")
    assert LABEL_POSITIONS["120000"][0] in values(lines["lon"])


# ------------------------------------------------------------------ the view in the URL, drill-down


def test_url_parameters_restore_the_view_and_changes_are_written_back(signed_in, mart):
    at = signed_in("nat")
    at.query_params = {"year": "2021", "measure": "fatalities", "industry": "construction", "province": "440000"}
    at.switch_page(PAGE).run()
    assert not at.exception
    assert at.selectbox(key="hs_year").value == 2021
    assert at.selectbox(key="hs_measure").value == "fatalities"
    assert at.selectbox(key="hs_group").value == "construction"
    assert at.selectbox(key="hs_province").value == "440000"
    expected = _expected(_hotspots(mart, 2021, "construction"), "fatalities")
    assert _map_values(figure(at, "hs_map")) == pytest.approx(expected)
    # a change is written back into the address bar (and not overridden by the old parameters)
    at.selectbox(key="hs_year").set_value(2022).run()
    assert at.query_params == {"year": "2022", "measure": "fatalities", "industry": "construction",
                               "province": "440000"}
    assert at.selectbox(key="hs_year").value == 2022


def test_a_provincial_user_given_another_province_s_code_gets_their_own(signed_in, mart):
    at = signed_in("sc")
    at.query_params = {"year": "2022", "province": "440000"}
    at.switch_page(PAGE).run()
    assert not at.exception
    assert at.selectbox(key="hs_province").value == "510000"
    assert any("只能查看本省详情" in i.value and "广东省" in i.value and "四川省" in i.value for i in at.info)
    own = _hotspots(mart, 2022, "key_all").set_index("province_code").loc["510000"]
    assert metrics(at)["工伤事故发生率(‰)"] == charts.format_value(own["injury_rate_per_1000"], 4)
    assert at.query_params["province"] == "510000"
    # the detail table is Sichuan's only
    assert "四川省 2022年 各行业指标" in texts(at) and "广东省 2022年" not in texts(at)


def _page_links(at) -> list:
    return [e.proto for e in at.get("page_link")]


def test_each_industry_of_the_province_detail_links_to_its_watchlist(signed_in, mart):
    at = signed_in("nat", PAGE)
    at.selectbox(key="hs_year").set_value(2022)
    at.selectbox(key="hs_province").set_value("510000").run()
    links = {link.label.removesuffix(" →"): link for link in _page_links(at)}
    groups = mart("SELECT industry_group, industry_group_name FROM marts.mart_hotspots WHERE province_code = '510000' "
                  "AND year = 2022 AND industry_group NOT IN ('key_all', 'all')")
    assert len(groups) >= 4
    for r in groups.itertuples():
        link = links[r.industry_group_name]
        assert "watchlist" in link.page
        assert link.query_string == f"province=510000&industry={r.industry_group}"
    assert links["全部重点行业"].query_string == "province=510000"
