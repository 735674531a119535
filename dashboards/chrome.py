"""Streamlit's own chrome (menus, toolbars, English widget texts) hidden or put in Chinese.

Streamlit 1.67 has no locale setting: its menus, tooltips and widget texts are English. What
can be switched off through options is switched off that way (``st.set_option``, run-time
settable ``client.*`` options):

- ``client.toolbarMode = "minimal"``: no app menu (its "Print", "Settings", "About" and the
  "Made with Streamlit vX" footer), no deploy / rerun / clear-cache buttons;
- ``client.disableDataExport = True``: no "Download as CSV" button on tables and charts, no
  clipboard copy of read-only tables. Files leave the dashboard only through the pages'
  download buttons, which are scoped to the viewer and written to the access log.

The rest has no option, so a style sheet hides it, keyed on Streamlit's ``data-testid``
attributes (stable names its own end-to-end tests use; checked against 1.67's front end):

- ``stElementToolbar``: the toolbar over each table and chart (search, fullscreen; tooltips
  "Search", "Fullscreen", "Download as CSV");
- ``stDataFrameColumnMenuTarget``: the menu of a table's column header ("Sort ascending",
  "Pin column", "Autosize", "Format", "Hide column"); a click on a header still sorts;
- ``stMainMenu`` and ``stToolbarActions``: the app menu, should a later version show it anyway;
- ``stConnectionStatus``: the English "Connecting" badge;
- the multiselect's "Select all" / "Select N matches" entry (widgets pass ``select_all=False``
  where they are made; the style sheet catches the others by React Aria's ``data-key`` of that
  entry, ``__select_all__`` / ``__select_matches__``).

Placeholders of selectboxes and multiselects ("Choose an option") are set in Chinese by each
widget (``placeholder=``). Charts and maps are drawn on the server (``drawing.py``): no chart toolbar.

Tables are plain HTML drawn on the server (``dashboards/table_format.py``), so no page shows
Streamlit's grid; its selectors stay in the list so that a grid added later is still quiet.
"""

from __future__ import annotations

import streamlit as st

# The dashboard's name: the browser tab's title (also before the app's first message, through
# dashboards/serve.py) and the heading of the pages shown before a viewer is known.
TITLE = "工伤预防数据看板"

# One place for the selectors, so a Streamlit upgrade has one list to re-check.
HIDDEN = (
    '[data-testid="stElementToolbar"]',
    '[data-testid="stDataFrameColumnMenuTarget"]',
    '[data-testid="stMainMenu"]',
    '[data-testid="stToolbarActions"]',
    '[data-testid="stConnectionStatus"]',
    # the entry's row in the virtualised list, so no empty row is left
    '[data-testid="stMultiSelectDropdown"] [role="presentation"]:has(> [data-key="__select_all__"])',
    '[data-testid="stMultiSelectDropdown"] [role="presentation"]:has(> [data-key="__select_matches__"])',
    '[data-testid="stMultiSelectDropdown"] [data-key="__select_all__"]',
    '[data-testid="stMultiSelectDropdown"] [data-key="__select_matches__"]',
)

STYLE = (
    "<style>\n"
    + ",\n".join(HIDDEN) + " { display: none !important; }\n"
    # Room for the tables: the sidebar only holds short page names and the signed-in user, so it is
    # narrower than Streamlit's default, and the page keeps smaller side margins. At 1280 px the
    # page then has about 1,000 px for its tables (820 px with Streamlit's defaults).
    + '[data-testid="stSidebar"] { width: 230px !important; min-width: 230px !important; }\n'
    + '[data-testid="stMainBlockContainer"] { padding-left: 2rem; padding-right: 2rem; max-width: 100%; }\n'
    # a table never pushes the page wider than the window
    + '[data-testid="stDataFrame"] { max-width: 100%; }\n'
    + "</style>"
)


def apply() -> None:
    """Called once per script run by ``app.py`` before any page renders."""
    st.set_option("client.toolbarMode", "minimal")
    st.set_option("client.disableDataExport", True)
    st.html(STYLE)
