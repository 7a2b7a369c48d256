"""What a reader sees: headless Chromium renders the seed's page and a page of every other
kind at desktop and phone widths; the title is laid out in view, and nothing runs off the
side of a phone.

Screenshots go to test-output/screenshots/. With PRESSROOM_SEED_SCREENSHOT=FILE, the desktop
view of the seed's page is also saved to FILE (scripts/screenshot-seed makes the README's).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.site.support import SEED_SLUG, TEST_OUTPUT, PublishedSite, published_posts
from tests.site.test_accessibility import page_types

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Response, Route

SCREENSHOTS = TEST_OUTPUT / "screenshots"
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
PAGES = ["seed", "home", "tag", "tags", "category", "month", "archive", "search", "not-found"]
"""The seed's post, and a page of each other kind the theme renders (`page_types`)."""

# Images from other hosts (the seed's is 1200x628) are drawn as a grey box of that shape,
# so the layout is the real one and no test waits on the network.
PLACEHOLDER_IMAGE = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="628">'
    b'<rect width="1200" height="628" fill="#9aa0a6"/></svg>'
)


def _only_the_site(base_url: str) -> Callable[[Route], None]:
    def handle(route: Route) -> None:
        request = route.request
        if request.url.startswith(base_url):
            route.continue_()
        elif request.resource_type == "image":
            route.fulfill(status=200, content_type="image/svg+xml", body=PLACEHOLDER_IMAGE)
        else:
            route.abort()

    return handle


def _expected_title(page: str) -> str | None:
    if page == "seed":
        return next(post.title for post in published_posts() if post.slug == SEED_SLUG)
    return None


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("page_name", PAGES)
def test_reader_sees_the_page(
    browser: Browser, served_site: str, site: PublishedSite, page_name: str, viewport: str
) -> None:
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    try:
        context.route("**/*", _only_the_site(served_site))
        page = context.new_page()
        broken: list[str] = []

        def note_broken(response: Response) -> None:
            if response.status >= 400:
                broken.append(response.url)

        page.on("response", note_broken)

        path = f"posts/{SEED_SLUG}/" if page_name == "seed" else page_types(site)[page_name]
        page.goto(served_site + path, wait_until="load")

        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{page_name}-{viewport}.png", full_page=True)
        readme_shot = os.environ.get("PRESSROOM_SEED_SCREENSHOT")
        if readme_shot and (page_name, viewport) == ("seed", "desktop"):
            page.screenshot(path=Path(readme_shot))

        assert not broken, f"the page loads missing files: {broken}"
        heading = page.locator("h1").first
        assert heading.is_visible(), "no visible h1"
        title = heading.inner_text().strip()
        assert title, "the h1 is empty"
        if expected := _expected_title(page_name):
            assert " ".join(title.split()) == expected
        box = heading.bounding_box()
        width, height = VIEWPORTS[viewport]["width"], VIEWPORTS[viewport]["height"]
        assert box is not None and box["width"] > 0 and box["height"] > 0, box
        assert box["x"] >= 0 and box["y"] >= 0, f"the title starts off screen: {box}"
        assert box["x"] + box["width"] <= width, f"the title runs off the side: {box}"
        assert box["y"] + box["height"] <= height, f"the title is below the fold: {box}"
        assert heading.evaluate("h => h.scrollWidth <= h.clientWidth"), "the title is clipped"
        if viewport == "phone":
            overflow = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            assert overflow[0] <= overflow[1], f"scrolls sideways: {overflow[0]} > {overflow[1]}"
    finally:
        context.close()
