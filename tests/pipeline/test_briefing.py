"""The leaders' briefing PDF (``ipx export briefing``): what it says is what the published marts
say (title, year, as-of, coverage, the lagging provinces and their gaps, the ranking, the top 10
of the watchlist), a provincial reader's copy holds no other province's employers, a provisional
year is marked, the map is drawn, it fits two A4 pages with every province reporting, and it is
made with or without a CJK font on the machine."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pypdf
import pypdfium2
import pytest

from ipx.cli import main as ipx_main
from ipx.exports import briefing
from ipx.exports.published import published_file
from ipx.exports.registry import run_export

OWN = "510000"


def _text(path: Path) -> str:
    """The PDF's text without any white space (table cells wrap inside words)."""
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in pypdf.PdfReader(path).pages))


def _squeeze(value) -> str:
    return re.sub(r"\s+", "", str(value))


def _rows(path: Path, sql: str, params=()) -> list[dict]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        cur = con.execute(sql, list(params))
        return [dict(zip([d[0] for d in cur.description], row)) for row in cur.fetchall()]
    finally:
        con.close()


@pytest.fixture(scope="module")
def published(small_build) -> Path:
    return published_file(small_build.warehouse)


@pytest.fixture(scope="module")
def year(published) -> int:
    return max(r["year"] for r in _rows(published, "SELECT year FROM marts.mart_assessment_coverage WHERE is_assessed"))


