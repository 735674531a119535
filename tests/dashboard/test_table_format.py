"""Tables as the pages show them (dashboards/table_format.py): a short table is plain HTML drawn on
the server with the same texts a grid would show (formats, "—" for a missing value, the cell
styles of a Styler), a long one, one with a fixed height or a link column stays a grid."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st
from dashboard_support import all_tables, displayed, drawings, parse, plain_table, plain_table_text, table
from streamlit.testing.v1 import AppTest

from dashboards.table_format import MISSING, PLAIN_ROWS, styled
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


def _page(rows: int, **kwargs) -> AppTest:
    def script(rows: int, kwargs: dict) -> None:
        import pandas as pd

        from dashboards.table_format import show_table, styled

        frame = pd.DataFrame({"省份": [f"省{i}" for i in range(rows)], "金额": [float(i) for i in range(rows)]})
        show_table(styled(frame, {"金额": "{:,.1f}"}), key="t", **kwargs)

    at = AppTest.from_function(script, args=(rows, kwargs))
    return at.run()


def test_short_tables_are_plain_html_and_long_ones_grids():
    short = _page(PLAIN_ROWS)
    assert not short.dataframe and list(drawings(short)) == ["t"]
    assert list(table(short, "省份", "金额")["金额"]) == [float(i) for i in range(PLAIN_ROWS)]
    assert displayed(short, "金额")["金额"].iloc[-1] == f"{PLAIN_ROWS - 1:,.1f}"

    long = _page(PLAIN_ROWS + 1)
    assert len(long.dataframe) == 1 and not drawings(long)
    assert len(all_tables(long)[0]) == PLAIN_ROWS + 1

    assert len(_page(5, height=300).dataframe) == 1  # a fixed height asks for a scrolling grid
    linked = _page(5, column_config={"省份": st.column_config.LinkColumn("省份")})
    assert len(linked.dataframe) == 1  # a link column needs the grid
