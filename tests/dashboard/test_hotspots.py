"""热点总览: who lags behind the target path first (KPIs, the ranking by gap, the map of the gap on a
diverging scale centred on the target, one range for every year), then the map of any measure, the
heat table, trend and province detail, all as marts.mart_hotspots publishes them, for every
measure, year, industry group and province chosen; the view kept in the URL; the boundaries are
China's (Taiwan, Hong Kong and Macao grey "no data" like any province without data; the corps a
marker inside Xinjiang)."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import pandas as pd
import pytest
import shapely
from dashboard_support import (
    cards,
    cell_text,
    cells,
    coded,
    columns,
    drawing,
    drawings,
    links,
    metrics,
    no_missing_text,
    parse,
    path_rings,
    plain_table,
    plain_table_text,
    rows,
    texts,
    tip,
)
from shapely.geometry import shape

from dashboards import charts, map_svg
from dashboards import target_gap_charts as gap
from dashboards.geo import LABEL_POSITIONS, MAINLAND_PROVINCES, OUTSIDE_PLAN, XPCC_POINT, load_boundaries
from dashboards.measures import MEASURES

PAGE = "views/hotspots.py"


def _hotspots(mart, year: int, group: str) -> pd.DataFrame:
    return mart("SELECT * FROM marts.mart_hotspots WHERE year = ? AND industry_group = ? ORDER BY province_code",
                [year, group])


def _provinces(root) -> dict:
    """The main view's province shapes by code (the inset repeats some)."""
    return coded(root, "path", within="ipx-provinces")


def _map_values(root) -> dict[str, float]:
    """Province -> the value it is coloured by (main view; the corps' marker aside)."""
    return {c: float(p.get("data-value")) for c, p in _provinces(root).items() if p.get("data-value")}


def _grey(root) -> set[str]:
    """Provinces drawn in the no-data grey, marked as having no data."""
    return {c for c, p in _provinces(root).items() if p.get("data-no-data") and p.get("fill") == charts.NO_DATA_COLOUR}


def _xpcc_marker(root):
    return next(e for e in root.iter("circle") if "ipx-xpcc" in e.get("class", ""))


def _labels(root) -> dict[str, tuple[float, float, str]]:
    """Label text -> (x, y, fill) of the province names on the map."""
    return {t.text: (float(t.get("x")), float(t.get("y")), t.get("fill")) for t in root.iter("text")
            if "ipx-label" in t.get("class", "")}


