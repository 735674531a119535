"""Every download as every role, in a real browser: for each role (national, 广东 440000, 四川
510000, engineer) sign in, open every page the sidebar offers, click every download button found
on it (discovered from the page, none named here), save each file and read its rows.

A provincial user's files may hold national rows and the ranking of every province (place,
total, grade), never another province's details: no row of another province with anything
beyond the ranking columns, and no employer of another province (its USCC or name) anywhere.
Every file downloaded is in the access log with the viewer and the provinces it holds."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest
from dashboard_support import TEST_USERS
from test_browser import _serve, _settle, _sign_in

from dashboards import access_log, auth

pytestmark = pytest.mark.browser

NATIONAL = "000000"
ROLES = {"nat": None, "gd": "440000", "sc": "510000", "eng": None}  # test user -> own province
# Headers (the exports' Chinese labels, or the spec's names in CSV) that say whose row it is.
CODE_HEADERS = {"省份代码", "province_code", "province"}
NAME_HEADERS = {"省份", "province_name"}
# What a provincial reader may see of another province: its place in the ranking.
RANKING_HEADERS = CODE_HEADERS | NAME_HEADERS | {"年度", "year", "总分", "total_score", "等级", "grade", "排名", "rank"}
USCC = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}")


try:  # the briefing is a PDF; its text is read when pypdf is installed
    import pypdf
except ImportError:  # pragma: no cover - pypdf is in the dev dependencies here
    pypdf = None


# ------------------------------------------------------------------ what a file may hold


class Scope:
    """What a provincial reader's file must not hold: other provinces' rows beyond the ranking,
    other provinces' employers."""

    def __init__(self, own: str, names: dict[str, str], employers):
        self.own = own
        self.own_name = names[own]
        self.code_of = {name: code for code, name in names.items()}
        foreign = employers[employers["province_code"] != own]
        mine = employers[employers["province_code"] == own]
        self.foreign_usccs = set(foreign["uscc"].dropna())
        self.foreign_names = set(foreign["employer_name"].dropna()) - set(mine["employer_name"].dropna())

    def _province(self, header: list, row: list) -> str | None:
        for column, value in zip(header, row):
            if column in CODE_HEADERS and value not in (None, ""):
                return str(value)
        for column, value in zip(header, row):
            if column in NAME_HEADERS and value in self.code_of:
                return self.code_of[value]
        return None

    def problems(self, sheet: str, header: list, rows: list[list]) -> list[str]:
        found = []
        for number, row in enumerate(rows, start=2):
            province = self._province(header, row)
            if province not in (None, self.own, NATIONAL):
                details = [column for column, value in zip(header, row)
                           if column not in RANKING_HEADERS and value not in (None, "")]
                if details:
                    found.append(f"{sheet} row {number}: province {province} with {details[:4]}")
            for value in row:
                if isinstance(value, str) and (value in self.foreign_usccs or value in self.foreign_names):
                    found.append(f"{sheet} row {number}: another province's employer {value!r}")
        return found

    def text_problems(self, name: str, text: str) -> list[str]:
        found = [f"{name}: another province's USCC {u}" for u in USCC.findall(text) if u in self.foreign_usccs]
        found += [f"{name}: another province's employer {n}" for n in self.foreign_names if n in text]
        return found


def _tables(path: Path) -> list[tuple[str, list, list[list]]]:
    """(sheet, header, rows) of an XLSX or CSV file."""
    if path.suffix.lower() == ".xlsx":
        book = openpyxl.load_workbook(path, read_only=True)
        tables = []
        for sheet in book.worksheets:
            rows = [list(r) for r in sheet.iter_rows(values_only=True)]
            if rows:
                tables.append((sheet.title, [str(c) if c is not None else "" for c in rows[0]], rows[1:]))
        return tables
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    return [(path.name, rows[0], rows[1:])] if rows else []


