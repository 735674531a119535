"""Tables as the pages show them (dashboards/table_format.py): plain HTML drawn on the server with
the Styler's texts (formats, "—" for a missing value, 是 / 否, the cell styles), link columns,
minimum widths, and a long table shown a page at a time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from dashboard_support import displayed, drawings, parse, plain_table, plain_table_text, table
from streamlit.testing.v1 import AppTest

from dashboards.table_format import MISSING, Link, styled
from dashboards.table_format import plain_table as plain_html


def _frame(rows: int) -> pd.DataFrame:
    return pd.DataFrame({"省份": [f"省{i}" for i in range(rows)], "金额": [1234.5 + i for i in range(rows)],
                         "状态": ["达成" if i % 2 else None for i in range(rows)]})


def test_a_styler_becomes_html_with_its_formats_styles_and_missing_cells():
    frame = _frame(3)
    frame.loc[1, "金额"] = np.nan
    styler = styled(frame, {"金额": "{:,.2f}"}).map(lambda v: "background-color: #ff0000" if v == "达成" else "",
                                                    subset=["状态"])
    root = parse(plain_html(styler, name="t"))
    texts = plain_table_text(root)
    assert list(texts["金额"]) == ["1,234.50", MISSING, "1,236.50"]
    assert list(texts["状态"]) == [MISSING, "达成", MISSING]
    values = plain_table(root)
    assert values["金额"].iloc[0] == 1234.5 and pd.isna(values["金额"].iloc[1])
    styled_cells = [td for td in root.iter("td") if td.get("data-column") == "状态"]
    assert [td.get("style") for td in styled_cells] == [None, "background-color: #ff0000", None]


def test_yes_no_columns_links_and_widths():
    frame = pd.DataFrame({"单位": ["甲", "乙"], "合格": [True, False], "档案": ["employer?uscc=A", None]})
    root = parse(plain_html(styled(frame), name="t", links={"档案": Link("查看档案", "打开档案")},
                            widths={"单位": "large", "档案": 80}))
    assert list(plain_table_text(root)["合格"]) == ["是", "否"]
    links = [td.find("a") for td in root.iter("td") if td.get("data-column") == "档案"]
    assert links[0].get("href") == "employer?uscc=A" and links[0].text == "查看档案"
    assert links[0].get("target") == "_blank" and links[0].get("title") == "打开档案"
    assert links[1] is None  # a missing address is "—", not a link
    addresses = plain_table(root)["档案"]
    assert addresses.iloc[0] == "employer?uscc=A" and pd.isna(addresses.iloc[1])
    assert list(plain_table_text(root)["档案"]) == ["查看档案", MISSING]
    widths = {th.text: th.get("style") for th in root.iter("th")}
    assert widths == {"单位": "min-width: 16em", "合格": None, "档案": "min-width: 80px"}


def _page(rows: int, page_rows: int, **kwargs) -> AppTest:
    def script(rows: int, page_rows: int, kwargs: dict) -> None:
        import pandas as pd

        from dashboards import table_format

        table_format.PAGE_ROWS = page_rows
        frame = pd.DataFrame({"省份": [f"省{i}" for i in range(rows)], "金额": [float(i) for i in range(rows)]})
        table_format.show_table(table_format.styled(frame, {"金额": "{:,.1f}"}), key="t", **kwargs)

    at = AppTest.from_function(script, args=(rows, page_rows, kwargs))
    return at.run()


@pytest.mark.paged
def test_a_table_is_html_and_a_long_one_is_shown_a_page_at_a_time():
    short = _page(10, 10)
    assert not short.exception and not short.dataframe and list(drawings(short)) == ["t"]
    assert not short.number_input  # one page: no page number
    assert list(table(short, "省份", "金额")["金额"]) == [float(i) for i in range(10)]
    assert displayed(short, "金额")["金额"].iloc[-1] == "9.0"

    long = _page(25, 10, unit="家")
    assert not long.exception and not long.dataframe
    assert list(table(long, "省份")["省份"]) == [f"省{i}" for i in range(10)]
    assert any(c.value.startswith("第 1–10 家，共 25 家") for c in long.caption)
    assert long.number_input(key="t_page").max == 3
    long.number_input(key="t_page").set_value(3).run()
    assert list(table(long, "省份", "金额")["金额"]) == [20.0, 21.0, 22.0, 23.0, 24.0]
    assert any(c.value.startswith("第 21–25 家，共 25 家") for c in long.caption)


def test_the_styles_of_a_page_are_those_of_its_rows():
    frame = pd.DataFrame({"省份": [f"省{i}" for i in range(6)], "状态": ["达成" if i % 2 else "未达成" for i in range(6)]})
    styler = styled(frame).map(lambda v: "color: #ff0000" if v == "达成" else "", subset=["状态"])
    root = parse(plain_html(styler, name="t", rows=slice(3, 6)))
    assert list(plain_table_text(root)["省份"]) == ["省3", "省4", "省5"]
    assert [td.get("style") for td in root.iter("td") if td.get("data-column") == "状态"] == [
        "color: #ff0000", None, "color: #ff0000"]


@pytest.mark.paged
def test_the_pager_says_the_order_of_the_rows():
    def script() -> None:
        from dashboards import table_format

        table_format.PAGE_ROWS = 10
        table_format.pager(25, key="p", unit="条", order="按数据项、文件、记录号排列")

    at = AppTest.from_function(script).run()
    assert not at.exception
    assert [c.value for c in at.caption] == ["第 1–10 条，共 25 条（每页 10 条；按数据项、文件、记录号排列）"]
