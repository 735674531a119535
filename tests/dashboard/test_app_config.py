"""The app's Streamlit configuration holds for the served app and for AppTest alike."""

from __future__ import annotations

import tomllib

from dashboard_support import new_app
from streamlit import config

from dashboards.headless import CONFIG_FILE


def test_pages_are_compiled_without_magic_served_or_headless():
    """Magic compiles pages through ast.parse, which CPython 3.11 < 3.11.8 cannot run from two
    threads at once (python/cpython#106905); the pages do not use it."""
    assert tomllib.loads(CONFIG_FILE.read_text("utf-8"))["runner"]["magicEnabled"] is False
    config.set_option("runner.magicEnabled", True)
    new_app()
    assert config.get_option("runner.magicEnabled") is False
