"""数据交换: the province x feed delivery grid over a period range, rejected records with reasons
(never the record itself), quarantined files and data quality, per role; missing tables."""

from __future__ import annotations

import pytest
from dashboard_support import all_tables, cell_text, cells, drawing, has_table, metrics, table, tip

from dashboards import charts
from ipx.contracts import load_contracts
from ipx.exports.labels import QUARANTINE_REASONS, RULE_NAMES

PAGE = "views/feed_health.py"

# Independent of dashboards.delivery_grid: the first and last month (year*12 + month - 1) of a period.
SLICES = """
WITH bounds AS (
    SELECT *,
        CASE WHEN period LIKE '%Q%' THEN cast(left(period, 4) AS int) * 12 + (cast(right(period, 1) AS int) - 1) * 3
             WHEN length(period) = 6 THEN cast(left(period, 4) AS int) * 12 + cast(right(period, 2) AS int) - 1
             ELSE cast(period AS int) * 12 END AS m0
    FROM {table}
)
SELECT *, CASE WHEN period LIKE '%Q%' THEN m0 + 2 WHEN length(period) = 6 THEN m0 ELSE m0 + 11 END AS m1
FROM bounds
"""


def _in_range(mart, table_name: str, first: int, last: int, where: str = "", params=()):
    return mart(f"SELECT * FROM ({SLICES.format(table=table_name)}) WHERE m0 <= ? AND m1 >= ? {where}",
                [last, first, *params])


def _expected_cells(mart, first: int, last: int, where: str = "", params=()) -> dict[tuple[str, str], str]:
    rows = mart(f"""
        SELECT province_name, feed_title, count(*) FILTER (WHERE status = 'on_time') AS on_time,
               count(*) FILTER (WHERE status <> 'not_due') AS due
        FROM ({SLICES.format(table='marts.mart_feed_health')}) WHERE m0 <= ? AND m1 >= ? {where}
        GROUP BY ALL""", [last, first, *params])
    return {(r.province_name, r.feed_title): (f"{r.on_time}/{r.due}" if r.due else "—") for r in rows.itertuples()}


def _shown_cells(at) -> dict[tuple[str, str], str]:
    colours = {state: colour for state, _, colour in charts.FEED_STATES}
    shown = {}
    for cell, td in cells(drawing(at, "fh_grid")).items():
        if not cell_text(td):
            continue
        # coloured by its worst state, which the tooltip names
        assert td.get("data-fill") == colours[td.get("data-state")]
        assert {s: n for s, n, _ in charts.FEED_STATES}[td.get("data-state")] in tip(td)
        shown[cell] = cell_text(td)[0]
    return shown


def test_default_range_is_the_year_up_to_the_as_of_month(signed_in, mart):
    at = signed_in("eng")
    as_of = mart("SELECT as_of_date FROM marts.mart_data_as_of")["as_of_date"][0]
    last = as_of.year * 12 + as_of.month - 1
    assert tuple(at.select_slider(key="fh_range").value) == (last - 11, last)
    assert _shown_cells(at) == _expected_cells(mart, last - 11, last)
    summary = table(at, "按时", "逾期", "缺报", "拒收记录数")
    expected = mart(f"""
        SELECT province_name, feed_title, count(*) AS slices, count(*) FILTER (WHERE status = 'late') AS late,
               count(*) FILTER (WHERE status = 'missing') AS missing,
               count(*) FILTER (WHERE status = 'quarantined') AS quarantined,
               count(*) FILTER (WHERE accepted AND NOT clean) AS unclean,
               sum(records_rejected) AS rejected, max(rejected_share) AS worst
        FROM ({SLICES.format(table='marts.mart_feed_health')}) WHERE m0 <= ? AND m1 >= ?
        GROUP BY ALL ORDER BY ALL""", [last, last - 11])
    merged = summary.merge(expected, left_on=["省份", "数据项"], right_on=["province_name", "feed_title"])
    assert len(merged) == len(summary) == len(expected)
    for shown, column in (("数据片", "slices"), ("逾期", "late"), ("缺报", "missing"), ("被隔离", "quarantined"),
                          ("拒收超1%", "unclean"), ("拒收记录数", "rejected")):
        assert list(merged[shown]) == list(merged[column]), shown
    assert list(merged["最高拒收比例"].astype(float)) == pytest.approx(list(merged["worst"].astype(float)),
                                                                   nan_ok=True)


def test_a_chosen_period_range_province_and_feed(signed_in, mart):
    at = signed_in("eng")
    first, last = 2020 * 12 + 3, 2020 * 12 + 8  # April to September 2020
    at.select_slider(key="fh_range").set_range(first, last).run()
    assert _shown_cells(at) == _expected_cells(mart, first, last)
    at.multiselect(key="fh_provinces").set_value(["440000", "660000"])
    at.multiselect(key="fh_feeds").set_value(["hrss_employers", "em_hazards"])
    at.run()
    expected = _expected_cells(mart, first, last, "AND province_code IN ('440000', '660000') "
                                                  "AND feed IN ('hrss_employers', 'em_hazards')")
    assert _shown_cells(at) == expected
    assert {p for p, _ in expected} == {"广东省", "新疆生产建设兵团"}
    problems = table(at, "状态", "截止时间")
    bad = _in_range(mart, "marts.mart_feed_health", first, last,
                    "AND province_code IN ('440000', '660000') AND feed IN ('hrss_employers', 'em_hazards') "
                    "AND (status IN ('late', 'quarantined', 'missing') OR (accepted AND NOT clean))")
    assert sorted(problems["期间"]) == sorted(bad["period"])


