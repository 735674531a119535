"""Perceived speed of the dashboard in a real browser (headless Chromium driven by Playwright).

    .venv/bin/python benchmarks/dashboard_browser.py --warehouse /tmp/natwh/ipx.duckdb [--runs 10]
        [--width 1600] [--write BENCHMARKS.md] [--json]

Starts ``streamlit run dashboards/app.py`` on a free local port (SSO mode with a throw-away user
file holding one national user, so no sign-in form is timed), then measures what a user waits for:

- **cold start**: the first load after the server started (boundaries built, nothing cached);
- **fresh load** of each page, ``--runs`` times: a new tab (a new Streamlit session, as a user
  opening a shared link) in the browser of a user who has opened the dashboard before: an
  on-disk profile, as every installed browser has, whose HTTP cache holds the front end and whose
  V8 code cache holds its compiled code. Also measured: the same in a private window (Playwright's
  default in-memory context: the HTTP cache but no code cache, so every tab compiles the front end
  again; the "fresh load" of runs before 2026-12-02) and in a new browser profile (empty cache).
  Each is timed from the navigation start to the page drawn — its title (h1),
  its main element (the map, the first grid or table; drawn on the server as SVG / HTML, so in
  the DOM means drawn) present, and Streamlit's running indicator gone. Measured in the browser (``performance.now()``, relative to the
  navigation start), so Playwright's own latency is not counted;
- **page switch** in a session: a click on the page's entry in the sidebar to the same state;
- **filter change** in a session: one widget of the page changed (a year, a province, a
  status), to Streamlit's ``script_finished`` message received and the main element drawn
  (timed in this process around the click: includes a few ms of Playwright round trip).

Reports p50 and p95 (nearest rank) per page and over all pages against the targets (fresh load
p95 ≤ 1.5 s, switch / filter p95 ≤ 0.5 s at national volume); ``--write`` adds the run's section
to "Dashboard in a browser" in BENCHMARKS.md (between its markers). Also reports where a fresh
load's time goes and the bytes each page receives over the websocket, and whether any page
fetched Plotly's chunk (none should: the charts are drawn on the server).
Nothing here is asserted: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
USER = "bench-national"
FRESH_TARGET_S, SESSION_TARGET_S = 1.5, 0.5
START, END = "<!-- dashboard-browser:start -->", "<!-- dashboard-browser:end -->"

# url path -> (title, CSS selector of the page's main element, filter: (widget test id, label) or None).
# The first page is the default one: Streamlit serves it at "/" (its own path shows "Page not found").
# Main elements are drawings made on the server (dashboards/drawing.py: SVG / HTML in the page's DOM);
# no page loads Plotly, so "drawn" is the whole page's first screen, not a part waiting for a chart.
PAGES = {
    "hotspots": ("热点总览", '[data-drawing="hs_map"] svg.ipx-map path', ("stSelectbox", "指标")),
    "briefing": ("领导简报", None, None),
    # its table; a grid in versions before every table was HTML (for --app comparisons)
    "watchlist": ("超标与隐患整改", '[data-drawing="wl_table"] td, [data-testid="stDataFrame"]', ("stSelectbox", "省份")),
    "employer": ("单位档案", None, None),
    "assessment": ("省级考核", '[data-drawing="as_components"] td', ("stSelectbox", "省份")),
    # a single-year warehouse has no floating cycle: the page's message is what is drawn
    "floating": ("费率浮动", '[data-drawing="fl_class_chart"] rect, [data-testid="stAlertContainer"]',
                 ("stMultiSelect", "浮动结果")),
    "evaluation": ("终期评估", '[data-drawing="ev_status_grid"] td', ("stSelectbox", "省份")),
    "feed-health": ("数据交换", '[data-drawing="fh_grid"] td', ("stMultiSelect", "数据项")),
}

# Drawn: the title, the main element (when the page has one), no running indicator, no skeleton.
# Returns the time and the websocket's timeline up to then (see PHASES_JS).
DRAWN_JS = """([title, main]) => {
  const h1 = [...document.querySelectorAll('h1')].some(h => h.textContent.trim() === title);
  const running = document.querySelector('[data-testid="stStatusWidget"], [data-testid="stSkeleton"]');
  const drawn = !main || document.querySelector(main);
  if (!(h1 && !running && drawn)) return false;
  const w = window.__ipxSocket || {};
  const scripts = performance.getEntriesByType('resource').filter(e => e.initiatorType === 'script'
      || e.name.endsWith('.js'));
  return {at: performance.now(), open: w.open ?? null, first: w.first ?? null, last: w.last ?? null,
          messages: w.n ?? 0, jsKB: Math.round(scripts.reduce((s, e) => s + (e.transferSize || e.encodedBodySize || 0), 0) / 1024),
          jsEnd: Math.max(0, ...scripts.map(e => e.responseEnd)),
          plotly: scripts.some(e => e.name.includes('PlotlyChart'))};
}"""
# Installed before the app's scripts: when the websocket opened and when its first and latest
# messages arrived (performance.now(), ms since the navigation start).
PHASES_JS = """(() => {
  const Native = window.WebSocket;
  window.__ipxSocket = {open: null, first: null, last: null, n: 0};
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('open', () => { window.__ipxSocket.open = performance.now(); });
      this.addEventListener('message', () => {
        const t = performance.now(), w = window.__ipxSocket;
        if (w.first === null) w.first = t;
        w.last = t; w.n += 1;
      });
    }
  };
})();"""


def _url_path(path: str) -> str:
    return "" if path == next(iter(PAGES)) else path


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


APP = ROOT / "dashboards" / "app.py"
SERVE = ROOT / "dashboards" / "serve.py"  # `streamlit run` as `ipx dashboard` starts it


PLAIN = False  # --plain-streamlit: `streamlit run` itself, without dashboards/serve.py


def start_server(warehouse: Path, users: Path, log: Path) -> tuple[subprocess.Popen, str, float]:
    """The dashboard as ``ipx dashboard`` runs it; returns the process, its URL and seconds to healthy."""
    port = _free_port()
    launcher = ["-m", "streamlit"] if PLAIN else [str(SERVE)]
    env = dict(os.environ, IPX_WAREHOUSE=str(warehouse), IPX_USERS_FILE=str(users),
               IPX_AUTH_HEADER="X-Forwarded-User", IPX_ACCESS_LOG_DIR=str(log.parent / "access"))
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, *launcher, "run", str(APP), "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none", "--client.toolbarMode", "viewer"],
        env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    while time.perf_counter() - started < 120:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return process, url, time.perf_counter() - started
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"streamlit did not start: {log.read_text()[-2000:]}")


CONTEXT_OPTIONS = {"locale": "zh-CN", "extra_http_headers": {"X-Forwarded-User": USER}}


def new_context(browser, width: int):
    """A private window of its own (in memory: empty HTTP cache, no code cache) signed in through
    the SSO header."""
    context = browser.new_context(viewport={"width": width, "height": 1000}, **CONTEXT_OPTIONS)
    context.add_init_script(PHASES_JS)
    return context


def returning_browser(playwright, profile: Path, width: int):
    """A browser with an on-disk profile, as a user's: its HTTP cache and V8's code cache persist
    between tabs (Chromium keeps no code cache for in-memory profiles)."""
    context = playwright.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, viewport={"width": width, "height": 1000},
        **CONTEXT_OPTIONS)
    context.add_init_script(PHASES_JS)
    return context


class Session:
    """One browser context (a user's tab) and what its websocket carried."""

    def __init__(self, browser, width: int, context=None):
        self.own_context = context is None
        self.context = context or new_context(browser, width)
        self.page = self.context.new_page()
        self.page.set_default_timeout(120_000)
        self.finished = 0  # script_finished messages received
        self.bytes = 0  # websocket bytes received
        self.page.on("websocket", self._watch)

    def _watch(self, ws) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        def frame(payload) -> None:
            if isinstance(payload, str):
                return
            self.bytes += len(payload)
            try:
                message = ForwardMsg.FromString(payload)
            except Exception:
                return
            if message.WhichOneof("type") == "script_finished":
                self.finished += 1

        ws.on("framereceived", frame)

    def wait_drawn(self, title: str, main: str | None) -> dict:
        """When the page is drawn (``at``: ms since navigation start) and the websocket's timeline."""
        handle = self.page.wait_for_function(DRAWN_JS, arg=[title, main], polling="raf", timeout=120_000)
        return handle.json_value()

    def wait_run(self, before: int, title: str, main: str | None, timeout: float = 120) -> None:
        deadline = time.perf_counter() + timeout
        while self.finished <= before:
            if time.perf_counter() > deadline:
                raise TimeoutError("no script_finished")
            self.page.wait_for_timeout(5)
        self.wait_drawn(title, main)

    def close(self) -> None:
        if self.own_context:
            self.context.close()
        else:
            self.page.close()


def fresh_load(browser, url: str, path: str, width: int, context=None) -> tuple[float, int, dict]:
    """Seconds to drawn, websocket bytes, and the phases (s): ``static`` navigation start to the
    websocket open (HTML, the front end's JavaScript), ``server`` websocket open to the last message
    before drawn (the script's run and the page's elements sent), ``draw`` the rest (the browser
    laying out and painting, loading the front end of elements such as tables)."""
    title, main, _ = PAGES[path]
    session = Session(browser, width, context)
    try:
        session.page.goto(f"{url}/{_url_path(path)}", wait_until="commit")
        drawn = session.wait_drawn(title, main)
        session.page.wait_for_timeout(300)  # the rest of the page's messages, for the byte count
        at, opened, last = drawn["at"], drawn["open"] or 0, drawn["last"] or drawn["at"]
        phases = {"static": opened / 1000, "server": (last - opened) / 1000, "draw": (at - last) / 1000,
                  "js_kb": drawn["jsKB"], "plotly": bool(drawn.get("plotly"))}
        return at / 1000, session.bytes, phases
    finally:
        session.close()


def _change_filter(session: Session, path: str, turn: int) -> bool:
    """Change the page's filter widget to another value; False when the page has none to change.
    A selectbox gets an option not chosen now; a multiselect gets one more option, and every
    other turn is cleared again."""
    _, _, spec = PAGES[path]
    if spec is None:
        return False
    test_id, label = spec
    page = session.page
    widgets = page.locator(f'[data-testid="{test_id}"]').filter(has=page.get_by_text(label, exact=True))
    if widgets.count() == 0:
        return False
    widget = widgets.first
    widget.scroll_into_view_if_needed()
    if widget.locator("input:disabled, [aria-disabled='true']").count():
        return False
    if test_id == "stMultiSelect" and turn % 2:
        clear = widget.locator('[aria-label="Clear all"]')
        if clear.count() == 0:
            return False
        clear.first.click()
        return True
    widget.locator("input").first.click()
    options = page.locator('[role="option"][aria-selected="false"]:not([data-key^="__"])')
    options.first.wait_for(timeout=30_000)
    options.first.click()
    if test_id == "stMultiSelect":
        page.keyboard.press("Escape")
    return True


def in_session(browser, url: str, width: int, runs: int, context=None) -> tuple[dict, dict]:
    """Page switches and filter changes in one session each: seconds per page."""
    switches: dict[str, list[float]] = {p: [] for p in PAGES}
    filters: dict[str, list[float]] = {p: [] for p in PAGES}
    session = Session(browser, width, context)
    try:
        first = next(iter(PAGES))
        session.page.goto(f"{url}/{_url_path(first)}")
        session.wait_drawn(*PAGES[first][:2])
        order = list(PAGES)
        for turn in range(runs):
            for path in order[1:] + order[:1]:
                title, main, _ = PAGES[path]
                before = session.finished
                start = time.perf_counter()
                session.page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
                session.wait_run(before, title, main)
                switches[path].append(time.perf_counter() - start)
                session.page.wait_for_timeout(200)  # let the page's last messages land
                before = session.finished
                start = time.perf_counter()
                try:
                    changed = _change_filter(session, path, turn)
                except Exception as exc:
                    print(f"{path}: filter not changed ({type(exc).__name__})", file=sys.stderr)
                    session.page.keyboard.press("Escape")
                    changed = False
                if changed:
                    try:
                        session.wait_run(before, title, main, timeout=30)
                    except TimeoutError:
                        print(f"{path}: no rerun after the filter change", file=sys.stderr)
                        continue
                    filters[path].append(time.perf_counter() - start)
                    session.page.wait_for_timeout(200)
    finally:
        session.close()
    return switches, filters


def summarise(values: list[float]) -> dict | None:
    if not values:
        return None
    return {"n": len(values), "p50_s": round(percentile(values, 50), 3), "p95_s": round(percentile(values, 95), 3)}


def measure(warehouse: Path, runs: int, width: int) -> dict:
    from playwright.sync_api import sync_playwright

    from dashboards.users import User, save_users

    with tempfile.TemporaryDirectory(prefix="ipx-browser-bench-") as tmp:
        users = Path(tmp) / "users.toml"
        save_users(users, {USER: User(USER, "national", None, "计时", None)})
        process, url, boot = start_server(warehouse, users, Path(tmp) / "server.log")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                returning = returning_browser(playwright, Path(tmp) / "profile", width)
                try:
                    cold, _, cold_phases = fresh_load(browser, url, next(iter(PAGES)), width)
                    # a browser that has opened the dashboard before: its HTTP cache holds the front
                    # end (Streamlit serves it "immutable" for a year) and, on disk, V8's code cache
                    # its compiled code (made on a script's second and third loads); each tab is a
                    # new session. The private window has the HTTP cache only.
                    private = new_context(browser, width)
                    for _ in range(3):
                        for path in PAGES:
                            fresh_load(None, url, path, width, returning)
                    for path in PAGES:
                        fresh_load(browser, url, path, width, private)
                    fresh, phases, in_private, new_profile = ({p: [] for p in PAGES} for _ in range(4))
                    private_phases, new_phases = {p: [] for p in PAGES}, {p: [] for p in PAGES}
                    sizes = {}
                    for _ in range(runs):
                        for path in PAGES:
                            seconds, size, parts = fresh_load(None, url, path, width, returning)
                            fresh[path].append(seconds)
                            phases[path].append(parts)
                            sizes[path] = size
                            seconds, _, parts = fresh_load(browser, url, path, width, private)
                            in_private[path].append(seconds)
                            private_phases[path].append(parts)
                            seconds, _, parts = fresh_load(browser, url, path, width)  # empty cache
                            new_profile[path].append(seconds)
                            new_phases[path].append(parts)
                    private.close()
                    switches, filters = in_session(None, url, width, runs, returning)
                finally:
                    returning.close()
                    browser.close()
        finally:
            process.terminate()
            process.wait(timeout=30)
    every = lambda table: [v for values in table.values() for v in values]  # noqa: E731
    return {
        "load_average_at_end": [round(x, 1) for x in os.getloadavg()],
        "warehouse": str(warehouse), "runs": runs, "width": width, "server_start_s": round(boot, 2),
        "cold_first_load_s": round(cold, 3), "cold_phases_s": {k: round(v, 3) for k, v in cold_phases.items()},
        "pages": {PAGES[p][0]: {"fresh": summarise(fresh[p]), "fresh_private": summarise(in_private[p]),
                                "fresh_empty_cache": summarise(new_profile[p]),
                                "switch": summarise(switches[p]),
                                "filter": summarise(filters[p]), "websocket_kb": round(sizes.get(p, 0) / 1024),
                                "phases_p50_s": {k: round(percentile([x[k] for x in phases[p]], 50), 3)
                                                 for k in ("static", "server", "draw", "js_kb")},
                                "private_phases_p50_s": {k: round(percentile([x[k] for x in private_phases[p]], 50), 3)
                                                         for k in ("static", "server", "draw")},
                                "empty_cache_phases_p50_s": {k: round(percentile([x[k] for x in new_phases[p]], 50), 3)
                                                             for k in ("static", "server", "draw", "js_kb")},
                                "plotly_loaded": any(x.get("plotly") for x in phases[p] + new_phases[p])}
                  for p in PAGES},
        "all": {"fresh": summarise(every(fresh)), "fresh_private": summarise(every(in_private)),
                "fresh_empty_cache": summarise(every(new_profile)),
                "switch": summarise(every(switches)),
                "filter": summarise(every(filters))},
    }


def _mark(value: float | None, target: float) -> str:
    if value is None:
        return "—"
    return f"{value:.2f} {'✓' if value <= target else '✗'}"


def markdown(result: dict, label: str) -> str:
    cpu = os.cpu_count()
    lines = [
        f"### {label}: {dt.date.today():%Y-%m-%d}, {result['width']} px, {result['runs']} runs per page",
        "",
        f"Machine: {cpu} cores, Python {platform.python_version()}; warehouse `{Path(result['warehouse']).name}` "
        f"({label}); load average at the end {result['load_average_at_end']} (other jobs shared the cores). "
        f"Server start to healthy {result['server_start_s']:.1f} s; the first load after the start "
        f"(boundaries built, nothing cached) {result['cold_first_load_s']:.2f} s.",
        "",
    ]
    private = "fresh_private" in result["all"]  # measured since 2026-12-02
    if private:
        lines += [
            "Fresh load = a new tab (a new Streamlit session) in the browser of a user who has opened the "
            "dashboard before (an on-disk profile: HTTP cache and V8 code cache); private window = the same "
            "in an in-memory profile (HTTP cache, no code cache: every tab compiles the front end again; "
            "what \"fresh load\" measured before 2026-12-02); empty cache = a new browser profile (every "
            "JavaScript file fetched and compiled again). Switches and filter changes in the returning "
            "browser.", ""]
    else:
        lines += [
            "Fresh load = a new tab (a new Streamlit session) in a browser whose HTTP cache holds the front end "
            "(an in-memory profile: no code cache); empty cache = a new browser profile (every JavaScript file "
            "fetched and compiled again).", ""]
    kinds = [("fresh", "fresh load", FRESH_TARGET_S)] + ([("fresh_private", "private window", FRESH_TARGET_S)]
                                                         if private else [])
    kinds += [("fresh_empty_cache", "empty cache", FRESH_TARGET_S), ("switch", "switch", SESSION_TARGET_S),
              ("filter", "filter", SESSION_TARGET_S)]
    header = ["page"]
    for _, name, target in kinds:
        header += [f"{name} p50", f"{name} p95 (≤ {target} s)" if name in ("fresh load", "switch", "filter")
                   else f"{name} p95"]
    lines += ["| " + " | ".join(header + ["websocket KB"]) + " |", "|" + "---|" * (len(header) + 1)]
    rows = list(result["pages"].items()) + [("all pages", {**result["all"], "websocket_kb": None})]
    for title, r in rows:
        cells = [title]
        for kind, _, target in kinds:
            s = r[kind]
            cells += [f"{s['p50_s']:.2f}" if s else "—", _mark(s["p95_s"] if s else None, target)]
        cells.append("" if r["websocket_kb"] is None else f"{r['websocket_kb']:,}")
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Where a fresh load's time goes (p50, s): static = navigation start to the websocket open "
              "(HTML and the front end's JavaScript, KB fetched); server = websocket open to the last message "
              "before the page is drawn (the script's run, the elements sent); draw = the rest (the browser's layout "
              "and painting).", ""]
    phase_header = ("| page | static | server | draw | "
                    + ("private window: static | server | draw | " if private else "")
                    + "empty cache: static | JS KB fetched | server | draw |")
    lines += [phase_header, "|" + "---|" * phase_header.count(" | ")]
    with_plotly = [t for t, r in result["pages"].items() if r.get("plotly_loaded")]
    if "plotly_loaded" in next(iter(result["pages"].values())):
        at = lines.index(phase_header) - 1
        lines[at:at] = ["", "Plotly's front end (`PlotlyChart.*.js`) fetched on: "
                        + (", ".join(with_plotly) if with_plotly else "no page") + "."]
    for title, r in result["pages"].items():
        ph, ec = r["phases_p50_s"], r["empty_cache_phases_p50_s"]
        pv = (f"{r['private_phases_p50_s']['static']:.2f} | {r['private_phases_p50_s']['server']:.2f} | "
              f"{r['private_phases_p50_s']['draw']:.2f} | ") if private else ""
        lines.append(f"| {title} | {ph['static']:.2f} | {ph['server']:.2f} | {ph['draw']:.2f} | {pv}{ec['static']:.2f} "
                     f"| {ec['js_kb']:,.0f} | {ec['server']:.2f} | {ec['draw']:.2f} |")
    return "\n".join(lines) + "\n"


