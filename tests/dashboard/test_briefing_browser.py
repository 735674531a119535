"""领导简报 in a real browser: as a national and as a provincial (四川) user, one click on the
button downloads the PDF briefing; its first page is rendered to PNG (under the test's tmp dir)
and is not blank, holds the map's colours, and the download is in the access log with the
viewer's scope. Reuses the server and browser helpers of test_browser.py."""

from __future__ import annotations

import json
import re

import numpy as np
import pypdf
import pypdfium2
import pytest
from test_browser import _no_exception, _serve, _settle

pytestmark = pytest.mark.browser

BUTTON = "生成并下载领导简报（PDF）"


@pytest.fixture(scope="module")
def sso_server(small_build, users_file, tmp_path_factory):
    logs = tmp_path_factory.mktemp("briefing-logs")
    access = tmp_path_factory.mktemp("briefing-access")
    process, url = _serve(small_build.warehouse, users_file, logs / "sso.log", IPX_AUTH_HEADER="X-Forwarded-User",
                          IPX_ACCESS_LOG_DIR=str(access))
    try:
        yield url, access
    finally:
        process.terminate()
        process.wait(timeout=15)


@pytest.mark.parametrize("user, province", [("nat", None), ("sc", "510000")])
def test_the_button_downloads_a_briefing_pdf(sso_server, browser, mart, tmp_path, user, province):
    url, access = sso_server
    year = int(mart("SELECT max(year) AS y FROM marts.mart_assessment_coverage WHERE is_assessed").iloc[0]["y"])
    context = browser.new_context(viewport={"width": 1600, "height": 1100}, locale="zh-CN", accept_downloads=True,
                                  extra_http_headers={"X-Forwarded-User": user})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{url}/briefing")
    page.get_by_role("heading", name="领导简报", level=1).wait_for()
    _settle(page)
    _no_exception(page, f"{user} 领导简报")
    page.screenshot(path=str(tmp_path / "page.png"))
    assert page.get_by_role("button", name=BUTTON).count() == 1
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name=BUTTON).click()
    download = info.value
    assert download.suggested_filename == f"工伤预防工作领导简报-{year}{'-' + province if province else ''}.pdf"
    pdf = tmp_path / "briefing.pdf"
    download.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    reader = pypdf.PdfReader(pdf)
    assert 1 <= len(reader.pages) <= 2
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in reader.pages))
    assert f"工伤预防工作领导简报{year}年" in text
    assert ("四川省版" if province else "全国版") in text

    png = tmp_path / "briefing-page1.png"
    pypdfium2.PdfDocument(str(pdf))[0].render(scale=2).to_pil().convert("RGB").save(png)
    from PIL import Image

    pixels = np.asarray(Image.open(png)).reshape(-1, 3).astype(int)
    assert (pixels.min(axis=1) < 235).mean() > 0.08, "page 1 is (nearly) blank"
    saturated = (pixels.max(axis=1) - pixels.min(axis=1)) > 60
    assert saturated.sum() > 5_000, "no coloured map on page 1"

    events = [json.loads(line) for path in sorted(access.glob("access-*.jsonl"))
              for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    downloads = [e for e in events if e["event"] == "download" and e["user"] == user and e["what"] == "briefing"]
    assert downloads, events
    assert downloads[-1]["year"] == year
    assert downloads[-1]["provinces"] == ([province] if province else "all")
    context.close()