def _scale(root) -> tuple[float, float, dict[float, str], dict[float, str]]:
    """The map legend's range, colour stops (offset -> colour) and ticks (position -> text)."""
    bar = next(e for e in root.iter("rect") if "ipx-legend-bar" in e.get("class", ""))
    stops = {round(float(e.get("offset")), 3): e.get("stop-color") for e in root.iter("stop")}
    ticks = {round(float(e.get("data-at")), 3): e.text for e in root.iter("text") if "ipx-tick" in e.get("class", "")}
    return float(bar.get("data-min")), float(bar.get("data-max")), stops, ticks


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

    root = drawing(at, "hs_map")
    expected = _expected(_hotspots(mart, year, "key_all"), "injury_rate_gap_pct")
    assert expected, "the small build has provinces with data"
    assert _map_values(root) == pytest.approx(expected)
    # every other mainland province, Taiwan, Hong Kong and Macao: the same grey, "no data"
    assert _grey(root) == set(MAINLAND_PROVINCES) - set(expected) | set(OUTSIDE_PLAN)
    # each province is coloured by the diverging scale (one range for every year) at its gap
    scale = gap.gap_scale(mart("SELECT injury_rate_gap_pct AS g FROM marts.mart_hotspots "
                               "WHERE industry_group = 'key_all' AND NOT is_national")["g"].astype(float))
    shapes = _provinces(root)
    assert {c: shapes[c].get("fill") for c in expected} == {c: scale.colour_of(v) for c, v in expected.items()}
    assert len({shapes[c].get("fill") for c in expected}) == len(expected) > 1
    # drawn on the server: no Plotly chart, nothing to fetch
    assert not at.get("plotly_chart")
    assert "href=\"http" not in drawings(at)["hs_map"] and "src=" not in drawings(at)["hs_map"]
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
    root = drawing(at, "hs_map")
    assert _map_values(root) == pytest.approx(expected)
    # the corps is a marker on the map, coloured on the same scale by its own figure
    xpcc = published[published["province_code"] == "660000"].iloc[0]
    marker = _xpcc_marker(root)
    assert marker.get("data-code") == "660000" and links(root)["660000"].endswith("province=660000")
    if pd.isna(xpcc[column]):
        assert marker.get("fill") == charts.NO_DATA_COLOUR and marker.get("data-no-data")
    else:
        assert float(marker.get("data-value")) == pytest.approx(float(xpcc[column]))
        low, high, _, _ = _scale(root)
        assert marker.get("fill") == charts.ColourScale(gap.DIVERGING if MEASURES[measure].has_target else tuple(
            (i / (len(charts.SEQUENTIAL) - 1), c) for i, c in enumerate(charts.SEQUENTIAL)), low, high, "").colour_of(
            float(xpcc[column]))
        shown = charts.format_value(xpcc[MEASURES[measure].column], MEASURES[measure].decimals)
        assert shown in tip(marker)


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
    root = drawing(at, "hs_map")
    coloured = set(_map_values(root))
    assert coloured == {"440000", "510000"}  # the corps has no polygon of its own: a marker
    assert _grey(root) == set(MAINLAND_PROVINCES) - coloured | set(OUTSIDE_PLAN)
    henan = tip(_provinces(root)["410000"])
    assert "未报送" in henan and "0" not in henan.split("\n")[1]
    # the legend names the grey
    assert any(t.text == map_svg.NO_DATA_LABEL for t in root.iter("text"))
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
    root = drawing(at, "hs_heat")
    grid = cells(root)
    published = mart("SELECT h.province_name, h.industry_group_name, h.fatalities, h.fatalities_change "
                     "FROM marts.mart_hotspots h WHERE year = 2022 AND industry_group <> 'all' AND is_reported "
                     "AND fatalities IS NOT NULL")
    assert rows(root)[0] == "全国" and "新疆生产建设兵团" in rows(root)
    assert columns(root)[0] == "重点行业合计" and "全部行业" not in columns(root)
    expected = {(r.province_name, r.industry_group_name): r.fatalities for r in published.itertuples()}
    assert set(expected) <= set(grid)
    assert {c: float(td.get("data-value")) for c, td in grid.items() if td.get("data-value")} == expected
    # provinces are coloured by their figure; the national sum is written but not coloured (it
    # would dwarf every province on a count measure); an industry without a row stays empty ("—")
    low, high, _, _ = _scale(root)
    scale = gap.measure_scale(pd.Series([high]), MEASURES["fatalities"])
    for cell, td in grid.items():
        if cell[0] == "全国" or cell not in expected:
            assert td.get("data-fill") == "#f4f4f4", cell
        else:
            assert td.get("data-fill") == scale.colour_of(expected[cell]), cell
        if cell not in expected:
            assert cell_text(td) == ["—"] and tip(td) == "无数据"
    # each cell reads its figure and its change from the previous year
    for r in published.itertuples():
        text = cell_text(grid[(r.province_name, r.industry_group_name)])
        assert text[0] == charts.format_value(r.fatalities, 0)
        assert text[1] == gap.change_text(r.fatalities_change, "", 0)
    assert any("较上年 −" in t or "较上年 +" in t for td in grid.values() for t in cell_text(td))
    # provinces that delivered nothing are not rows of 0s: they are left out and counted below
    assert set(rows(root)) == {"全国", "广东省", "四川省", "新疆生产建设兵团"}
    assert "另有 29 个省份本年未报送" in texts(at)


