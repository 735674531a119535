"""单位档案: the profile of an employer given by ``?uscc=`` (header, KPIs from
mart_employer_profile, the exceedance chart against the limit, open items, the event table of
mart_employer_events), the search when no USCC is given, and a provincial user refused another
province's employer."""

from __future__ import annotations

import pytest
from dashboard_support import all_tables, drawing, has_table, metrics, no_missing_text, table, texts

PAGE = "views/employer.py"


@pytest.fixture(scope="module")
def top(mart):
    """The priority-1 employer ranked first on the watchlist, with exceedances if any has."""
    rows = mart("SELECT p.* FROM marts.mart_employer_profile p WHERE p.priority_tier = 1 "
                       "ORDER BY p.exceedances > 0 DESC, p.priority_rank LIMIT 1")
    assert len(rows) == 1
    return rows.iloc[0]


def _open(signed_in, user: str, uscc: str | None):
    at = signed_in(user, PAGE)
    at.query_params.clear()  # AppTest keeps the first page's parameters; a browser's navigation does not
    if uscc is not None:
        at.query_params["uscc"] = uscc
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_national_user_opens_a_priority_one_profile(signed_in, mart, top):
    at = _open(signed_in, "nat", top["uscc"])
    assert [h.value for h in at.header] == [top["employer_name"]]
    page = texts(at)
    assert top["uscc"] in page and top["province_name"] in page
    assert "优先级 1" in page and top["listing_reasons"] in page
    shown = metrics(at)
    assert shown["待整改项"] == f"{int(top['open_items']):,}"
    assert shown["其中逾期"] == f"{int(top['overdue_items']):,}"
    assert shown["认定工伤（死亡）"] == f"{int(top['recognised_injuries']):,}（{int(top['injury_deaths']):,}）"
    assert shown["职业病"] == f"{int(top['od_cases']):,}"

    events = mart("SELECT * FROM marts.mart_employer_events WHERE province_code = ? AND uscc = ? "
                  "ORDER BY event_date DESC, event_type", [top["province_code"], top["uscc"]])
    assert len(events) > 0
    shown_events = table(at, "日期", "类别", "情况", "状态", "整改日期", "超标倍数")
    assert len(shown_events) == len(events)
    assert list(shown_events["类别"]) == list(events["event_kind"])
    assert list(shown_events["日期"]) == [d.strftime("%Y-%m-%d") for d in events["event_date"]]
    assert no_missing_text(shown_events)
    assert not set(shown_events.columns) & {"person_pseudonym", "人员", "姓名", "身份证号"}

    opened = table(at, "类别", "整改期限", "逾期天数")
    assert len(opened) == int(top["open_items"])

    exceedances = events[events["event_type"] == "exceedance"]
    if len(exceedances):
        chart = drawing(at, "emp_exceedances")
        ys = sorted(float(c.get("data-value")) for c in chart.iter("circle"))
        assert ys == pytest.approx(sorted(float(r) for r in exceedances["exceedance_ratio"]))
        assert [float(line.get("data-value")) for line in chart.iter("line") if "ipx-limit" in line.get("class", "")] \
            == [1.0]
        assert {g.get("data-name") for g in chart.iter("g") if "ipx-series" in g.get("class", "")} == \
            set(exceedances["factor"])


def test_a_provincial_user_is_refused_another_provinces_employer(signed_in, mart):
    other = mart("SELECT uscc, employer_name FROM marts.mart_employer_profile WHERE province_code = '440000' "
                 "AND priority_rank IS NOT NULL ORDER BY priority_rank LIMIT 1").iloc[0]
    at = _open(signed_in, "sc", other["uscc"])
    assert any("无权查看" in e.value and "四川省" in e.value for e in at.error)
    page = texts(at)
    assert other["employer_name"] not in page and "广东" not in page
    assert not at.header and not metrics(at) and not all_tables(at)
    # its own province's employer opens
    own = mart("SELECT uscc, employer_name FROM marts.mart_employer_profile WHERE province_code = '510000' "
               "AND priority_rank IS NOT NULL ORDER BY priority_rank LIMIT 1").iloc[0]
    at.query_params["uscc"] = own["uscc"]
    at.run()
    assert [h.value for h in at.header] == [own["employer_name"]]


