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

from streamlit.testing.v1 import AppTest  # noqa: E402

from dashboards.headless import APP, app_test  # noqa: E402

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
    for element in at.dataframe:
        found = element.value
        if all(c in found.columns for c in columns):
            return found
    raise AssertionError(f"no table with {columns}; tables: {[list(e.value.columns) for e in at.dataframe]}")


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
