"""The drawings made on the server (dashboards/drawing.py): what the browser is sent is escaped,
bars are as long as their figures, texts are readable on their fills, a missing figure is no bar
(never 0), and clickable elements are links that keep the view."""

from __future__ import annotations

import pytest
from dashboard_support import cell_text, cells, links, parse, rows, tip

from dashboards import drawing


def test_text_from_the_data_is_escaped():
    evil = '<script>alert("x")</script>'
    grid = drawing.grid([evil], ["列"], {(evil, "列"): drawing.Cell("#ffffff", f"{evil}<br>二", evil)}, name="g")
    assert "<script>" not in grid
    root = parse(grid)
    assert rows(root) == [evil]
    assert cell_text(cells(root)[(evil, "列")]) == [evil, "二"] and tip(cells(root)[(evil, "列")]) == evil
    bars = drawing.hbars([drawing.BarRow(evil, [drawing.Segment(1.0, "#000000", evil)], code="110000",
                                         href='?province=110000&x="1"')], name="b")
    assert "<script>" not in bars
    assert links(parse(bars)) == {"110000": '?province=110000&x="1"'}


def test_bars_are_as_long_as_their_figures_and_a_missing_figure_has_no_bar():
    chart = parse(drawing.hbars([
        drawing.BarRow("甲", [drawing.Segment(2.0, "#c0392b")], marker=3.0),
        drawing.BarRow("乙", [drawing.Segment(4.0, "#2e75b6")]),
        drawing.BarRow("丙", [drawing.Segment(None, "#2e75b6")], after="无数据"),
    ], name="b", x_max=8.0))
    bars = {g.get("data-label"): [r for r in g.iter("rect") if "ipx-bar" in r.get("class", "")]
            for g in chart.iter("g") if "ipx-row" in g.get("class", "")}
    assert list(bars) == ["甲", "乙", "丙"]
    assert float(bars["乙"][0].get("width")) == pytest.approx(2 * float(bars["甲"][0].get("width")), rel=0.01)
    assert bars["丙"] == []  # no bar, not a bar of 0
    target = next(e for e in chart.iter("line") if "ipx-target" in e.get("class", ""))
    x0 = float(bars["甲"][0].get("x"))
    assert float(target.get("x1")) - x0 == pytest.approx(1.5 * float(bars["甲"][0].get("width")), rel=0.01)


def test_stacked_segments_follow_each_other():
    chart = parse(drawing.hbars([drawing.BarRow("一类", [drawing.Segment(3.0, "#4daf4a", name="下浮"),
                                                        drawing.Segment(1.0, "#e41a1c", name="上浮")])],
                                name="s", stacked=True))
    down, up = (r for r in chart.iter("rect") if r.get("data-name"))
    assert float(up.get("x")) == pytest.approx(float(down.get("x")) + float(down.get("width")), abs=0.2)


def test_cell_text_is_white_on_dark_fills():
    grid = parse(drawing.grid(["甲"], ["深", "浅"], {("甲", "深"): drawing.Cell("#b2182b", "1"),
                                                    ("甲", "浅"): drawing.Cell("#f7f7f7", "2")}, name="g"))
    shown = cells(grid)
    assert "color:#ffffff" in shown[("甲", "深")].get("style")
    assert "color:#1a1a1a" in shown[("甲", "浅")].get("style")


def test_lines_break_where_a_year_has_no_figure():
    chart = parse(drawing.lines([2020, 2021, 2022, 2023], [drawing.Series("实际", "#1f77b4", [1.0, None, 2.0, 3.0])],
                                name="t"))
    series = next(g for g in chart.iter("g") if g.get("data-name") == "实际")
    assert [int(c.get("data-x")) for c in series.iter("circle")] == [2020, 2022, 2023]
    assert len(list(series.iter("path"))) == 2  # two runs: 2020 alone, 2022-2023


def test_ticks_are_round_and_cover_the_largest_value():
    assert drawing.nice_ticks(9.8149) == [0, 2, 4, 6, 8, 10]
    assert drawing.nice_ticks(0.0) == [0.0, 1.0]
    assert drawing.nice_ticks(87)[-1] >= 87


def test_map_paths_are_relative_steps_that_come_back_to_the_projected_points():
    from dashboard_support import path_rings

    from dashboards import map_svg

    to_xy = lambda lon, lat: (lon * 10.0, lat * 10.0)  # noqa: E731 (a projection for the test)
    ring = [(0.0, 0.0), (1.03, 0.0), (1.04, 0.01), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]
    d = map_svg._path([ring], to_xy)
    assert d.startswith("M0,0l") and d.endswith("z") and "L" not in d
    drawn = path_rings(d)[0]
    # every point within half a grid step of its projection; the point that fell on the one before is left out
    assert len(drawn) == len(ring) - 1
    expected = [to_xy(*p) for i, p in enumerate(ring) if i != 2]
    flat = [v for point in drawn for v in point]
    assert flat == pytest.approx([v for point in expected for v in point], abs=0.5 / map_svg.PATH_STEPS)
    assert map_svg._path([[(0, 0), (0.01, 0.01), (0.0, 0.0)]], to_xy) == ""  # a ring of fewer than 3 points: none
