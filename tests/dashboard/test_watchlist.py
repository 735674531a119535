"""超标与隐患整改: marts.mart_watchlist worst first with its reasons, every filter, the XLSX of the
filtered rows (formula-safe), and a provincial user's view of its own province only."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest
from dashboard_support import all_tables, metrics, new_app, sign_in, table

from dashboards.users import User, hash_password, save_users
from dashboards.watchlist_table import NOT_KEY_INDUSTRY, NOT_KEY_INDUSTRY_CODE, filter_watchlist, xlsx_bytes

PAGE = "views/watchlist.py"
ALL_ROWS = "SELECT * FROM marts.mart_watchlist ORDER BY priority_rank"


def _shown(at) -> pd.DataFrame:
    return table(at, "优先序", "列入原因")


def _assert_same_rows(shown: pd.DataFrame, published: pd.DataFrame) -> None:
    assert list(shown["优先序"]) == list(published["priority_rank"])
    assert list(shown["统一社会信用代码"]) == list(published["uscc"])
    assert list(shown["列入原因"]) == list(published["listing_reasons"])
    assert list(shown["逾期项"]) == list(published["overdue_items"])
    # no factor exceeded in 12 months or still open: "—" (read back as missing), never an empty cell
    assert list(shown["超标因素"].fillna("—")) == ["、".join(v) or "—" for v in published["exceeded_factors"]]


def test_all_employers_are_listed_worst_first_with_their_reasons(signed_in, mart):
    at = signed_in("nat", PAGE)
    published = mart(ALL_ROWS)
    assert len(published) > 0
    shown = _shown(at)
    _assert_same_rows(shown, published)
    assert shown["列入原因"].str.len().min() > 0  # every row says why it is listed
    assert metrics(at)["列入单位"] == f"{len(published):,}"
    assert metrics(at)["其中有逾期项"] == f"{int((published['overdue_items'] > 0).sum()):,}"


def test_province_filter(signed_in, mart):
    at = signed_in("nat", PAGE)
    at.multiselect(key="wl_provinces").set_value(["510000"]).run()
    published = mart("SELECT * FROM marts.mart_watchlist WHERE province_code = '510000' ORDER BY priority_rank")
    assert 0 < len(published) < len(mart(ALL_ROWS))
    _assert_same_rows(_shown(at), published)
    assert set(_shown(at)["省份"]) == {"四川省"}


def test_key_industry_filter_including_employers_outside_key_industries(signed_in, mart):
    at = signed_in("nat", PAGE)
    at.multiselect(key="wl_industries").set_value(["construction", NOT_KEY_INDUSTRY_CODE]).run()
    published = mart("SELECT * FROM marts.mart_watchlist WHERE key_industry_code = 'construction' "
                     "OR key_industry_code IS NULL ORDER BY priority_rank")
    assert len(published) > 0
    _assert_same_rows(_shown(at), published)
    assert set(_shown(at)["重点行业"]) == {"建筑施工", NOT_KEY_INDUSTRY}
    assert at.query_params["industry"] == f"construction,{NOT_KEY_INDUSTRY_CODE}"


def test_hazard_factor_filter_matches_any_chosen_factor(signed_in, mart):
    at = signed_in("nat", PAGE)
    at.multiselect(key="wl_factors").set_value(["噪声", "苯"]).run()
    published = mart("SELECT * FROM marts.mart_watchlist WHERE list_has_any(exceeded_factors, ['噪声', '苯']) "
                     "ORDER BY priority_rank")
    assert len(published) > 0
    _assert_same_rows(_shown(at), published)


def test_overdue_only_and_combined_filters(signed_in, mart):
    at = signed_in("nat", PAGE)
    at.checkbox(key="wl_overdue").check().run()
    _assert_same_rows(_shown(at), mart("SELECT * FROM marts.mart_watchlist WHERE overdue_items > 0 "
                                       "ORDER BY priority_rank"))
    at.multiselect(key="wl_provinces").set_value(["440000"])
    at.multiselect(key="wl_factors").set_value(["噪声"])
    at.run()
    published = mart("SELECT * FROM marts.mart_watchlist WHERE overdue_items > 0 AND province_code = '440000' "
                     "AND list_contains(exceeded_factors, '噪声') ORDER BY priority_rank")
    _assert_same_rows(_shown(at), published)
    assert metrics(at)["列入单位"] == f"{len(published):,}"


def test_no_matching_employer_is_a_message(signed_in, mart):
    # a factor exceeded somewhere, but by no employer of Sichuan
    absent = mart("SELECT f FROM (SELECT DISTINCT unnest(exceeded_factors) AS f FROM marts.mart_watchlist) "
                  "WHERE f NOT IN (SELECT DISTINCT unnest(exceeded_factors) FROM marts.mart_watchlist "
                  "WHERE province_code = '510000') ORDER BY f")
    assert len(absent), "the small build has a factor not exceeded in Sichuan"
    at = signed_in("nat", PAGE)
    at.multiselect(key="wl_provinces").set_value(["510000"])
    at.multiselect(key="wl_factors").set_value([absent["f"].iloc[0]])
    at.run()
    assert not at.exception
    assert any("没有符合筛选条件的单位" in i.value for i in at.info)
    assert metrics(at)["列入单位"] == "0"
    assert not all_tables(at)


def test_the_download_is_the_filtered_rows_in_xlsx(signed_in, mart):
    at = signed_in("nat", PAGE)
    assert at.download_button(key="wl_download").label == "下载筛选结果（XLSX）"
    rows = mart(ALL_ROWS)
    chosen = filter_watchlist(rows, provinces=["440000"], overdue_only=True)
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(chosen)))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["优先序", "优先级", "省份代码", "省份"] and "列入原因" in header
    body = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    expected = mart("SELECT priority_rank, uscc, listing_reasons, exceeded_factors FROM marts.mart_watchlist "
                    "WHERE province_code = '440000' AND overdue_items > 0 ORDER BY priority_rank")
    assert [r[0] for r in body] == list(expected["priority_rank"])
    assert [r[header.index("统一社会信用代码")] for r in body] == list(expected["uscc"])
    assert [r[header.index("列入原因")] for r in body] == list(expected["listing_reasons"])
    assert [r[header.index("超标因素")] for r in body] == ["、".join(v) for v in expected["exceeded_factors"]]


def test_the_download_neutralises_formula_like_text(mart):
    rows = mart(ALL_ROWS).head(2).copy()
    rows.loc[rows.index[0], "employer_name"] = "=HYPERLINK(\"http://example.invalid\")"
    rows.loc[rows.index[1], "employer_name"] = "@SUM(A1)"
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(rows))).worksheets[0]
    header = [c.value for c in sheet[1]]
    names = [row[header.index("单位名称")].value for row in sheet.iter_rows(min_row=2)]
    assert names == ["'=HYPERLINK(\"http://example.invalid\")", "'@SUM(A1)"]
    assert all(row[header.index("单位名称")].data_type == "s" for row in sheet.iter_rows(min_row=2))


@pytest.mark.parametrize("user, province", [("gd", "440000"), ("sc", "510000")])
def test_a_provincial_user_sees_only_its_own_employers(signed_in, mart, user, province):
    at = signed_in(user, PAGE)
    published = mart("SELECT * FROM marts.mart_watchlist WHERE province_code = ? ORDER BY priority_rank",
                     [province])
    _assert_same_rows(_shown(at), published)
    others = mart("SELECT uscc FROM marts.mart_watchlist WHERE province_code <> ?", [province])
    assert not set(_shown(at)["统一社会信用代码"]) & set(others["uscc"])
    assert not [m for m in at.multiselect if m.key == "wl_provinces"]  # no choice of province
    # the other filters still work within the province
    at.checkbox(key="wl_overdue").check().run()
    _assert_same_rows(_shown(at), mart("SELECT * FROM marts.mart_watchlist WHERE province_code = ? "
                                       "AND overdue_items > 0 ORDER BY priority_rank", [province]))


def test_a_provincial_user_of_a_province_without_listed_employers(app_env, monkeypatch, tmp_path, mart):
    listed = set(mart("SELECT DISTINCT province_code FROM marts.mart_watchlist")["province_code"])
    assert "110000" not in listed
    path = tmp_path / "users.toml"
    save_users(path, {"bj": User("bj", "provincial", "110000", "", hash_password("bj-password"))})
    monkeypatch.setenv("IPX_USERS_FILE", str(path))
    at = sign_in(new_app(), "bj", "bj-password")
    at.switch_page(PAGE).run()
    assert not at.exception
    assert any("本省当前没有需要整改的单位" in i.value for i in at.info)
    assert not all_tables(at)


@pytest.mark.paged
def test_a_long_list_is_shown_a_page_at_a_time_worst_first(signed_in, mart, monkeypatch):
    """At national volume the list has 100,000+ employers: the table shows one page of them at a
    time, worst first, and says which; the count and the filters cover every row, and a changed
    filter goes back to the first page. The page size is lowered so that the small build's list
    has several pages."""
    from dashboards import table_format

    published = mart(ALL_ROWS)
    per_page = len(published) // 3
    assert per_page >= 2
    monkeypatch.setattr(table_format, "PAGE_ROWS", per_page)
    at = signed_in("nat", PAGE)
    assert not at.exception
    _assert_same_rows(_shown(at), published.head(per_page))
    assert metrics(at)["列入单位"] == f"{len(published):,}"
    assert any(f"第 1–{per_page:,} 家，共 {len(published):,} 家" in c.value for c in at.caption)

    at.number_input(key="wl_page").set_value(2).run()
    assert not at.exception
    _assert_same_rows(_shown(at), published.iloc[per_page:2 * per_page].reset_index(drop=True))
    assert any(f"第 {per_page + 1:,}–{2 * per_page:,} 家" in c.value for c in at.caption)

    at.checkbox(key="wl_overdue").check().run()
    overdue = published[published["overdue_items"].fillna(0) > 0].reset_index(drop=True)
    assert 0 < len(overdue) < len(published), "the small build has employers with and without overdue items"
    _assert_same_rows(_shown(at), overdue.head(per_page))  # back on the first page
    assert metrics(at)["列入单位"] == f"{len(overdue):,}"


# ------------------------------------------------------------------ shareable address, profile links


def _with_params(signed_in, user: str, **params):
    at = signed_in(user, PAGE)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_address_sets_province_and_industry_and_follows_the_filters(signed_in, mart):
    at = _with_params(signed_in, "nat", province="510000", industry="construction")
    published = mart("SELECT * FROM marts.mart_watchlist WHERE province_code = '510000' "
                     "AND key_industry_code = 'construction' ORDER BY priority_rank")
    assert 0 < len(published) < len(mart(ALL_ROWS))
    _assert_same_rows(_shown(at), published)
    assert at.multiselect(key="wl_provinces").value == ["510000"]
    assert at.multiselect(key="wl_industries").value == ["construction"]
    assert metrics(at)["列入单位"] == f"{len(published):,}"
    # the filters go back into the address
    at.multiselect(key="wl_provinces").set_value(["440000", "510000"]).run()
    assert at.query_params["province"] == "440000,510000"
    at.multiselect(key="wl_industries").set_value([]).run()
    assert "industry" not in at.query_params
    _assert_same_rows(_shown(at), mart("SELECT * FROM marts.mart_watchlist WHERE province_code IN "
                                       "('440000', '510000') ORDER BY priority_rank"))


def test_key_all_in_the_address_is_every_key_industry(signed_in, mart):
    at = _with_params(signed_in, "nat", industry="key_all")
    _assert_same_rows(_shown(at), mart("SELECT * FROM marts.mart_watchlist WHERE key_industry_code IS NOT NULL "
                                       "ORDER BY priority_rank"))


def test_a_provincial_user_given_another_provinces_code_gets_its_own(signed_in, mart):
    at = _with_params(signed_in, "sc", province="440000", industry="construction")
    assert any("只能查看本省（四川省）" in w.value for w in at.warning)
    published = mart("SELECT * FROM marts.mart_watchlist WHERE province_code = '510000' "
                     "AND key_industry_code = 'construction' ORDER BY priority_rank")
    assert len(published) > 0
    _assert_same_rows(_shown(at), published)
    others = mart("SELECT uscc FROM marts.mart_watchlist WHERE province_code <> '510000'")
    assert not set(_shown(at)["统一社会信用代码"]) & set(others["uscc"])
    assert at.query_params["province"] == "510000"


def test_the_national_code_in_the_address_is_every_province(signed_in, mart):
    at = _with_params(signed_in, "nat", province="000000", industry="all")
    assert not at.warning
    _assert_same_rows(_shown(at), mart(ALL_ROWS))
    assert "province" not in at.query_params and "industry" not in at.query_params


def test_unknown_codes_in_the_address_are_said_and_ignored(signed_in, mart):
    at = _with_params(signed_in, "nat", province="999999", industry="no_such_industry")
    notices = " ".join(w.value for w in at.warning)
    assert "999999" in notices and "no_such_industry" in notices
    _assert_same_rows(_shown(at), mart(ALL_ROWS))


def test_each_row_links_to_its_employer_profile(signed_in, mart):
    at = signed_in("nat", PAGE)
    shown = _shown(at)
    assert list(shown["单位档案"]) == [f"employer?uscc={u}" for u in shown["统一社会信用代码"]]
    uscc = shown["统一社会信用代码"].iloc[0]
    assert len(mart("SELECT 1 FROM marts.mart_employer_profile WHERE uscc = ?", [uscc])) == 1


def test_the_vectorised_filters_match_each_row_checked_one_by_one():
    rows = pd.DataFrame({
        "priority_rank": [3, 1, 2, 5, 4],
        "province_code": ["440000", "510000", "440000", "660000", "440000"],
        "key_industry_code": ["mining", None, "construction", "mining", None],
        "exceeded_factors": [["噪声", "粉尘"], [], None, ["苯"], ["粉尘"]],
        "overdue_items": [0, 2, 1, None, 3],
    })
    rows.index = [10, 20, 30, 40, 50]  # a provincial user's rows keep the labels of the whole table

    def by_hand(provinces=(), industries=(), factors=(), overdue_only=False) -> list[int]:
        out = []
        for r in rows.itertuples():
            industry = NOT_KEY_INDUSTRY_CODE if pd.isna(r.key_industry_code) else r.key_industry_code
            if ((not provinces or r.province_code in provinces) and (not industries or industry in industries)
                    and (not factors or set(factors) & set(r.exceeded_factors or []))
                    and (not overdue_only or (not pd.isna(r.overdue_items) and r.overdue_items > 0))):
                out.append(r.priority_rank)
        return sorted(out)

    cases = [{}, {"provinces": ["440000"]}, {"industries": [NOT_KEY_INDUSTRY_CODE]},
             {"industries": ["mining", NOT_KEY_INDUSTRY_CODE]}, {"factors": ["粉尘"]}, {"factors": ["苯", "噪声"]},
             {"overdue_only": True}, {"provinces": ["440000"], "factors": ["粉尘"], "overdue_only": True}]
    for case in cases:
        assert list(filter_watchlist(rows, **case)["priority_rank"]) == by_hand(**case), case
