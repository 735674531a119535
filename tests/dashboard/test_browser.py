"""The dashboard in a real browser: `streamlit run` on localhost, headless Chromium (Debian's
package, driven by Playwright), sign-in, every page, no Streamlit exception anywhere, the map
drawn with China's provinces (SVG made on the server; no Plotly loaded), a click on a province
selects it in the session, SSO through a proxy header; screenshots are saved to
tests/artifacts/screenshots/."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from dashboard_support import APP, REPO_ROOT, TEST_USERS

pytestmark = pytest.mark.browser

SERVE = REPO_ROOT / "dashboards" / "serve.py"

SCREENSHOTS = REPO_ROOT / "tests" / "artifacts" / "screenshots"
PAGES = ["热点总览", "领导简报", "超标与隐患整改", "单位档案", "省级考核", "费率浮动", "终期评估", "数据交换"]
# Pages that need not draw a chart (a table page; the briefing and the employer profile may show none).
WITHOUT_CHARTS = {"超标与隐患整改", "领导简报", "单位档案"}
DRAWING = ".ipx-drawing"  # a drawing made on the server (dashboards/drawing.py)
MAP_SHAPES = "svg.ipx-map .ipx-provinces path"
# Long pages: besides the top, a screenshot scrolled to each of these headings.
SECTIONS = {"费率浮动": {"分省明细": "分省：按风险类别与单位明细", "测算": "测算：调整浮动规则"},
            "终期评估": {"职业病与培训": "职业病与尘肺病发病率（每10万参保职工）"}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(warehouse: Path, users: Path, log: Path, base_path: str = "", **extra_env: str):
    """The dashboard as `ipx dashboard` starts it (dashboards/serve.py), optionally under a base path."""
    port = _free_port()
    env = dict(os.environ, IPX_WAREHOUSE=str(warehouse), IPX_USERS_FILE=str(users), **extra_env)
    if "IPX_AUTH_HEADER" not in extra_env:
        env.pop("IPX_AUTH_HEADER", None)
    process = subprocess.Popen(
        [sys.executable, str(SERVE), "run", str(APP), "--server.port", str(port), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
         "--server.baseUrlPath", base_path],
        env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, cwd=REPO_ROOT)
    url = f"http://127.0.0.1:{port}" + (f"/{base_path}" if base_path else "")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return process, url
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise AssertionError(f"streamlit did not start: {log.read_text()[-2000:]}")


@pytest.fixture(scope="module")
def servers(small_build, users_file, tmp_path_factory):
    logs = tmp_path_factory.mktemp("streamlit-logs")
    started = {}
    try:
        started["password"] = _serve(small_build.warehouse, users_file, logs / "password.log")
        started["sso"] = _serve(small_build.warehouse, users_file, logs / "sso.log",
                                IPX_AUTH_HEADER="X-Forwarded-User")
        yield {mode: url for mode, (_, url) in started.items()}
    finally:
        for process, _ in started.values():
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def _page(browser, **context_options):
    context = browser.new_context(viewport={"width": 1400, "height": 2400}, locale="zh-CN", **context_options)
    page = context.new_page()
    page.set_default_timeout(30_000)
    failed = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    return page, failed


def _settle(page) -> None:
    """Wait until Streamlit has run the script and every element (charts, tables) has been drawn."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"], [data-testid=\"stSkeleton\"]')",
        timeout=60_000)
    page.wait_for_timeout(700)


def _sign_in(page, url: str, user: str) -> None:
    page.goto(url)
    page.get_by_label("用户名").fill(user)
    page.get_by_label("密码").fill(TEST_USERS[user][2])
    page.get_by_role("button", name="登录").click()
    page.get_by_role("button", name="退出登录").wait_for()
    _settle(page)