def test_trend_is_the_key_industry_rate_against_the_target_path(signed_in, mart):
    at = signed_in("nat", PAGE)
    at.selectbox(key="hs_province").set_value("440000").run()
    assert not at.exception
    root = drawing(at, "hs_trend")
    series = {g.get("data-name"): g for g in root.iter("g") if "ipx-series" in g.get("class", "")}
    assert set(series) == {"全国 实际", "全国 目标路径", "广东省 实际", "广东省 目标路径"}

    def points(name: str) -> dict[int, float]:
        return {int(c.get("data-x")): float(c.get("data-value")) for c in series[name].iter("circle")}

    for code, name in (("000000", "全国"), ("440000", "广东省")):
        published = mart("SELECT year, injury_rate_per_1000 AS r, target_injury_rate_per_1000 AS t "
                         "FROM marts.mart_hotspots WHERE province_code = ? AND industry_group = 'key_all' "
                         "ORDER BY year", [code])
        actual = published.dropna(subset=["r"])
        # a year without a rate has no point (the line breaks there), never a 0
        assert points(f"{name} 实际") == pytest.approx(dict(zip(actual["year"].astype(int), actual["r"].astype(float))))
        assert points(f"{name} 目标路径") == pytest.approx(dict(zip(published["year"].astype(int),
                                                                  published["t"].astype(float))))
        assert any(line.get("stroke-dasharray") for line in series[f"{name} 目标路径"].iter("path"))


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
    target_help = cards(at)["目标路径值(‰)"].help
    assert plan["plan_name"] in target_help and f"{plan['annual_reduction']:g}" in target_help
    assert shown["工伤事故发生率(‰)"] == charts.format_value(row["injury_rate_per_1000"], 4)
    assert shown["目标路径值(‰)"] == charts.format_value(row["target_injury_rate_per_1000"], 4)
    assert shown["工亡人数"] == charts.format_value(row["fatalities"], 0)
    assert shown["生产安全事故数"] == charts.format_value(row["accidents"], 0)
    assert shown["职业病发病率(1/10万)"] == charts.format_value(row["od_rate_per_100k"], 4)
    assert shown["超标样本数"] == charts.format_value(row["exceedances"], 0)

    detail = plain_table(drawing(at, "hs_detail"))
    # drawn as text: every cell has a figure or "—" (never None / nan), rates with 4 decimals
    shown = plain_table_text(drawing(at, "hs_detail"))
    assert no_missing_text(shown)
    rate = shown.loc[shown["行业"] == row["industry_group_name"], "发生率(‰)"].iloc[0]
    assert rate == charts.format_value(row["injury_rate_per_1000"], 4)
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
    assert "hs_map" in drawings(at)


def test_a_province_on_the_map_is_a_link_to_its_view(signed_in, mart):
    """Every province, the corps' marker and every ranked bar link to the page's view of that
    province (year, measure, industry in the URL); following a link shows that view."""
    at = signed_in("nat", PAGE)
    at.selectbox(key="hs_year").set_value(2021)
    at.selectbox(key="hs_measure").set_value("od_rate")
    at.run()
    targets = links(drawing(at, "hs_map"))
    assert set(targets) == set(MAINLAND_PROVINCES) | {"660000"}  # Taiwan, HK, Macao: no view of their own
    assert dict(parse_qsl(urlsplit(targets["440000"]).query)) == {
        "year": "2021", "measure": "od_rate", "industry": "key_all", "province": "440000"}
    ranked = links(drawing(at, "hs_ranking"))
    assert set(ranked) == {"440000", "510000", "660000"}
    opened = signed_in("nat")
    opened.query_params = dict(parse_qsl(urlsplit(ranked["510000"]).query))
    opened.switch_page(PAGE).run()
    assert not opened.exception
    assert opened.selectbox(key="hs_province").value == "510000"
    assert opened.selectbox(key="hs_measure").value == "od_rate"
    assert opened.selectbox(key="hs_year").value == 2021
    # the chosen province is outlined on the map and in bold in the ranking
    selected = [p for p in drawing(opened, "hs_map").iter("path") if "ipx-selected" in p.get("class", "")]
    assert len(selected) == 1 and selected[0].get("d") == _provinces(drawing(opened, "hs_map"))["510000"].get("d")
    bold = [t.text for t in drawing(opened, "hs_ranking").iter("text") if t.get("font-weight") == "700"]
    assert bold == ["四川"]


# ------------------------------------------------------------------ boundaries


def test_boundaries_are_china_s_provinces_simplified_and_valid():
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
            assert not polygon.exterior.is_ccw, feature["id"]  # one orientation (d3-geo's, kept)
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


