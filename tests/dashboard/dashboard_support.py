"""Helpers of the dashboard tests: the app under test, the test users, signing in, and reading
what a page shows (Plotly figure JSON, dataframes, metrics, messages)."""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from dashboards.headless import APP, app_test  # noqa: F401 (APP is re-exported to the browser tests)

# The browser tests drive Debian's Chromium (installed by `make browser`).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

# name -> (role, province, password); sso_only has no password.
TEST_USERS = {
    "nat": ("national", None, "nat-password"),
    "gd": ("provincial", "440000", "gd-password"),
    "sc": ("provincial", "510000", "sc-password"),
    "eng": ("engineer", None, "eng-password"),
    "sso_only": ("provincial", "660000", None),
}


def new_app() -> AppTest:
    return app_test()


def sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.run()
    at.text_input(key="sign_in_name").input(name)
    at.text_input(key="sign_in_password").input(password)
    at.button(key="FormSubmitter:sign_in-登录").click()
    return at.run()


# ------------------------------------------------------------------ reading what a page shows


def figures(at: AppTest) -> dict[str | None, dict]:
    """Plotly figures on the page by element key (a chart is an unknown element; its spec is the JSON)."""
    return {element.key: json.loads(element.proto.spec) for element in at.get("plotly_chart")}


def figure(at: AppTest, key: str) -> dict:
    found = figures(at)
    assert key in found, f"no chart {key!r} on the page; charts: {list(found)}"
    return found[key]


def values(data) -> list:
    """A Plotly array as a list: plain JSON lists as they are, typed arrays (numpy data is sent as
    ``{"dtype", "bdata", "shape"}``) decoded; NaN becomes None."""
    if isinstance(data, dict) and "bdata" in data:
        array = np.frombuffer(base64.b64decode(data["bdata"]), dtype=np.dtype(data["dtype"]))
        if data.get("shape"):
            array = array.reshape([int(n) for n in str(data["shape"]).split(",")])
        data = array.tolist()
    if isinstance(data, list):
        return [values(v) if isinstance(v, (list, dict)) else (None if isinstance(v, float) and np.isnan(v) else v)
                for v in data]
    return data


def table(at: AppTest, *columns: str) -> pd.DataFrame:
    """The first dataframe on the page that has all these columns (st.dataframe keys are not exposed)."""
    return dataframe(at, *columns).value


def dataframe(at: AppTest, *columns: str):
    """The first st.dataframe element that has all these columns (keys of read-only tables are not
    exposed by Streamlit)."""
    for element in at.dataframe:
        if all(c in element.value.columns for c in columns):
            return element
    raise AssertionError(f"no table with {columns}; tables: {[list(e.value.columns) for e in at.dataframe]}")


def displayed(at: AppTest, *columns: str) -> pd.DataFrame:
    """The first table with these columns as the browser draws it: the display strings of a styled
    table (formatted numbers), else the values as text; a missing value is drawn as the table's
    ``placeholder`` (Streamlit's default: "None"), whatever a Styler says."""
    element = dataframe(at, *columns)
    raw = element.value
    arrow = element.proto.arrow_data
    if arrow.HasField("styler") and arrow.styler.display_values:
        shown = convert_arrow_bytes_to_pandas_df(arrow.styler.display_values)
        shown.index = raw.index
    else:
        shown = raw.astype(str)
    placeholder = element.proto.placeholder if element.proto.HasField("placeholder") else "None"
    return shown.astype(object).mask(raw.isna(), placeholder)


def no_missing_text(frame: pd.DataFrame) -> bool:
    """No cell reads None, nan, NaN, <NA> or is empty."""
    text = frame.astype(str)
    return not text.isin(["None", "nan", "NaN", "<NA>", "NaT", ""]).any().any()


def has_table(at: AppTest, *columns: str) -> bool:
    return any(all(c in e.value.columns for c in columns) for e in at.dataframe)


def texts(at: AppTest) -> str:
    """Every message, caption, markdown and title on the page, joined."""
    parts = []
    for kind in ("title", "header", "subheader", "caption", "markdown", "info", "error", "warning", "success"):
        parts += [str(e.value) for e in getattr(at, kind)]
    return "\n".join(parts)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}