def _open(page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
    page.get_by_role("heading", name=title, level=1).wait_for()
    _settle(page)


def _no_exception(page, where: str) -> None:
    exceptions = page.get_by_test_id("stException")
    assert exceptions.count() == 0, f"{where}: {exceptions.first.inner_text()}"


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def _section_shots(page, title: str, prefix: str) -> None:
    """Screenshots of a long page's lower sections (the app scrolls inside its main block)."""
    for name, heading in SECTIONS.get(title, {}).items():
        target = page.get_by_role("heading", name=heading, level=3)
        if target.count() == 0:  # e.g. the what-if, which provincial users do not have
            continue
        target.first.evaluate("element => element.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(500)
        _shot(page, f"{prefix}-{title}-{name}")


def test_every_page_renders_for_a_national_user(servers, browser):
    page, failed = _page(browser)
    _sign_in(page, servers["password"], "nat")
    for title in PAGES:
        _open(page, title)
        _no_exception(page, title)
        assert page.get_by_text("数据截至").first.is_visible()
        if title == "热点总览":
            page.locator(MAP_SHAPES).first.wait_for()
            # every mainland province, Taiwan, Hong Kong and Macao
            assert page.locator(MAP_SHAPES).count() == 34
            for label in ("广东", "新疆", "四川", "西藏", "黑龙江", "海南", "台湾", "兵团"):
                assert page.locator("svg.ipx-map text.ipx-label", has_text=label).count() >= 1, label
            # a tooltip per province, in Chinese
            assert "广东省" in page.locator('svg.ipx-map path[data-code="440000"] title').first.text_content()
        else:
            assert page.locator(DRAWING).count() >= (0 if title in WITHOUT_CHARTS else 1)
        # drawn on the server: Plotly's front end is neither loaded nor needed
        assert page.locator(".js-plotly-plot").count() == 0, title
        assert not [u for u in page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
                    if "PlotlyChart" in u], f"{title}: Plotly's bundle was loaded"
        _shot(page, f"national-{title}")
        _section_shots(page, title, "national")
    assert not [u for u in failed if not u.startswith("http://127.0.0.1")], failed  # nothing from outside


def test_the_floating_what_if_in_the_browser(servers, browser):
    page, _ = _page(browser)
    _sign_in(page, servers["password"], "nat")
    _open(page, "费率浮动")
    assert page.get_by_text("参数未调整：测算结果与公布结果相同").count() == 0  # closed until opened
    page.get_by_text("打开测算", exact=True).click()
    page.get_by_text("参数未调整：测算结果与公布结果相同").wait_for()
    band = page.get_by_label("第1档：支缴率 ≤（下浮一档）")
    band.fill("0.30")
    band.press("Enter")
    page.get_by_text("参数未调整：测算结果与公布结果相同").wait_for(state="detached")
    _settle(page)
    _no_exception(page, "what-if")
    page.get_by_role("heading", name="测算：调整浮动规则", level=3).evaluate(
        "element => element.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(500)
    _shot(page, "national-费率浮动-测算调整后")


def test_a_click_on_a_province_opens_its_detail(servers, browser):
    page, _ = _page(browser)
    _sign_in(page, servers["password"], "nat")
    page.locator(MAP_SHAPES).first.wait_for()
    url = page.url
    label = page.locator("svg.ipx-map text.ipx-label", has_text="四川").first
    box = label.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] + 6)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] + 6)
    page.get_by_text("四川省 ·").first.wait_for(timeout=30_000)
    _settle(page)
    _no_exception(page, "after the click")
    # selected in the session (no reload: still signed in), the view written into the URL
    assert page.url != url and "province=510000" in page.url
    assert page.locator("svg.ipx-map path.ipx-selected").count() == 1
    _shot(page, "national-热点总览-四川")
    # a click on a bar of the ranking does the same
    page.locator('svg.ipx-hbars a[data-select="440000"] rect.ipx-bar').first.click()
    page.get_by_text("广东省 ·").first.wait_for(timeout=30_000)
    assert "province=440000" in page.url


