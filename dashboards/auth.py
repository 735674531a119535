"""Who may see what: sign-in with a password from the user file, or SSO through a trusted header.

Roles:
- ``national``: every page and every province;
- ``provincial``: national and provincial aggregates (map, heat table, ranking), and the
  details of its own province only — its watchlist rows, its scorecard, its floating employers
  and summary (beside the national summary), its evaluation row (beside the national row), its
  deliveries and rejected records; never another province's employer rows, scorecard,
  evaluation or rejected records; no floating what-if (national users only);
- ``engineer``: the feed-health page only (every province), plus the as-of line.

SSO mode: when ``IPX_AUTH_HEADER`` names a request header (e.g. ``X-Forwarded-User``), the user
name is taken from that header of the browser's request (``st.context.headers``) as set by the
reverse proxy in front of the dashboard, and looked up in the user file for its role; no
password is asked. The proxy must strip that header from clients' requests.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboards import access_log, chrome
from dashboards.users import ROLES, User, UserConfigError, authenticate, load_users, users_file

AUTH_HEADER_ENV = "IPX_AUTH_HEADER"
_SIGNED_IN_KEY = "ipx_user"
_VIEWER_KEY = "_ipx_viewer"
_FAILURES_KEY = "_ipx_sign_in_failures"
_SSO_LOGGED_KEY = "_ipx_sso_logged"

HOTSPOTS, WATCHLIST, ASSESSMENT, FEED_HEALTH = "hotspots", "watchlist", "assessment", "feed_health"
FLOATING, EVALUATION = "floating", "evaluation"
EMPLOYER, BRIEFING = "employer", "briefing"
ROLE_PAGES = {
    "national": (BRIEFING, HOTSPOTS, WATCHLIST, EMPLOYER, ASSESSMENT, FLOATING, EVALUATION, FEED_HEALTH),
    "provincial": (BRIEFING, HOTSPOTS, WATCHLIST, EMPLOYER, ASSESSMENT, FLOATING, EVALUATION, FEED_HEALTH),
    "engineer": (FEED_HEALTH,),
}
# The pages shown before a viewer is known (the sign-in form or SSO refusal, a broken user file).
SIGN_IN_PATH, CONFIG_ERROR_PATH = "sign-in", "config-error"


def url_path(page_id: str) -> str:
    """A page's path segment under the dashboard's base URL: ``feed_health`` -> ``feed-health``."""
    return page_id.replace("_", "-")


def url_paths() -> tuple[str, ...]:
    """Every page address the app may serve (``dashboards/serve.py`` tells the front end these)."""
    pages = dict.fromkeys(page for role_pages in ROLE_PAGES.values() for page in role_pages)
    return (*(url_path(page) for page in pages), SIGN_IN_PATH, CONFIG_ERROR_PATH)


@dataclass(frozen=True)
class Viewer:
    user: User
    via_sso: bool = False

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def role(self) -> str:
        return self.user.role

    @property
    def province(self) -> str | None:
        return self.user.province

    @property
    def role_label(self) -> str:
        return ROLES[self.role]

    def may_open(self, page: str) -> bool:
        return page in ROLE_PAGES[self.role]

    def sees_details_of(self, province_code: str) -> bool:
        """Employer rows, scorecards, deliveries and rejected records of one province."""
        return self.role != "provincial" or province_code == self.province

    @property
    def scope(self) -> frozenset[str] | None:
        """The provinces whose details this viewer's downloads may hold (``ipx export --province``);
        None for every province."""
        return frozenset({self.province}) if self.role == "provincial" else None

    def restrict(self, frame: pd.DataFrame, column: str = "province_code") -> pd.DataFrame:
        """Only the rows of provinces whose details this viewer may see."""
        if self.role != "provincial":
            return frame
        return frame[frame[column] == self.province]

    def choose_provinces(self, container, names: Mapping[str, str], key: str) -> list[str]:
        """The page's province filter: a provincial user sees its own province, fixed (widget
        ``{key}_own``); others choose any of ``names`` (``{key}_provinces``; none chosen = all)."""
        if self.role == "provincial":
            container.selectbox("省份", [self.province], format_func=lambda c: names.get(c, c), disabled=True,
                                key=f"{key}_own")
            return []
        return container.multiselect("省份", sorted(names), format_func=lambda c: names.get(c, c),
                                     placeholder="全部省份", key=f"{key}_provinces",
                                     select_all=False)


@functools.lru_cache(maxsize=8)
def _users(path: str, mtime_ns: int) -> dict[str, User]:
    return load_users(Path(path))


def configured_users() -> dict[str, User]:
    path = users_file()
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError as exc:
        raise UserConfigError(f"找不到用户配置文件：{path}") from exc
    return _users(str(path), mtime)


def sso_header() -> str | None:
    return os.environ.get(AUTH_HEADER_ENV) or None


def request_headers() -> Mapping[str, str]:
    """The headers of the browser's request to the app (empty outside a browser session)."""
    return st.context.headers