def write_section(path: Path, body: str) -> None:
    """Add this run's section before the end marker (markers added at the end the first time)."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if START not in text or END not in text:
        text = text.rstrip() + f"\n\n{START}\n{END}\n"
    head, tail = text.split(END, 1)
    path.write_text(head.rstrip() + "\n\n" + body.rstrip() + "\n" + END + tail, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", required=True, type=Path)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--width", type=int, default=1600)
    parser.add_argument("--label", default="", help="what the warehouse is (small, national, ...)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--app", type=Path, help="another copy's dashboards/app.py (to compare versions)")
    parser.add_argument("--plain-streamlit", action="store_true",
                        help="serve with `streamlit run` itself, not dashboards/serve.py (to measure what it changes)")
    parser.add_argument("--from-json", type=Path, help="only print (and --write) the section of a saved result")
    parser.add_argument("--write", type=Path, help="print a markdown section to this file (BENCHMARKS.md)")
    args = parser.parse_args(argv)
    global APP, PLAIN
    PLAIN = args.plain_streamlit
    if args.app:
        APP = args.app.resolve()
    if args.from_json:
        result = json.loads(args.from_json.read_text(encoding="utf-8"))
    else:
        result = measure(args.warehouse.expanduser().resolve(), max(1, args.runs), args.width)
    text = markdown(result, args.label or args.warehouse.parent.name)
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.json else text)
    if args.write:
        write_section(args.write, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