def test_a_provincial_user_and_an_engineer(servers, browser):
    page, _ = _page(browser)
    _sign_in(page, servers["password"], "gd")
    for title in PAGES:
        _open(page, title)
        _no_exception(page, f"gd {title}")
        _shot(page, f"provincial-{title}")
        _section_shots(page, title, "provincial")
    page.get_by_role("button", name="退出登录").click()
    page.get_by_label("密码").wait_for()

    page, _ = _page(browser)
    _sign_in(page, servers["password"], "eng")
    page.get_by_role("heading", name="数据交换", level=1).wait_for()
    _settle(page)
    page.locator(f"{DRAWING} table.ipx-grid").first.wait_for()
    _no_exception(page, "engineer")
    assert page.get_by_text("热点总览").count() == 0
    assert page.get_by_text("省级考核").count() == 0
    assert page.get_by_text("费率浮动").count() == 0
    assert page.get_by_text("终期评估").count() == 0
    assert page.get_by_text("领导简报").count() == 0
    assert page.get_by_text("单位档案").count() == 0
    _shot(page, "engineer-数据交换")


def test_sso_header_signs_the_user_in(servers, browser):
    page, _ = _page(browser, extra_http_headers={"X-Forwarded-User": "sso_only"})
    page.goto(servers["sso"])
    page.get_by_role("heading", name="热点总览", level=1).wait_for()
    _settle(page)
    _no_exception(page, "sso")
    assert page.get_by_label("密码").count() == 0
    assert page.get_by_text("测试sso_only").first.is_visible()

    page, _ = _page(browser, extra_http_headers={"X-Forwarded-User": "intruder"})
    page.goto(servers["sso"])
    page.get_by_text("intruder 未在看板用户配置中登记").wait_for()
    assert page.locator(MAP_SHAPES).count() == 0


def _first_load(browser, url: str, header_user: str) -> tuple[object, list[str], list[str]]:
    """A new tab opening ``url`` (a shared link) signed in by SSO: the page, the URLs it requested
    and the websockets it opened."""
    page, _ = _page(browser, extra_http_headers={"X-Forwarded-User": header_user})
    requested, sockets = [], []
    page.on("request", lambda request: requested.append(request.url))
    page.on("websocket", lambda socket: sockets.append(socket.url))
    page.goto(url)
    return page, requested, sockets


def test_a_link_to_a_page_connects_to_the_server_at_once(servers, browser):
    """dashboards/serve.py: opened on a page's own address, the front end goes straight to the
    server's websocket; Streamlit alone first asks `<page>/_stcore/health` (a 404), waits and asks
    again at the root. The document is Chinese from its first byte."""
    base = servers["sso"]
    page, requested, sockets = _first_load(browser, f"{base}/assessment", "sso_only")
    page.get_by_role("heading", name="省级考核", level=1).wait_for()
    _settle(page)
    _no_exception(page, "assessment by link")
    assert not [u for u in requested if "/assessment/_stcore/" in u], requested
    assert sockets and all(u.endswith("/_stcore/stream") and "/assessment/" not in u for u in sockets), sockets
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert page.evaluate("window.__streamlit.BACKEND_BASE_URL") == base + "/"


def test_the_dashboard_under_a_base_path(small_build, users_file, browser, tmp_path):
    """Served under `server.baseUrlPath` (a reverse proxy's prefix): the first page at the prefix
    and another page by its link both connect to the prefix's websocket."""
    process, base = _serve(small_build.warehouse, users_file, tmp_path / "prefix.log", base_path="ipx",
                           IPX_AUTH_HEADER="X-Forwarded-User")
    try:
        assert base.endswith("/ipx")
        page, requested, sockets = _first_load(browser, base, "sso_only")
        page.get_by_role("heading", name="热点总览", level=1).wait_for()
        _settle(page)
        _no_exception(page, "prefix root")
        assert sockets == [f"{base.replace('http', 'ws', 1)}/_stcore/stream"], sockets

        page, requested, sockets = _first_load(browser, f"{base}/feed-health", "sso_only")
        page.get_by_role("heading", name="数据交换", level=1).wait_for()
        _settle(page)
        _no_exception(page, "prefix page")
        assert sockets == [f"{base.replace('http', 'ws', 1)}/_stcore/stream"], sockets
        assert not [u for u in requested if "/feed-health/_stcore/" in u], requested
    finally:
        process.terminate()
        process.wait(timeout=15)
