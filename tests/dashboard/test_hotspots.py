"""热点总览: the map, heat table, trend and province detail show marts.mart_hotspots as published,
for every measure, year, industry group and province chosen; the boundaries are China's."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import shapely
from dashboard_support import figure, metrics, table, texts, values
from shapely.geometry import shape

from dashboards import charts
from dashboards.geo import MAINLAND_PROVINCES, OUTSIDE_PLAN, load_boundaries
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


def _expected(frame_: pd.DataFrame, column: str) -> dict[str, float]:
    rows = frame_[~frame_["is_national"] & frame_[column].notna() & (frame_["province_code"] != "660000")]
    return {r.province_code: float(getattr(r, column)) for r in rows.itertuples()}


def test_default_view_maps_the_latest_key_industry_injury_rate(signed_in, mart):
    at = signed_in("nat", PAGE)
    national = mart("SELECT max(year) AS y FROM marts.mart_hotspots WHERE province_code = '000000' "
                    "AND industry_group = 'key_all' AND injury_rate_per_1000 IS NOT NULL")
    year = int(national["y"][0])
    assert at.selectbox(key="hs_year").value == year
    assert at.selectbox(key="hs_measure").value == "injury_rate"
    assert at.selectbox(key="hs_group").value == "key_all"

    spec = figure(at, "hs_map")
    expected = _expected(_hotspots(mart, year, "key_all"), "injury_rate_per_1000")
    assert expected, "the small build has provinces with data"
    assert _map_values(spec) == pytest.approx(expected)
    # every other mainland province is drawn grey; Taiwan, Hong Kong, Macao light grey
    assert _grey(spec) == set(MAINLAND_PROVINCES) - set(expected)
    outside = {c for t in spec["data"] if t.get("name") == "不在本计划报送范围" and t.get("geo") == "geo"
               for c in t["locations"]}
    assert outside == set(OUTSIDE_PLAN)
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
    column = MEASURES[measure].column
    published = _hotspots(mart, 2021, group)
    expected = _expected(published, column)
    assert _map_values(figure(at, "hs_map")) == pytest.approx(expected)
    # the corps' figure is named under the map
    xpcc = published[published["province_code"] == "660000"][column]
    shown = charts.format_value(xpcc.iloc[0], MEASURES[measure].decimals) if len(xpcc) else "无数据"
    assert f"兵团{MEASURES[measure].label}为 {shown}" in texts(at)


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
    assert coloured == {"440000", "510000"}  # the corps has no polygon of its own
    assert _grey(spec) == set(MAINLAND_PROVINCES) - coloured
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
    spec = figure(at, "hs_heat")["data"][0]
    published = mart("SELECT h.province_name, h.industry_group_name, h.fatalities FROM marts.mart_hotspots h "
                     "WHERE year = 2022 AND industry_group <> 'all' AND is_reported")
    assert spec["y"][0] == "全国" and "新疆生产建设兵团" in spec["y"]
    assert spec["x"][0] == "重点行业合计" and "全部行业" not in spec["x"]
    cells = {(y, x): z for y, row in zip(values(spec["y"]), values(spec["z"])) for x, z in zip(values(spec["x"]), row)}
    expected = {(r.province_name, r.industry_group_name): None if pd.isna(r.fatalities) else r.fatalities
                for r in published.itertuples()}
    assert set(expected) <= set(cells)
    # a cell the mart has no row for (a province's own key industry elsewhere) stays empty
    assert cells == {cell: expected.get(cell) for cell in cells}
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
    assert charts.selected_province({"selection": {"points": []}}) is None
    assert charts.selected_province(None) is None


# ------------------------------------------------------------------ boundaries


def test_boundaries_are_china_s_provinces_simplified_and_oriented_for_plotly():
    b = load_boundaries()
    assert sorted(b.codes) == sorted(list(MAINLAND_PROVINCES) + list(OUTSIDE_PLAN))
    assert "660000" not in b.codes
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