def test_the_map_is_drawn_from_the_boundaries_with_each_province_once():
    b = load_boundaries()
    shown = pd.DataFrame({"province_code": ["440000", "510000"], "province_name": ["广东省", "四川省"],
                          "value": [1.5, 2.5], "hover": ["<b>广东省</b><br>x：1.5", "<b>四川省</b><br>x：2.5"]})
    markup = map_svg.province_map(shown, scale=charts.sequential_scale(3, "x"), decimals=1, boundaries=b,
                                  short_names={"440000": "广东"}, selected="510000")
    root = parse(markup)
    assert sorted(_provinces(root)) == sorted(b.codes)
    inset = coded(root, "path", within="ipx-inset")
    assert {"440000", "460000", "710000"} <= set(inset) and "110000" not in inset
    assert tip(_provinces(root)["440000"]) == "广东省\nx：1.5"
    assert [p.get("d") for p in root.iter("path") if "ipx-selected" in p.get("class", "")] == \
        [_provinces(root)["510000"].get("d")]
    assert not links(root)  # without a link function nothing is clickable
    # small enough to send on every rerun (the Plotly figure carried ~250 KB of boundaries)
    assert len(markup.encode()) < 250_000


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


def test_a_year_without_a_target_path_reads_no_data_without_a_unit(app_env, monkeypatch, publish_copy, signed_in):
    """A history that does not reach back to the base year has no target path: the KPI reads
    无数据 (never "无数据‰"), with the reason in its help."""
    monkeypatch.setenv("IPX_WAREHOUSE", str(publish_copy(
        "UPDATE marts.mart_hotspots SET target_injury_rate_per_1000 = NULL, injury_rate_gap_per_1000 = NULL, "
        "injury_rate_gap_pct = NULL, target_status = NULL")))
    at = signed_in("nat", PAGE)
    assert not at.exception
    target = cards(at)["全国目标路径值"]
    assert target.value == "无数据" and "基期" in target.help
    assert not [m for m in cards(at).values() if "无数据‰" in m.value or "无数据%" in str(m.delta)]


# ------------------------------------------------------------------ who lags behind the target path


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
        axes[year] = _scale(drawing(at, "hs_map"))
    assert axes[2021][:2] == axes[2022][:2]
    low, high, stops, ticks = axes[2022]
    assert low == -high and high >= largest > 0
    # the middle of the colour scale (the target, gap 0) is the neutral colour; better is blue, worse red
    assert stops[0.5] == "#f7f7f7" and stops[0.0] == gap.DIVERGING[0][1] and stops[1.0] == gap.DIVERGING[-1][1]
    assert ticks[0.5] == "目标"
    assert ticks[0.0].startswith("优于目标") and ticks[1.0].startswith("劣于目标")


def test_count_measures_keep_a_sequential_scale_with_one_range_for_every_year(signed_in, mart):
    largest = float(mart("SELECT max(fatalities) AS m FROM marts.mart_hotspots "
                         "WHERE industry_group = 'key_all' AND NOT is_national")["m"][0])
    at = signed_in("nat", PAGE)
    at.selectbox(key="hs_measure").set_value("fatalities")
    axes = {}
    for year in (2021, 2022):
        at.selectbox(key="hs_year").set_value(year).run()
        axes[year] = _scale(drawing(at, "hs_map"))
    assert axes[2021][:2] == axes[2022][:2]
    low, high, stops, _ = axes[2022]
    assert low == 0 and high >= largest
    # sequential: light to dark, no neutral middle
    assert stops[0.0] == charts.SEQUENTIAL[0] and stops[1.0] == charts.SEQUENTIAL[-1]


