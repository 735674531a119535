"""Entry point of the ipx dashboard (``ipx dashboard`` runs ``streamlit run dashboards/app.py``
through ``dashboards/serve.py``).

This script runs on every interaction: it finds the live published version, identifies the
viewer (sign-in or SSO header), offers the pages the viewer's role may open, shows the data's
as-of line, and runs the chosen page from ``dashboards/views/``.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import streamlit as st

from dashboards import auth, chrome, data, geo, long_lived, provenance
from dashboards.users import UserConfigError

VIEWS = Path(__file__).resolve().parent / "views"
PAGES = {
    auth.HOTSPOTS: ("hotspots.py", "热点总览"),
    auth.BRIEFING: ("briefing.py", "领导简报"),
    auth.WATCHLIST: ("watchlist.py", "超标与隐患整改"),
    auth.EMPLOYER: ("employer.py", "单位档案"),
    auth.ASSESSMENT: ("assessment.py", "省级考核"),
    auth.FLOATING: ("floating.py", "费率浮动"),
    auth.EVALUATION: ("evaluation.py", "终期评估"),
    auth.FEED_HEALTH: ("feed_health.py", "数据交换"),
}
# No page icons: Streamlit would turn them into favicons loaded from a font CDN.

st.set_page_config(page_title=chrome.TITLE, layout="wide")
st.set_option("client.toolbarMode", "viewer")  # no deploy / rerun / clear-cache buttons for users
chrome.apply()  # Streamlit's own English chrome hidden or in Chinese


def _config_error_page(message: str):
    def page() -> None:
        st.title(chrome.TITLE)
        st.error(f"看板用户配置有误，暂时无法登录：{message}")

    return page


geo.warm_up()  # the map's boundaries take a few seconds to build, once per process

try:
    viewer = auth.identify()
except UserConfigError as exc:
    st.navigation([st.Page(_config_error_page(str(exc)), title="配置错误", url_path=auth.CONFIG_ERROR_PATH)],
                  position="hidden").run()
    st.stop()

if viewer is None:
    gate = auth.refused_page if auth.sso_header() else auth.sign_in_page
    st.navigation([st.Page(gate, title="登录", url_path=auth.SIGN_IN_PATH)], position="hidden").run()
    st.stop()

pages = [st.Page(VIEWS / file, title=title, url_path=auth.url_path(page_id))
         for page_id, (file, title) in PAGES.items() if viewer.may_open(page_id)]
current = st.navigation(pages)

with st.sidebar:
    where = f"（{viewer.province}）" if viewer.province else ""
    st.markdown(f"**{viewer.user.label}**  \n{viewer.role_label}用户{where}")
    if not viewer.via_sso:
        st.button("退出登录", on_click=auth.sign_out, key="sign_out")

publication = data.resolve_publication()
try:
    provenance.show(publication)
    current.run()
except data.DataUnavailable as exc:
    st.info(str(exc))

long_lived.freeze_once()  # once per process: see dashboards/long_lived.py