def identify() -> Viewer | None:
    """The viewer of this run, from the SSO header or this session's sign-in; None if nobody."""
    users = configured_users()
    header = sso_header()
    if header:
        name = (request_headers().get(header) or "").strip()
        user = users.get(name) if name else None
        viewer = Viewer(user, via_sso=True) if user else None
        if st.session_state.get(_SSO_LOGGED_KEY) != ("user", name):  # once per session and header value
            st.session_state[_SSO_LOGGED_KEY] = ("user", name)
            if viewer:
                access_log.record_viewer(_warehouse(), "sign_in", viewer)
            else:
                access_log.record(_warehouse(), "sign_in_refused", user=access_log.UNKNOWN, via="sso")
    else:
        user = users.get(st.session_state.get(_SIGNED_IN_KEY, ""))
        viewer = Viewer(user) if user else None
    st.session_state[_VIEWER_KEY] = viewer
    return viewer


def viewer() -> Viewer:
    """The viewer the router identified for this run (pages call this)."""
    found = st.session_state.get(_VIEWER_KEY)
    if found is None:
        st.info("请先登录。")
        st.stop()
    return found


def require_page(page: str) -> Viewer:
    found = viewer()
    if not found.may_open(page):
        st.info("您的账号无权查看本页面。")
        st.stop()
    return found


# ------------------------------------------------------------------ pages of the signed-out app


def sign_in_page() -> None:
    st.title(chrome.TITLE)
    st.subheader("登录")
    with st.form("sign_in", clear_on_submit=False):
        name = st.text_input("用户名", key="sign_in_name")
        password = st.text_input("密码", type="password", key="sign_in_password")
        submitted = st.form_submit_button("登录", type="primary")
    if not submitted:
        st.caption("账号由管理员在用户配置文件中开通；演示账号见 dashboards/README.md。")
        return
    failures = st.session_state.get(_FAILURES_KEY, 0)
    if failures >= 5:
        time.sleep(min(5, failures - 4))  # slow down guessing within a session
    users = configured_users()
    user = authenticate(users, name, password)
    if user is None:
        st.session_state[_FAILURES_KEY] = failures + 1
        known = name.strip() in users
        access_log.record(_warehouse(), "sign_in_failed", user=name.strip() if known else access_log.UNKNOWN,
                          via="password", failures_in_session=failures + 1)
        st.error("用户名或密码错误。")
        return
    st.session_state.pop(_FAILURES_KEY, None)
    st.session_state[_SIGNED_IN_KEY] = user.name
    access_log.record_viewer(_warehouse(), "sign_in", Viewer(user))
    st.rerun()


def refused_page() -> None:
    st.title(chrome.TITLE)
    header = sso_header()
    name = (request_headers().get(header) or "").strip() if header else ""
    if not name:
        st.error(f"未能从请求头 {header} 取得用户名：请通过单点登录入口访问本看板。")
    else:
        st.error(f"用户 {name} 未在看板用户配置中登记，请联系管理员开通。")


def sign_out() -> None:
    found = st.session_state.get(_VIEWER_KEY)
    if found is not None:
        access_log.record_viewer(_warehouse(), "sign_out", found)
    st.session_state.clear()


def _warehouse() -> Path:
    from dashboards.data import warehouse_path  # data imports nothing of auth; kept local all the same

    return warehouse_path()
