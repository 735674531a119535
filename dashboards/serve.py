"""Serving the dashboard: ``streamlit run`` with Streamlit's front end told where its server is.

    python dashboards/serve.py run dashboards/app.py [streamlit options]

(``ipx dashboard`` runs this.) Streamlit's front end does not know the server's base path. Opened
on a page's own address (``/assessment``, a shared link, a bookmark), it first asks
``/assessment/_stcore/health``, gets a 404, waits, asks ``/_stcore/health`` and
``/_stcore/host-config``, and only then opens its websocket: about 0.2 s of every fresh load of a
page other than the first, measured in the browser (BENCHMARKS.md). Its bundle reads an embedding
configuration, ``window.__streamlit``, before it starts: given the backend's base URL and the
host configuration there, it opens the websocket at once and checks the server's health in the
background.

This module runs Streamlit's own CLI unchanged, with one thing swapped: the folder its static
files are served from is a mirror of Streamlit's (links to every entry) whose ``index.html``
sets that configuration, and says the document is Chinese with the dashboard's title (until
the app's first message, a new tab is titled "Streamlit" otherwise). The base URL is worked out
in the browser from the page's address: its last segment is dropped when it is one of the app's
page paths (``auth.url_paths()``), so the dashboard works the same at ``/``, under
``server.baseUrlPath`` or behind a proxy that strips a prefix. An address that is not a page
keeps the whole path; Streamlit then falls back to its own search (that path, then its parent).
"""

from __future__ import annotations

import atexit
import html
import json
import shutil
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from dashboards.chrome import TITLE

NOSCRIPT = "需要启用浏览器的 JavaScript 才能使用本看板。"
_BOOT = """<script>
      (function () {
        var pages = %(pages)s;
        var parts = window.location.pathname.replace(/\\/+$/, "").split("/");
        if (parts.length > 1 && pages.indexOf(parts[parts.length - 1]) >= 0) parts.pop();
        window.__streamlit = {
          BACKEND_BASE_URL: window.location.origin + parts.join("/") + "/",
          HOST_CONFIG: %(host_config)s
        };
      })();
    </script>
"""


class FrontEndError(RuntimeError):
    """Streamlit's index.html no longer has the places this module writes into."""


def boot_script(page_paths: tuple[str, ...], allowed_origins: list[str]) -> str:
    """The script that tells the front end its backend base URL and host configuration. The host
    configuration is what the server's ``/_stcore/host-config`` answers (Streamlit needs its
    ``allowedOrigins`` and ``useExternalAuthToken`` to skip asking for it first)."""
    host_config = {"allowedOrigins": allowed_origins, "useExternalAuthToken": False}
    return _BOOT % {"pages": json.dumps(list(page_paths)), "host_config": json.dumps(host_config)}


def index_html(original: str, boot: str) -> str:
    """Streamlit's ``index.html`` with the boot script first in ``<head>``, the language and the
    title in Chinese, and its English ``<noscript>`` text replaced."""
    replacements = [
        ('<html lang="en">', '<html lang="zh-CN">'),
        ("<head>", "<head>\n    " + boot.strip()),
        ("<title>Streamlit</title>", f"<title>{html.escape(TITLE)}</title>"),
    ]
    page = original
    for old, new in replacements:
        if page.count(old) != 1:
            raise FrontEndError(f"Streamlit's index.html has {page.count(old)} of {old!r}, expected one")
        page = page.replace(old, new)
    start, end = page.find("<noscript>"), page.find("</noscript>")
    if 0 <= start < end:
        page = page[:start] + f"<noscript><p>{html.escape(NOSCRIPT)}</p>" + page[end:]
    return page


def mirror_static_dir(streamlit_static: Path, index: str) -> Path:
    """A folder serving Streamlit's static files (symbolic links) with ``index`` as index.html;
    removed when the process ends."""
    mirror = Path(tempfile.mkdtemp(prefix="ipx-dashboard-front-end-"))
    atexit.register(shutil.rmtree, mirror, ignore_errors=True)
    for entry in streamlit_static.iterdir():
        if entry.name != "index.html":
            (mirror / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    (mirror / "index.html").write_text(index, encoding="utf-8")
    return mirror


def _install() -> None:
    """Swap the folder Streamlit serves its front end from. Streamlit asks for it once, when its
    server builds its routes, after the configuration is loaded (so ``client.allowedOrigins`` is
    the one in force)."""
    from streamlit import config, file_util

    streamlit_static = Path(file_util.get_static_dir())

    def static_dir() -> str:
        from dashboards import auth

        original = (streamlit_static / "index.html").read_text(encoding="utf-8")
        boot = boot_script(auth.url_paths(), list(config.get_option("client.allowedOrigins")))
        return str(mirror_static_dir(streamlit_static, index_html(original, boot)))

    file_util.get_static_dir = static_dir


def main(argv: list[str] | None = None) -> int:
    from streamlit.web import cli

    _install()
    sys.argv = ["streamlit", *(sys.argv[1:] if argv is None else argv)]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