def test_tooltips_show_actual_target_gap_and_change_from_the_previous_year(signed_in, mart):
    at = signed_in("nat", PAGE)
    at.selectbox(key="hs_year").set_value(2022).run()
    tips = {c: tip(p) for c, p in _provinces(drawing(at, "hs_map")).items()}
    row = _hotspots(mart, 2022, "key_all").set_index("province_code").loc["510000"]
    sichuan = tips["510000"]
    assert f"{charts.format_value(row['injury_rate_per_1000'], 4)}‰" in sichuan
    assert f"目标路径值：{charts.format_value(row['target_injury_rate_per_1000'], 4)}‰" in sichuan
    assert gap.gap_text(row) in sichuan and gap.gap_text(row).startswith("+")
    assert ("劣于目标" if row["target_status"] == "behind" else "优于目标") in sichuan
    assert gap.change_text(row["injury_rate_per_1000_change"], "‰", 4) in sichuan
    assert "较上年 " in sichuan
    # the first year has no previous year: said so, never "+0"
    at.selectbox(key="hs_year").set_value(2020).run()
    tips = {c: tip(p) for c, p in _provinces(drawing(at, "hs_map")).items()}
    assert "上年无数据" in tips["440000"]


def test_the_ranking_is_the_mart_s_gap_order_with_actual_bars_and_target_marks(signed_in, mart):
    at = signed_in("nat", PAGE)
    at.selectbox(key="hs_year").set_value(2022).run()
    root = drawing(at, "hs_ranking")
    published = mart("SELECT province_code, injury_rate_per_1000 AS r, target_injury_rate_per_1000 AS t, "
                     "injury_rate_gap_pct AS p, target_status AS s FROM marts.mart_hotspots "
                     "WHERE year = 2022 AND industry_group = 'key_all' AND NOT is_national "
                     "AND injury_rate_gap_per_1000 IS NOT NULL "
                     "ORDER BY injury_rate_gap_pct DESC, injury_rate_gap_per_1000 DESC, province_code")
    assert len(published) == 3, "unreported provinces are not ranked"
    ranked = [g for g in root.iter("g") if "ipx-row" in g.get("class", "")]  # top to bottom
    assert [g.get("data-code") for g in ranked] == list(published["province_code"])
    bars = [next(r for r in g.iter("rect") if "ipx-bar" in r.get("class", "")) for g in ranked]
    marks = [next(m for m in g.iter("line") if "ipx-target" in m.get("class", "")) for g in ranked]
    assert [float(b.get("data-value")) for b in bars] == pytest.approx([float(v) for v in published["r"]])
    assert [float(m.get("data-value")) for m in marks] == pytest.approx([float(v) for v in published["t"]])
    colours = [gap.BEHIND_COLOUR if s == "behind" else gap.ON_TRACK_COLOUR for s in published["s"]]
    assert [b.get("fill") for b in bars] == colours
    assert published["s"].iloc[0] == "behind" and bars[0].get("fill") == gap.BEHIND_COLOUR
    # worst on top, and the gap written beside each bar
    ys = [float(b.get("y")) for b in bars]
    assert ys == sorted(ys)
    after = [next(t for t in g.iter("text") if "ipx-after" in t.get("class", "")) for g in ranked]
    assert after[0].text.startswith(f"{gap.signed(published['p'].iloc[0], 2)}% 劣于目标")
    # each row's tooltip: the actual rate, the target and the gap
    first = tip(ranked[0])
    assert charts.format_value(published["r"].iloc[0], 4) in first
    assert f"目标路径值：{charts.format_value(published['t'].iloc[0], 4)}‰" in first and "差距：" in first


def test_kpis_say_how_many_provinces_lag_and_the_change_from_the_previous_year(signed_in, mart):
    at = signed_in("nat", PAGE)
    at.selectbox(key="hs_year").set_value(2022).run()
    rows = _hotspots(mart, 2022, "key_all")
    provinces = rows[~rows["is_national"] & rows["target_status"].notna()]
    behind = int((provinces["target_status"] == "behind").sum())
    kpi = cards(at)
    assert kpi["劣于目标省份"].value == f"{behind}/{len(provinces)}"
    national = rows[rows["is_national"]].iloc[0]
    rate = kpi["全国重点行业合计工伤事故发生率"]
    assert rate.value == f"{charts.format_value(national['injury_rate_per_1000'], 4)}‰"
    assert rate.delta == f"{float(national['injury_rate_per_1000_change']):+.4f}‰"
    # lower is better: a fall is green, a rise red
    change = float(national["injury_rate_per_1000_change"])
    assert rate.tone == ("good" if change < 0 else "bad") and rate.note == "较上年"
    assert rate.arrow == ("▼" if change < 0 else "▲")
    worst = gap.ranked(rows[~rows["is_national"]]).iloc[0]
    assert kpi["差距最大"].value == worst["province_name"]
    lagging = [m.value for m in at.markdown if "劣于目标路径" in m.value]
    assert len(lagging) == 1 and f"**{worst['province_name']}**" in lagging[0]


