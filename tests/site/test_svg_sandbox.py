"""In Chromium, an SVG an author uploaded runs no script, even opened directly (issue 17).

The site publishes the validator's rewrite of the file (`pressroom.svg.sanitise_svg`;
tests/integration/test_static_files.py shows that is what reaches the site bucket). Served
over HTTP as `image/svg+xml`, the file is a document on the site's origin: each way of running
script in one is tried, and the same file unsanitised shows that each would have run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from pressroom.svg import sanitise_svg
from tests.site.conftest import serve_folder

if TYPE_CHECKING:
    from playwright.sync_api import Browser

RAN = "window.ran = (window.ran || []).concat"

HOSTILE_SVG = f"""<svg xmlns="http://www.w3.org/2000/svg"
     xmlns:xlink="http://www.w3.org/1999/xlink" width="120" height="60"
     onload="{RAN}(['onload'])">
  <script>{RAN}(['script'])</script>
  <script type="text/javascript"><![CDATA[{RAN}(['cdata'])]]></script>
  <rect id="box" width="120" height="60" fill="teal" onmouseover="{RAN}(['hover'])"/>
  <image href="x" onerror="{RAN}(['onerror'])"/>
  <foreignObject width="120" height="60">
    <div xmlns="http://www.w3.org/1999/xhtml"><img src="x" onerror="{RAN}(['html'])"/></div>
  </foreignObject>
  <a id="link" xlink:href="javascript:{RAN}(['link'])"><text y="50">link</text></a>
  <a id="animated"><set attributeName="href" to="javascript:{RAN}(['set'])"/>
    <text y="20">set</text></a>
</svg>
""".encode()


@pytest.fixture(scope="module")
def svg_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root: Path = tmp_path_factory.mktemp("svg")
    (root / "raw.svg").write_bytes(HOSTILE_SVG)
    (root / "published.svg").write_bytes(sanitise_svg(HOSTILE_SVG))
    with serve_folder(root) as base_url:
        yield base_url


def _ran(browser: Browser, url: str) -> list[str]:
    page = browser.new_page()
    try:
        page.goto(url)
        page.wait_for_load_state("load")
        page.wait_for_timeout(200)  # the broken image's error event
        # Dispatched, not moved to: the raw file's foreignObject covers the drawing.
        for selector in ("#box", "#link", "#animated"):
            if page.locator(selector).count():
                page.locator(selector).dispatch_event("mouseover")
                page.locator(selector).dispatch_event("click")
        page.wait_for_timeout(100)
        ran: list[str] | None = page.evaluate("window.ran || null")
        return sorted(ran or [])
    finally:
        page.close()


def test_the_unsanitised_file_would_run_script(browser: Browser, svg_site: str) -> None:
    ran = _ran(browser, f"{svg_site}raw.svg")

    assert ran == ["cdata", "hover", "html", "link", "onerror", "onload", "script", "set"]


def test_the_published_svg_opened_directly_runs_nothing(browser: Browser, svg_site: str) -> None:
    page = browser.new_page()
    try:
        page.goto(f"{svg_site}published.svg")
        assert page.locator("#box").count() == 1  # the drawing is still there
    finally:
        page.close()

    assert _ran(browser, f"{svg_site}published.svg") == []