def _check_file(path: Path, scope: Scope | None) -> tuple[int, str]:
    """Read the file; returns (rows read, how it was read); a provincial reader's file is checked."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        content = path.read_bytes()
        assert content.startswith(b"%PDF-"), f"{path.name} is not a PDF"
        if pypdf is None:
            return 0, "PDF header only (pypdf not installed)"
        reader = pypdf.PdfReader(io.BytesIO(content))
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
        assert reader.pages and text.strip(), f"{path.name}: no text in the PDF"
        if scope:
            assert scope.own_name[:2] in text, f"{path.name}: the text read holds not even the own province"
            assert not scope.text_problems(path.name, text), scope.text_problems(path.name, text)[:5]
        return len(reader.pages), "PDF text (pypdf)"
    assert suffix in (".xlsx", ".csv"), f"unexpected download {path.name}"
    tables = _tables(path)
    assert tables and any(rows for _, _, rows in tables), f"{path.name}: no rows"
    if scope:
        problems = [p for sheet, header, rows in tables for p in scope.problems(sheet, header, rows)]
        assert not problems, f"{path.name}: " + "; ".join(problems[:5])
    return sum(len(rows) for _, _, rows in tables), "rows (openpyxl/csv)"


# ------------------------------------------------------------------ the browser


@pytest.fixture(scope="module")
def access_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("access-log")


@pytest.fixture(scope="module")
def server(small_build, users_file, access_dir, tmp_path_factory):
    log = tmp_path_factory.mktemp("streamlit-downloads") / "server.log"
    process, url = _serve(small_build.warehouse, users_file, log, IPX_ACCESS_LOG_DIR=str(access_dir))
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)


@pytest.fixture(scope="module")
def scopes(mart) -> dict[str, Scope]:
    names = dict(mart("SELECT province_code, province_name FROM marts.dim_provinces").itertuples(index=False))
    employers = mart("SELECT province_code, uscc, employer_name FROM marts.mart_watchlist UNION "
                     "SELECT province_code, uscc, employer_name FROM marts.mart_premium_floating")
    return {user: Scope(own, names, employers) for user, own in ROLES.items() if own}


def _signed_in(browser, url: str, user: str):
    context = browser.new_context(viewport={"width": 1600, "height": 2000}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    _sign_in(page, url, user)
    return context, page


def _offered_pages(page) -> list[tuple[str, str]]:
    """(title, url path) of the pages in the sidebar; one page only: no navigation is drawn."""
    links = page.get_by_test_id("stSidebarNav").locator("a")
    found = [(links.nth(i).inner_text().strip(), links.nth(i).get_attribute("href") or "")
             for i in range(links.count())]
    if not found:
        found = [(page.locator("h1").first.inner_text().strip(), page.url)]
    return [(title, href.rstrip("/").rsplit("/", 1)[-1]) for title, href in found]


def _download_everything(page, folder: Path, prefix: str) -> list[Path]:
    buttons = page.locator('[data-testid="stDownloadButton"] button')
    saved = []
    for i in range(buttons.count()):
        button = buttons.nth(i)
        button.scroll_into_view_if_needed()
        with page.expect_download(timeout=180_000) as info:
            button.click()
        download = info.value
        target = folder / f"{prefix}-{i}-{download.suggested_filename}"
        download.save_as(target)
        saved.append(target)
    return saved


@pytest.mark.parametrize("user", list(ROLES))
def test_every_download_holds_only_what_the_role_may_see(user, server, browser, scopes, small_build, access_dir,
                                                         tmp_path, monkeypatch):
    context, page = _signed_in(browser, server, user)
    role, own = TEST_USERS[user][0], ROLES[user]
    offered = _offered_pages(page)
    assert len(offered) == len(auth.ROLE_PAGES[role]), offered
    files: dict[str, list[Path]] = {}
    for title, _ in offered:
        if len(offered) > 1:
            page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
        page.get_by_role("heading", name=title, level=1).wait_for()
        _settle(page)
        assert page.get_by_test_id("stException").count() == 0, f"{user} {title}"
        files[title] = _download_everything(page, tmp_path, title)
    context.close()

    # the pages whose exports exist today offer at least one download to every role that opens them
    for title in ("省级考核", "费率浮动", "终期评估", "超标与隐患整改"):
        if title in files:
            assert files[title], f"{user}: no download on {title}"
    downloaded = [path for paths in files.values() for path in paths]
    scope = scopes.get(user)
    report = {}
    for path in downloaded:
        report[path.name] = _check_file(path, scope)
    print(user, report)  # shown with -s: what was read of each file

    monkeypatch.setenv(access_log.DIR_ENV, str(access_dir))
    logged = [e for e in access_log.read(small_build.warehouse) if e["event"] == "download" and e["user"] == user]
    assert len(logged) == len(downloaded), (len(logged), [p.name for p in downloaded])
    for event in logged:
        assert event["role"] == role
        if own:  # the provinces whose details the file holds: its own (the nation's rows are aggregates)
            assert event["provinces"] != "all" and set(event["provinces"]) <= {own, NATIONAL}, event
        else:  # every province, or those the chosen filter kept
            assert event["provinces"] == "all" or isinstance(event["provinces"], list), event
        assert event["bytes"] > 0


def test_the_check_would_catch_another_province_s_details(small_build, scopes, tmp_path):
    """The national assessment and floating files, read as if by 四川's user, are refused: the
    checks above can fail."""
    from dashboards.assessment_tables import export_file as assessment_file
    from dashboards.floating_tables import export_file as floating_file

    for name, make in (("assessment.xlsx", assessment_file), ("floating.xlsx", floating_file)):
        path = tmp_path / name
        path.write_bytes(make(small_build.warehouse, 2022, scope=None))
        with pytest.raises(AssertionError, match="province 440000|another province's employer"):
            _check_file(path, scopes["sc"])
        path.write_bytes(make(small_build.warehouse, 2022, scope=frozenset({"510000"})))
        rows, _ = _check_file(path, scopes["sc"])
        assert rows > 0
