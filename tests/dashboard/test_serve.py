"""dashboards/serve.py: the index.html it serves instead of Streamlit's (the browser side is in
test_browser.py: a page's link connects at once, under a base path too)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit import file_util

from dashboards import auth
from dashboards.serve import FrontEndError, boot_script, index_html, mirror_static_dir

STREAMLIT_INDEX = Path(file_util.get_static_dir()) / "index.html"


def test_the_installed_streamlit_index_takes_the_boot_script():
    original = STREAMLIT_INDEX.read_text(encoding="utf-8")
    page = index_html(original, boot_script(auth.url_paths(), ["https://example.org"]))
    head = page.split("</head>")[0]
    # set before Streamlit's bundle reads it (the bundle is a module script: it runs after parsing)
    assert head.index("window.__streamlit") < head.index('<script type="module"')
    assert '<html lang="zh-CN">' in page and "<title>工伤预防数据看板</title>" in page
    assert "<title>Streamlit</title>" not in page
    assert '"assessment"' in head and '"feed-health"' in head and '"sign-in"' in head
    assert '"allowedOrigins": ["https://example.org"]' in head and '"useExternalAuthToken": false' in head
    assert "You need to enable JavaScript" not in page and "需要启用浏览器的 JavaScript" in page


def test_every_page_the_app_serves_is_known_to_the_front_end():
    paths = auth.url_paths()
    assert len(paths) == len(set(paths))
    for page_id in auth.ROLE_PAGES["national"]:
        assert auth.url_path(page_id) in paths
    assert auth.url_path(auth.FEED_HEALTH) == "feed-health"


def test_a_changed_streamlit_index_fails_loudly():
    with pytest.raises(FrontEndError, match="<head>"):
        index_html('<html lang="en"><title>Streamlit</title></html>', "<script></script>")


def test_the_mirror_serves_streamlits_files_beside_the_new_index(tmp_path):
    static = tmp_path / "static"
    (static / "static" / "js").mkdir(parents=True)
    (static / "static" / "js" / "index.js").write_text("bundle")
    (static / "favicon.png").write_bytes(b"png")
    (static / "index.html").write_text("old")
    mirror = mirror_static_dir(static, "new")
    assert (mirror / "index.html").read_text(encoding="utf-8") == "new"
    assert (static / "index.html").read_text() == "old"  # Streamlit's own file is untouched
    assert (mirror / "static" / "js" / "index.js").read_text() == "bundle"
    assert (mirror / "favicon.png").read_bytes() == b"png"
