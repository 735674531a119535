"""The dashboard run headless with Streamlit's AppTest (tests, page timing), configured as
``streamlit run`` configures it: AppTest reads only ``$CWD/.streamlit/config.toml``, not the file
beside the app, so the options of ``dashboards/.streamlit/config.toml`` are applied here."""

from __future__ import annotations

import tomllib
from pathlib import Path

from streamlit import config
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parent / "app.py"
CONFIG_FILE = APP.parent / ".streamlit" / "config.toml"


def apply_app_config() -> None:
    with CONFIG_FILE.open("rb") as fh:
        sections = tomllib.load(fh)
    for section, options in sections.items():
        for name, value in options.items():
            config.set_option(f"{section}.{name}", value)


def app_test(timeout: float = 120) -> AppTest:
    """A fresh AppTest of the dashboard with the app's own configuration."""
    apply_app_config()
    return AppTest.from_file(str(APP), default_timeout=timeout)