def test_rejected_records_with_reasons_never_the_record(signed_in, mart):
    at = signed_in("eng")
    first, last = 2020 * 12, 2022 * 12 + 11
    at.select_slider(key="fh_range").set_range(first, last).run()
    shown = table(at, "记录号", "原因")
    assert list(shown.columns) == ["数据项", "省份", "期间", "文件", "记录号", "数据字段", "规则", "原因"]
    expected = _in_range(mart, "ingest.rejected_records", first, last).sort_values(
        ["feed", "file_name", "record_no"])
    assert len(expected) > 0
    assert list(shown["文件"]) == list(expected["file_name"])
    assert list(shown["记录号"]) == list(expected["record_no"])
    # names, not codes: the province, the agency's column header, the rule in Chinese, the reason
    # without its rule id
    assert list(shown["原因"]) == [r.split(": ", 1)[1].replace("; ", "；") for r in expected["reason"]]
    assert set(shown["省份"]) <= {"广东省", "四川省", "新疆生产建设兵团"}
    contracts = load_contracts()
    assert list(shown["数据字段"]) == [contracts[f].column(c).header if c else None
                                   for f, c in zip(expected["feed"], expected["field"])]
    assert list(shown["规则"]) == [RULE_NAMES[r] for r in expected["rule"]]
    assert not shown["原因"].str.contains(r"\b[a-z]+_[a-z_]+\b").any()  # no rule ids left in the text
    assert metrics(at)["拒收记录数"] == f"{len(expected):,}"
    # the pseudonymised record never reaches the page
    for frame in all_tables(at):
        assert "record" not in frame.columns and "记录" not in frame.columns
        assert not frame.astype(str).apply(lambda col: col.str.contains('"uscc"')).any().any()
    quarantined = table(at, "隔离原因")
    expected_q = mart("SELECT file_name FROM ingest.files WHERE status = 'quarantined'")
    expected_q = expected_q[expected_q["file_name"].isin(
        _in_range(mart, "ingest.files", first, last)["file_name"])]
    assert sorted(quarantined["文件"]) == sorted(expected_q["file_name"])
    assert set(quarantined["隔离原因"]) <= set(QUARANTINE_REASONS.values())


def test_data_quality_for_the_years_of_the_range(signed_in, mart):
    at = signed_in("eng")
    at.select_slider(key="fh_range").set_range(2021 * 12, 2021 * 12 + 11).run()
    sums = mart("SELECT severity, sum(records) AS n FROM marts.mart_data_quality WHERE year = 2021 GROUP BY 1")
    expected = dict(zip(sums["severity"], sums["n"]))
    shown = metrics(at)
    assert shown["R 拒收"] == f"{int(expected.get('R', 0)):,}"
    assert shown["W 标记"] == f"{int(expected.get('W', 0)):,}"
    assert shown["提示"] == f"{int(expected.get('info', 0)):,}"
    quality = table(at, "级别", "规则")
    assert set(quality["年度"]) == {2021}
    assert quality["记录数"].sum() == sum(expected.values())


def test_a_provincial_user_sees_only_its_own_deliveries(signed_in, mart):
    at = signed_in("gd", PAGE)
    first, last = 2020 * 12, 2022 * 12 + 11
    at.select_slider(key="fh_range").set_range(first, last).run()
    assert not at.exception
    grid = _shown_cells(at)
    assert {p for p, _ in grid} == {"广东省"}
    assert {td.get("data-code") for td in cells(drawing(at, "fh_grid")).values()} == {"440000"}
    assert grid == _expected_cells(mart, first, last, "AND province_code = '440000'")
    rejected = table(at, "记录号", "原因")
    assert set(rejected["省份"]) == {"广东省"}
    assert len(rejected) == len(_in_range(mart, "ingest.rejected_records", first, last, "AND province = '440000'"))
    assert set(table(at, "级别", "规则")["省份"]) == {"广东省"}
    assert not [m for m in at.multiselect if m.key == "fh_provinces"]


def test_published_copies_without_the_ledger_or_marts_show_messages(app_env, monkeypatch, publish_copy, signed_in):
    monkeypatch.setenv("IPX_WAREHOUSE", str(publish_copy("DROP SCHEMA ingest CASCADE")))
    at = signed_in("eng")
    assert not at.exception
    assert any("ingest.rejected_records" in i.value for i in at.info)
    assert has_table(at, "按时", "逾期")  # the grid does not need the ledger

    monkeypatch.setenv("IPX_WAREHOUSE", str(publish_copy("DROP TABLE marts.mart_feed_health",
                                                         "DROP TABLE marts.mart_data_quality")))
    at = signed_in("eng")
    assert not at.exception
    assert any("mart_feed_health" in i.value for i in at.info)
