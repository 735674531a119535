"""The app's Streamlit configuration holds for the served app and for AppTest alike."""

from __future__ import annotations

import gc
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


def test_no_forced_full_collection_after_each_run_served_or_headless():
    """Streamlit's forced gc.collect(2) after every run walked every imported module's objects
    (about 0.09 s a run at national volume; dashboards/long_lived.py)."""
    assert tomllib.loads(CONFIG_FILE.read_text("utf-8"))["runner"]["postScriptGC"] is False
    config.set_option("runner.postScriptGC", True)
    new_app()
    assert config.get_option("runner.postScriptGC") is False


def test_the_first_run_moves_the_long_lived_objects_out_of_the_collectors_sight(signed_in, monkeypatch):
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    at = signed_in("nat")
    assert not at.exception
    assert gc.get_freeze_count() > 10_000  # the imported modules' functions, dicts and tuples
    frozen_again = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen_again.append(1))
    at.run()  # later runs leave the permanent generation as it is
    assert not at.exception and not frozen_again