def test_without_a_uscc_the_page_is_a_search_within_the_viewers_scope(signed_in, mart):
    at = _open(signed_in, "nat", None)
    assert not at.header and at.text_input(key="emp_search")
    name = mart("SELECT employer_name FROM marts.mart_employer_profile WHERE province_code = '440000' "
                "AND in_employer_snapshot ORDER BY priority_rank NULLS LAST LIMIT 1")["employer_name"].iloc[0]
    word = name[:4]
    at.text_input(key="emp_search").input(word).run()
    found = table(at, "单位名称", "统一社会信用代码", "档案")
    expected = mart("SELECT uscc FROM marts.mart_employer_profile WHERE employer_name ILIKE ? OR uscc ILIKE ?",
                    [f"%{word}%", f"%{word}%"])
    assert set(found["统一社会信用代码"]) == set(expected["uscc"].head(50)) or len(found) == 50
    assert all(link == f"employer?uscc={u}" for link, u in zip(found["档案"], found["统一社会信用代码"]))
    # the Sichuan user finds nothing of Guangdong with the same words
    sc = _open(signed_in, "sc", None)
    sc.text_input(key="emp_search").input(name).run()
    assert not has_table(sc, "单位名称", "统一社会信用代码", "档案")
    assert any("没有找到" in i.value for i in sc.info)


def test_the_search_opens_the_chosen_profile(signed_in, mart):
    row = mart("SELECT uscc, employer_name FROM marts.mart_employer_profile WHERE province_code = '510000' "
               "ORDER BY priority_rank NULLS LAST LIMIT 1").iloc[0]
    at = _open(signed_in, "sc", None)
    at.text_input(key="emp_search").input(row["uscc"]).run()
    at.button(key="emp_open").click().run()
    assert not at.exception
    assert at.query_params["uscc"] == row["uscc"]
    assert [h.value for h in at.header] == [row["employer_name"]]


def test_an_unknown_uscc_is_a_message(signed_in):
    at = _open(signed_in, "nat", "91000000000000000X")
    assert any("没有找到" in w.value for w in at.warning)
    assert not at.header


def test_the_floating_section_shows_the_latest_cycle_of_mart_premium_floating(signed_in, mart):
    """The profile no longer repeats the floating result: the page reads the employer's latest
    cycle from mart_premium_floating, and says so when the employer was never floated."""
    floated = mart("SELECT f.province_code, f.uscc, f.cycle_end_year, f.grade, f.status "
                   "FROM marts.mart_premium_floating f "
                   "JOIN (SELECT province_code, uscc, max(cycle_end_year) AS latest FROM marts.mart_premium_floating "
                   "      GROUP BY ALL) l ON l.province_code = f.province_code AND l.uscc = f.uscc "
                   "AND l.latest = f.cycle_end_year "
                   "WHERE f.grade IS NOT NULL AND f.grade <> 0 ORDER BY f.uscc LIMIT 1")
    assert len(floated) == 1
    row = floated.iloc[0]
    page = texts(_open(signed_in, "nat", row["uscc"]))
    assert f"{int(row['cycle_end_year'])} 年度周期测算结果：{row['status']}" in page.replace("**", "")
    assert f"浮动档次 {int(row['grade']):+d} 档" in page.replace("**", "")

    never = mart("SELECT p.uscc FROM marts.mart_employer_profile p ANTI JOIN marts.mart_premium_floating f "
                 "ON f.province_code = p.province_code AND f.uscc = p.uscc ORDER BY p.uscc LIMIT 1")
    assert len(never) == 1
    assert "该单位未参加费率浮动测算" in texts(_open(signed_in, "nat", never.iloc[0]["uscc"]))
