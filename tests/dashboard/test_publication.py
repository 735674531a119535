"""The dashboard reads only the published copy, read-only, shows its as-of time on every page,
follows current.json to a new copy, never holds a file open, and survives a writer's lock."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import duckdb
import pytest
from dashboard_support import coded, drawing, drawings, new_app, sign_in, texts

PAGES = ["views/hotspots.py", "views/briefing.py", "views/watchlist.py", "views/employer.py", "views/assessment.py",
         "views/floating.py", "views/evaluation.py", "views/feed_health.py"]


def _as_of_line(at) -> str:
    lines = [c.value for c in at.caption if c.value.startswith(("数据截至 ", "数据截至时间"))]
    assert len(lines) == 1, [c.value for c in at.caption]
    return lines[0]


def test_every_page_shows_the_as_of_and_publication_time(signed_in, mart, published, small_build):
    as_of = mart("SELECT as_of_at, loaded_files FROM marts.mart_data_as_of").iloc[0]
    publication = mart("SELECT published_at FROM meta.publication").iloc[0]
    expected = (f"数据截至 {as_of['as_of_at']:%Y-%m-%d %H:%M:%S}（北京时间）",
                f"已入库文件 {int(as_of['loaded_files']):,} 个", f"发布时间 {publication['published_at']:%Y-%m-%d %H:%M:%S}")
    pointer = json.loads((published.parent / "current.json").read_text(encoding="utf-8"))
    assert pointer["file"] == published.name
    at = signed_in("nat")
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception
        line = _as_of_line(at)
        assert all(part in line for part in expected), line
    at = signed_in("eng")
    assert all(part in _as_of_line(at) for part in expected)


def test_a_new_publication_is_shown_at_the_next_interaction(app_env, monkeypatch, publish_copy, signed_in, mart):
    warehouse = publish_copy()
    monkeypatch.setenv("IPX_WAREHOUSE", str(warehouse))
    at = signed_in("nat", "views/hotspots.py")
    at.selectbox(key="hs_year").set_value(2022).run()
    # the map shows the published gap of the injury rate to the target path (%)
    before = mart("SELECT injury_rate_gap_pct AS r FROM marts.mart_hotspots WHERE province_code = '440000' "
                  "AND year = 2022 AND industry_group = 'key_all'")["r"][0]

    def shown_rate() -> float:
        shape = coded(drawing(at, "hs_map"), "path", within="ipx-provinces").get("440000")
        if shape is None or not shape.get("data-value"):
            raise AssertionError("440000 not on the map")
        return float(shape.get("data-value"))

    assert shown_rate() == pytest.approx(float(before))
    published_at = mart("SELECT published_at FROM meta.publication")["published_at"][0]
    assert f"发布时间 {published_at:%Y-%m-%d %H:%M:%S}" in _as_of_line(at)

    old = warehouse.with_name(warehouse.name + ".serving") / "ipx-test-001.duckdb"
    publish_copy("UPDATE marts.mart_hotspots SET injury_rate_gap_pct = 99.12 WHERE province_code = '440000' "
                 "AND year = 2022 AND industry_group = 'key_all'",
                 "UPDATE marts.mart_data_as_of SET loaded_files = 4242",
                 "UPDATE meta.publication SET published_at = TIMESTAMP '2031-02-03 04:05:06'")
    old.unlink()  # the pipeline removes superseded copies
    at.run()
    assert not at.exception
    assert shown_rate() == pytest.approx(99.12)
    assert "已入库文件 4,242 个" in _as_of_line(at)
    assert "发布时间 2031-02-03 04:05:06" in _as_of_line(at)


def test_the_dashboard_holds_no_file_open(app_env, monkeypatch, publish_copy, signed_in):
    warehouse = publish_copy()
    monkeypatch.setenv("IPX_WAREHOUSE", str(warehouse))
    at = signed_in("nat")
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception
    serving = warehouse.with_name(warehouse.name + ".serving") / "ipx-test-001.duckdb"
    # DuckDB refuses a read-write connection in a process that still has the file open read-only.
    con = duckdb.connect(str(serving))
    con.execute("CREATE TABLE meta.touched AS SELECT 1 AS x")
    con.close()


def test_before_anything_is_published_the_warehouse_is_read_and_a_writer_s_lock_is_a_message(
        app_env, monkeypatch, tmp_path, published, signed_in):
    warehouse = tmp_path / "fresh" / "ipx.duckdb"
    warehouse.parent.mkdir()
    shutil.copyfile(published, warehouse)  # a warehouse with published marts but no serving copy
    monkeypatch.setenv("IPX_WAREHOUSE", str(warehouse))

    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; con = duckdb.connect(sys.argv[1]); print('ready', flush=True); "
                               "sys.stdin.read()", str(warehouse)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        at = signed_in("nat")
        assert not at.exception
        assert any("暂时无法读取" in i.value for i in at.info)
        assert not drawings(at)
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)

    at = signed_in("nat")
    assert not at.exception
    assert "尚未发布服务副本，直接读取数据仓库" in _as_of_line(at)
    assert "hs_map" in drawings(at)


def test_nothing_published_is_a_message_on_every_page(app_env, monkeypatch, tmp_path):
    monkeypatch.setenv("IPX_WAREHOUSE", str(tmp_path / "none" / "ipx.duckdb"))
    at = sign_in(new_app(), "nat", "nat-password")
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception
        assert any("尚无已发布的数据" in i.value for i in at.info)
        assert "数据截至" not in texts(at)


def test_measure_pages_reports_p50_and_p95_per_page(app_env, monkeypatch, capsys):
    from dashboards import measure_pages

    monkeypatch.setenv("IPX_USERS_FILE", "unchanged")  # measure_pages sets its own; restored after the test
    assert measure_pages.main(["--warehouse", str(app_env), "--runs", "3", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert list(report) == list(measure_pages.PAGES) and "省级考核" in report
    for figures in report.values():
        assert figures["runs"] == 3
        assert 0 < figures["p50_ms"] <= figures["p95_ms"]
        assert figures["first_ms"] > 0