@pytest.fixture(scope="module")
def national_pdf(small_build, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("briefing") / "national.pdf"
    run_export("briefing", small_build.warehouse, out)
    return out


@pytest.fixture(scope="module")
def provincial_pdf(small_build, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("briefing") / f"{OWN}.pdf"
    run_export("briefing", small_build.warehouse, out, scope=frozenset({OWN}))
    return out


def _signed_pct(value) -> str:
    v = float(value)
    return f"{'+' if v > 0 else '−' if v < 0 else '±'}{abs(v):.2f}%"


def _watchlist_row(r: dict) -> str:
    """A watchlist row as the briefing's table reads, cell after cell."""
    return _squeeze(f"{r['priority_rank']}{r['employer_name']}{r['province_name']}"
                    f"{r['key_industry_name'] or '非重点行业'}{r['listing_reasons']}{r['overdue_items']}")


def test_the_briefing_says_what_the_marts_say(national_pdf, published, year):
    text = _text(national_pdf)
    assert _squeeze(f"{briefing.TITLE}{year}年数据截至") in text  # the title, then the year line

    coverage = _rows(published, "SELECT province_name, is_assessed FROM marts.mart_assessment_coverage "
                                "WHERE year = ? ORDER BY province_code", [year])
    assessed = [r for r in coverage if r["is_assessed"]]
    missing = [r["province_name"] for r in coverage if not r["is_assessed"]]
    assert 0 < len(assessed) < len(coverage)  # the small build: some provinces report, most do not
    assert f"已报送省份{len(assessed)}/{len(coverage)}" in text
    assert f"未报送（{len(missing)}个" in text and "、".join(missing) in text

    as_of = _rows(published, "SELECT as_of_at FROM marts.mart_data_as_of")[0]["as_of_at"]
    assert f"数据截至{as_of:%Y-%m-%d%H:%M}" in text

    lagging = _rows(published, "SELECT province_name, injury_rate_per_1000, target_injury_rate_per_1000, "
                               "injury_rate_gap_pct, injury_rate_per_1000_change FROM marts.mart_hotspots "
                               "WHERE industry_group = 'key_all' AND year = ? AND NOT is_national "
                               "AND target_status = 'behind' ORDER BY injury_rate_gap_pct DESC", [year])
    assert lagging, "the small build has a province behind target (the check is not vacuous)"
    table = text[text.index("落后于目标路径的省份（差距由大到小）"):]
    for i, r in enumerate(lagging, 1):
        change = r["injury_rate_per_1000_change"]
        row = (f"{i}{r['province_name']}{float(r['injury_rate_per_1000']):.4f}"
               f"{float(r['target_injury_rate_per_1000']):.4f}")
        assert row in table, row
        assert f"{_signed_pct(r['injury_rate_gap_pct'])}" in table[table.index(row):]
        if change is not None:
            assert f"{float(change):+.4f}".replace("-", "−") in table[table.index(row):]
    on_track = _rows(published, "SELECT province_name FROM marts.mart_hotspots WHERE industry_group = 'key_all' "
                                "AND year = ? AND NOT is_national AND target_status = 'on_track'", [year])
    for r in on_track:  # not in the lagging table
        assert f"{r['province_name']}" not in table[:table.index("省级考核排名（")]

    national = _rows(published, "SELECT injury_rate_per_1000, target_injury_rate_per_1000, injury_rate_gap_pct "
                                "FROM marts.mart_hotspots WHERE industry_group = 'key_all' AND year = ? "
                                "AND is_national", [year])[0]
    assert (f"全国重点行业工伤事故发生率{float(national['injury_rate_per_1000']):.4f}‰，"
            f"目标路径{float(national['target_injury_rate_per_1000']):.4f}‰") in text

    ranking = _rows(published, "SELECT rank, province_name, total_score, grade FROM marts.mart_provincial_assessment "
                               "WHERE year = ? ORDER BY rank", [year])
    section = text[text.index("省级考核排名（"):text.index("重点关注单位（")]
    for r in ranking:
        assert f"{r['rank']}{r['province_name']}{float(r['total_score']):.2f}{r['grade']}" in section


def test_the_top_ten_of_the_watchlist_in_priority_order(national_pdf, published):
    text = _text(national_pdf)
    top = _rows(published, "SELECT * FROM marts.mart_watchlist ORDER BY priority_rank LIMIT 10")
    assert len(top) == 10
    section = text[text.index("重点关注单位（前10"):]
    at = 0
    for r in top:
        found = section.find(_watchlist_row(r), at)
        assert found >= at, _watchlist_row(r)
        at = found + 1
    eleventh = _rows(published, "SELECT employer_name FROM marts.mart_watchlist ORDER BY priority_rank LIMIT 1 OFFSET 10")
    assert _squeeze(eleventh[0]["employer_name"]) not in text


def test_a_provincial_briefing_holds_only_its_own_employers(provincial_pdf, published):
    text = _text(provincial_pdf)
    own = _rows(published, "SELECT * FROM marts.mart_watchlist WHERE province_code = ? ORDER BY priority_rank LIMIT 10",
                [OWN])
    others = _rows(published, "SELECT DISTINCT employer_name FROM marts.mart_watchlist WHERE province_code <> ?", [OWN])
    assert own and others
    section = text[text.index("重点关注单位（四川省，前10"):]
    at = 0
    for r in own:
        found = section.find(_watchlist_row(r), at)
        assert found >= at, _watchlist_row(r)
        at = found + 1
    leaked = [r["employer_name"] for r in others if _squeeze(r["employer_name"]) in text]
    assert leaked == []
    # national aggregates and the ranking stay whole
    assert "广东省" in text[text.index("省级考核排名（"):text.index("重点关注单位（")]
    assert "四川省版" in text


def test_a_provisional_year_is_marked(published, year, tmp_path):
    copy = tmp_path / "provisional.duckdb"
    shutil.copyfile(published, copy)
    con = duckdb.connect(str(copy))
    con.execute("UPDATE marts.mart_assessment_coverage SET is_provisional = TRUE WHERE year = ?", [year])
    con.close()
    con = duckdb.connect(str(copy), read_only=True)
    try:
        briefing.export_briefing(con, tmp_path / "b.pdf", year)
    finally:
        con.close()
    text = _text(tmp_path / "b.pdf")
    assert f"{year}年（预评估）数据截至" in text
    assert f"省级考核排名（{year}年（预评估））" in text
    assert "预评估：截至数据日期仍有应报数据未到报送期限" in text


def test_the_map_is_drawn_in_the_gap_colours(national_pdf, published, year, tmp_path):
    page = pypdfium2.PdfDocument(str(national_pdf))[0]
    image = page.render(scale=1.5).to_pil().convert("RGB")
    image.save(tmp_path / "page1.png")
    pixels = np.asarray(image).reshape(-1, 3).astype(int)
    assert (pixels.min(axis=1) < 235).mean() > 0.08  # not blank: title, KPIs, map, tables

    def near(rgb, tolerance: int) -> int:
        return int((np.abs(pixels - np.array(rgb)) <= tolerance).all(axis=1).sum())

    gaps = _rows(published, "SELECT province_code, injury_rate_gap_pct FROM marts.mart_hotspots "
                            "WHERE industry_group = 'key_all' AND year = ? AND NOT is_national AND is_reported "
                            "AND injury_rate_gap_pct IS NOT NULL", [year])
    limit = briefing.gap_limit(r["injury_rate_gap_pct"] for r in gaps)
    for r in gaps:
        if r["province_code"] == briefing.XPCC:
            continue  # a small marker, not a filled province
        colour = briefing.gap_colour(r["injury_rate_gap_pct"], limit)
        rgb = [round(c * 255) for c in (colour.red, colour.green, colour.blue)]
        assert near(rgb, 3) > 500, (r, rgb)  # the province is filled with its gap's colour
    grey = [round(c * 255) for c in (briefing.NO_DATA.red, briefing.NO_DATA.green, briefing.NO_DATA.blue)]
    assert near(grey, 2) > 20_000  # the provinces with no data, grey


def test_the_gap_colours_diverge_around_the_target():
    limit = briefing.gap_limit([12.0, -3.0])
    assert limit == 15.0
    behind, ahead, on = (briefing.gap_colour(g, limit) for g in (12.0, -12.0, 0.0))
    assert behind.red > behind.blue and ahead.blue > ahead.red
    assert abs(on.red - on.blue) < 0.01  # the target itself is neutral


def test_every_province_reporting_still_fits_two_pages(published, year, tmp_path):
    copy = tmp_path / "full.duckdb"
    shutil.copyfile(published, copy)
    con = duckdb.connect(str(copy))
    con.execute("UPDATE marts.mart_assessment_coverage SET is_assessed = TRUE WHERE year = ?", [year])
    con.execute("""
        UPDATE marts.mart_hotspots SET is_reported = TRUE,
          injury_rate_per_1000 = 5 + (hash(province_code) % 600) / 100.0, target_injury_rate_per_1000 = 8.0,
          injury_rate_gap_per_1000 = (hash(province_code) % 600) / 100.0 - 3.0,
          injury_rate_gap_pct = round(100 * ((hash(province_code) % 600) / 100.0 - 3.0) / 8.0, 2),
          target_status = CASE WHEN (hash(province_code) % 600) / 100.0 > 3.0 THEN 'behind' ELSE 'on_track' END
        WHERE year = ? AND industry_group = 'key_all' AND NOT is_national AND NOT is_reported""", [year])
    con.execute("""
        INSERT INTO marts.mart_provincial_assessment (province_code, province_name, year, total_score, grade, rank)
        SELECT province_code, province_name, year, 40 + (hash(province_code) % 5000) / 100.0, '合格', 99
        FROM marts.mart_assessment_coverage WHERE year = ? AND province_code NOT IN
          (SELECT province_code FROM marts.mart_provincial_assessment WHERE year = ?)""", [year, year])
    con.close()
    con = duckdb.connect(str(copy), read_only=True)
    try:
        content = briefing.gather(con, year)
        briefing.export_briefing(con, tmp_path / "full.pdf", year)
    finally:
        con.close()
    assert len(content.assessed) == 32 and len(content.ranking) == 32 and len(content.lagging) > 10
    assert len(pypdf.PdfReader(tmp_path / "full.pdf").pages) == 2
    text = _text(tmp_path / "full.pdf")
    assert "已报送省份32/32" in text and "未报送（" not in text
    for r in content.lagging:
        assert _squeeze(f"{r['province_name']}") in text


def _fonts(path: Path) -> list[dict]:
    found = []
    for page in pypdf.PdfReader(path).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font).get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            found.append({"name": str(font["/BaseFont"]),
                          "embedded": any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))})
    return found


