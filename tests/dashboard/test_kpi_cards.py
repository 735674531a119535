"""Key figures drawn as HTML cards (dashboards/kpi_cards.py)."""

from __future__ import annotations

from dashboard_support import parse

from dashboards import kpi_cards
from dashboards.kpi_cards import BAD, DOWN, GOOD, NEUTRAL, UP, Kpi


def test_a_rise_is_bad_news_where_lower_is_better_and_good_news_otherwise():
    assert kpi_cards.change("+0.0123‰") == {"delta": "+0.0123‰", "arrow": UP, "tone": BAD, "note": "较上年"}
    assert kpi_cards.change("-2 个", note="较公布") == {"delta": "-2 个", "arrow": DOWN, "tone": GOOD, "note": "较公布"}
    assert kpi_cards.change("+1.50", lower_is_better=False)["tone"] == GOOD
    assert kpi_cards.change("−3 名次", lower_is_better=False)["tone"] == BAD
    assert kpi_cards.change("持平") == {"delta": "持平", "tone": NEUTRAL, "note": "较上年"}  # no sign, no arrow
    assert kpi_cards.change(None) == {} and kpi_cards.change("") == {}


def test_cards_carry_label_value_change_and_tooltip_escaped():
    markup = kpi_cards.markup([
        Kpi("发生率<‰>", "1.2345‰", help='公式 "t(Y)" & 说明', **kpi_cards.change("+0.0100‰")),
        Kpi("差距最大", "河南省"),
    ], columns=6)
    root = parse(markup)  # well-formed: the label's "<" and the tooltip's quotes are escaped
    row = next(root.iter("div"))
    assert row.get("class") == "ipx-kpis" and "--ipx-kpi-columns: 6" in row.get("style")
    first, second = [div for div in row if div.get("class") == "ipx-kpi"]
    assert first.get("title") == '公式 "t(Y)" & 说明'
    label, value, delta = list(first)
    assert label.text == "发生率<‰>" and value.text == "1.2345‰"
    assert delta.get("data-tone") == BAD and delta.text.strip() == f"{UP} +0.0100‰"
    assert [s.text for s in delta.iter("span")] == ["较上年"]
    assert second.get("title") is None and len(list(second)) == 2  # no change, no tooltip marker
    assert [d.text for d in second] == ["差距最大", "河南省"]