def test_the_corps_is_a_marker_inside_xinjiang_with_its_value(signed_in, mart):
    at = signed_in("nat", PAGE)
    at.selectbox(key="hs_year").set_value(2022).run()
    root = drawing(at, "hs_map")
    marker = _xpcc_marker(root)
    b = load_boundaries()
    x, y = map_svg.outlines(b).point(*XPCC_POINT)
    assert (float(marker.get("cx")), float(marker.get("cy"))) == pytest.approx((x, y), abs=0.1)
    # inside Xinjiang's outline as drawn (the point in the projected polygon)
    xinjiang = _provinces(root)["650000"].get("d")
    rings = path_rings(xinjiang)
    assert any(shapely.Polygon(r).contains(shapely.Point(x, y)) for r in rings if len(r) > 2)
    row = _hotspots(mart, 2022, "key_all").set_index("province_code").loc["660000"]
    assert float(marker.get("data-value")) == pytest.approx(float(row["injury_rate_gap_pct"]))
    assert "兵团" in _labels(root)
    assert charts.format_value(row["injury_rate_per_1000"], 4) in tip(marker)
    # a click on it selects the corps, like a click on a province
    assert links(root)["660000"].endswith("province=660000")


def test_taiwan_hong_kong_macao_are_drawn_grey_no_data_like_any_province_without_data(signed_in):
    at = signed_in("nat", PAGE)
    root = drawing(at, "hs_map")
    grey = _grey(root)
    assert set(OUTSIDE_PLAN) <= grey and "410000" in grey
    assert "不在本计划报送范围" not in drawings(at)["hs_map"]
    assert tip(_provinces(root)["710000"]) == "台湾省\n无数据"
    # labelled in the same style as the other provinces without data
    labels = _labels(root)
    assert labels["台湾"][2] == labels["河南"][2] == "#1a1a1a"


def test_labels_are_white_on_dark_fills_and_apart_around_beijing(signed_in):
    b = load_boundaries()
    shown = pd.DataFrame({"province_code": ["510000", "440000", "110000"], "province_name": ["四川省", "广东省", "北京市"],
                          "value": [30.0, 0.0, -30.0]})
    scale = gap.gap_scale(pd.Series([30.0, -30.0]))
    root = parse(map_svg.province_map(shown, decimals=2, boundaries=b, scale=scale,
                                      short_names={"510000": "四川", "440000": "广东", "110000": "北京",
                                                   "120000": "天津", "130000": "河北"}))
    labels = _labels(root)
    assert labels["四川"][2] == labels["北京"][2] == "#ffffff"  # darkest red, darkest blue
    assert labels["广东"][2] == "#1a1a1a"  # the neutral middle
    halo = {t.text: t.get("stroke") for t in root.iter("text") if "ipx-label" in t.get("class", "")}
    assert halo["四川"] == "#000000" and halo["广东"] == "#ffffff"
    # 北京, 天津, 河北 at least 24 px apart (two characters at 12 px), 天津 with a leader line
    points = {n: shapely.Point(labels[n][:2]) for n in ("北京", "天津", "河北")}
    assert min(points[a].distance(points[c]) for a, c in (("北京", "天津"), ("北京", "河北"), ("天津", "河北"))) > 24
    assert "120000" in b.outside_labels
    tianjin = map_svg.outlines(b).point(*LABEL_POSITIONS["120000"])
    assert labels["天津"][:2] == pytest.approx((tianjin[0], tianjin[1] + 4), abs=0.1)
    leaders = [(float(e.get("x1")), float(e.get("y1"))) for e in root.iter("line") if "ipx-leader" in e.get("class", "")]
    assert any(p == pytest.approx(tianjin, abs=0.1) for p in leaders)


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
    assert _map_values(drawing(at, "hs_map")) == pytest.approx(expected)
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
