"""领导简报: the page previews what the PDF briefing holds for the chosen year (coverage, the national
headline, who lags and by how much, the ranking, the watchlist's scope) and offers exactly one
button, which makes the PDF from the published copy with the viewer's scope."""

from __future__ import annotations

import io
import re

import pypdf
from dashboard_support import texts

from dashboards.scoped_exports import export_bytes
from ipx.exports.briefing import export_briefing

PAGE = "views/briefing.py"
BUTTON = "生成并下载领导简报（PDF）"


def _latest_year(mart) -> int:
    return int(mart("SELECT max(year) AS y FROM marts.mart_assessment_coverage WHERE is_assessed").iloc[0]["y"])


def _signed_pct(value) -> str:
    v = float(value)
    return f"{'+' if v > 0 else '−' if v < 0 else '±'}{abs(v):.2f}%"


def test_the_page_previews_the_latest_reported_year_and_has_one_button(signed_in, mart):
    at = signed_in("nat", PAGE)
    assert at.title[0].value == "领导简报"
    year = _latest_year(mart)
    assert at.selectbox(key="br_year").value == year
    coverage = mart("SELECT is_assessed FROM marts.mart_assessment_coverage WHERE year = ?", [year])
    shown = texts(at)
    assert f"已报送省份 {int(coverage['is_assessed'].sum())}/{len(coverage)}" in shown
    lagging = mart("SELECT province_name, injury_rate_gap_pct FROM marts.mart_hotspots WHERE industry_group = "
                   "'key_all' AND year = ? AND NOT is_national AND target_status = 'behind' "
                   "ORDER BY injury_rate_gap_pct DESC", [year])
    assert not lagging.empty
    assert f"落后于目标路径的省份 {len(lagging)} 个" in shown
    for row in lagging.itertuples():
        assert f"{row.province_name}（{_signed_pct(row.injury_rate_gap_pct)}）" in shown
    ranked = mart("SELECT count(*) AS n FROM marts.mart_provincial_assessment WHERE year = ?", [year])
    assert f"{int(ranked.iloc[0]['n'])} 个省份的总分、等级与名次" in shown
    assert "全国，按优先序" in shown
    buttons = at.get("download_button")
    assert len(buttons) == 1 and at.download_button(key="br_download").label == BUTTON


def test_only_years_with_data_are_offered_and_another_year_can_be_chosen(signed_in, mart):
    at = signed_in("nat", PAGE)
    years = mart("SELECT DISTINCT year FROM marts.mart_assessment_coverage WHERE is_assessed ORDER BY year DESC")
    assert at.selectbox(key="br_year").options == [f"{y}年" for y in years["year"]]
    earlier = int(years["year"].iloc[-1])
    at.selectbox(key="br_year").set_value(earlier).run()
    assert not at.exception
    assert f"简报内容预览（{earlier}年）" in texts(at)


def test_a_provincial_user_is_told_the_watchlist_is_its_own(signed_in):
    at = signed_in("sc", PAGE)
    shown = texts(at)
    assert "仅本省单位，按优先序" in shown and "全国，按优先序" not in shown
    assert "重点关注单位只含本省" in shown
    assert at.download_button(key="br_download").label == BUTTON


def test_the_pdf_the_button_makes_holds_the_viewers_scope(app_env, mart):
    """What the button's callable makes: ``export_bytes`` of the briefing from the published copy."""
    year = _latest_year(mart)
    for scope, own in ((None, None), (frozenset({"510000"}), "510000")):
        content = export_bytes(export_briefing, app_env, year, scope=scope, suffix=".pdf")
        assert content.startswith(b"%PDF-")
        text = re.sub(r"\s+", "", "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(content)).pages))
        top = mart("SELECT employer_name, province_code FROM marts.mart_watchlist "
                   + ("" if own is None else f"WHERE province_code = '{own}' ") + "ORDER BY priority_rank LIMIT 10")
        assert all(re.sub(r"\s+", "", name) in text for name in top["employer_name"])
        if own is not None:
            others = mart("SELECT DISTINCT employer_name FROM marts.mart_watchlist WHERE province_code <> ?", [own])
            assert not [n for n in others["employer_name"] if re.sub(r"\s+", "", n) in text]
