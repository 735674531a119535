"""Fixtures for the dashboard tests: the session's small build (its published serving copy),
a user file with one user per role, and signed-in AppTest sessions of dashboards/app.py."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from dashboard_support import CHROMIUM, CHROMIUM_ARGS, TEST_USERS, new_app, sign_in
from streamlit.testing.v1 import AppTest

from dashboards.users import User, hash_password, save_users
from ipx.exports.published import published_file


@pytest.fixture(scope="session")
def users_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("users") / "users.toml"
    save_users(path, {name: User(name, role, province, f"测试{name}", hash_password(pw) if pw else None)
                      for name, (role, province, pw) in TEST_USERS.items()})
    return path


@pytest.fixture(scope="session")
def published(small_build) -> Path:
    """The live serving copy of the session's small build."""
    path = published_file(small_build.warehouse)
    assert path != small_build.warehouse, "the pipeline should have published a serving copy"
    return path


@pytest.fixture(scope="session")
def mart(published) -> Callable[..., pd.DataFrame]:
    """Query the published copy directly (read-only), as the source of truth for the tests."""

    def run(sql: str, params=None) -> pd.DataFrame:
        con = duckdb.connect(str(published), read_only=True)
        try:
            return con.execute(sql, params or []).df()
        finally:
            con.close()

    return run


@pytest.fixture(autouse=True)
def one_page_tables(request, monkeypatch):
    """Every row of a table on its first page: the tests compare whole tables with the marts, and
    the small build's lists hold 100-300 rows (the pages show ``PAGE_ROWS`` = 50 at a time). Tests
    marked ``paged`` keep the pages' size; paging itself is tested in test_table_format.py and
    test_watchlist.py. Browser tests run a server in another process, with the pages' size."""
    if request.node.get_closest_marker("paged") is None:
        from dashboards import table_format

        monkeypatch.setattr(table_format, "PAGE_ROWS", 100_000)


@pytest.fixture
def app_env(monkeypatch, small_build, users_file):
    monkeypatch.setenv("IPX_WAREHOUSE", str(small_build.warehouse))
    monkeypatch.setenv("IPX_USERS_FILE", str(users_file))
    monkeypatch.delenv("IPX_AUTH_HEADER", raising=False)
    return small_build.warehouse


@pytest.fixture
def signed_in(app_env) -> Callable[[str], AppTest]:
    def make(name: str, page: str | None = None) -> AppTest:
        at = sign_in(new_app(), name, TEST_USERS[name][2])
        assert not at.exception, at.exception
        if page:
            # a browser's sidebar link starts the page without the previous page's query
            # parameters (AppTest would carry them over, e.g. hotspots' province into the watchlist)
            at.query_params.clear()
            at.switch_page(page).run()
            assert not at.exception, [e.value for e in at.exception]
        return at

    return make


# ------------------------------------------------------------------ modified publications


@pytest.fixture
def publish_copy(tmp_path, published) -> Callable[..., Path]:
    """Publish a modified copy of the small build's serving copy under a fresh warehouse path.

    Returns the warehouse path (which itself need not exist: the dashboard reads the serving
    copy named by current.json). Calling it again publishes another version at the same path.
    """
    warehouse = tmp_path / "wh" / "ipx.duckdb"
    serving = warehouse.with_name(warehouse.name + ".serving")
    serving.mkdir(parents=True, exist_ok=True)
    counter = {"n": 0}

    def publish(*statements: str, name: str | None = None) -> Path:
        counter["n"] += 1
        target = serving / (name or f"ipx-test-{counter['n']:03d}.duckdb")
        shutil.copyfile(published, target)
        if statements:
            con = duckdb.connect(str(target))
            try:
                for sql in statements:
                    con.execute(sql)
                con.execute("CHECKPOINT")
            finally:
                con.close()
        pointer = {"file": target.name, "run_id": f"test-{counter['n']}", "published_at": "2026-01-01T00:00:00"}
        (serving / "current.json").write_text(json.dumps(pointer), encoding="utf-8")
        return warehouse

    return publish


# ------------------------------------------------------------------ real browser


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium through Playwright, one per test module."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "install Debian's chromium (make browser)"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