def test_the_cjk_font_is_embedded_when_the_machine_has_one(national_pdf):
    if briefing.font_files() is None:
        pytest.skip("no CJK font on this machine (fonts-noto-cjk)")
    fonts = [f for f in _fonts(national_pdf) if f["name"] != "/Helvetica"]  # ReportLab's unused page default
    assert fonts and all(f["embedded"] for f in fonts), fonts


def test_without_a_cjk_font_the_standard_song_face_is_used(published, year, tmp_path, monkeypatch):
    monkeypatch.setattr(briefing, "FONT_CANDIDATES", [])
    monkeypatch.delenv(briefing.FONT_ENV, raising=False)
    con = duckdb.connect(str(published), read_only=True)
    try:
        briefing.export_briefing(con, tmp_path / "song.pdf", year)
    finally:
        con.close()
    fonts = _fonts(tmp_path / "song.pdf")
    cjk = [f for f in fonts if f["name"] != "/Helvetica"]
    assert cjk and all(f["name"].startswith("/STSong-Light") for f in cjk) and not any(f["embedded"] for f in cjk)
    image = pypdfium2.PdfDocument(str(tmp_path / "song.pdf"))[0].render(scale=1).to_pil().convert("L")
    assert (np.asarray(image) < 128).mean() > 0.005  # the text is drawn (the viewer supplies a Song face)


def test_the_command_line(small_build, tmp_path, capsys):
    out = tmp_path / "b.pdf"
    assert ipx_main(["export", "briefing", "--warehouse", str(small_build.warehouse), "--out", str(out),
                     "--year", "2021", "--province", OWN]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    text = _text(out)
    assert "2021年数据截至" in text and "省级考核排名（2021年）" in text
    assert ipx_main(["export", "briefing", "--warehouse", str(small_build.warehouse),
                     "--out", str(tmp_path / "b.csv")]) != 0
    assert "ending in .pdf" in capsys.readouterr().err
    assert ipx_main(["export", "briefing", "--warehouse", str(small_build.warehouse), "--out", str(out),
                     "--year", "2030"]) != 0
