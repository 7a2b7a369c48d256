"""Every kind of page the theme makes, checked by axe-core in Chromium in the light and the
dark scheme: WCAG 2.1 A and AA (text contrast of at least 4.5:1 among them) and axe's best
practices, which hold the landmark rules (one `main`, all content in a landmark).

With PRESSROOM_SCREENSHOTS=DIR, each page type's desktop view in each scheme is saved to
DIR as `<type>-<scheme>.png` (scripts/screenshots makes docs/pages/ with it).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.site.support import SEED_SLUG, PublishedSite

if TYPE_CHECKING:
    from playwright.sync_api import Browser

SCHEMES = ("light", "dark")
AXE_RULE_SETS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
PAGE_TYPES = ("home", "post", "tag", "tags", "category", "categories", "month", "archive")
PAGE_TYPES += ("search", "not-found")


def page_types(site: PublishedSite) -> dict[str, str]:
    """A site path of each kind of page the theme renders, found in the published site."""
    root = site.root

    def first(pattern: str) -> str:
        found = sorted(root.glob(pattern))
        assert found, f"the published site has no {pattern}"
        return found[0].parent.relative_to(root).as_posix() + "/"

    return {
        "home": "",
        "post": f"posts/{SEED_SLUG}/",
        "tag": first("tags/*/index.html"),
        "tags": "tags/",
        "category": first("categories/*/index.html"),
        "categories": "categories/",
        "month": first("archive/*/*/index.html"),
        "archive": "archive/",
        "search": "search/",
        "not-found": "404.html",
    }


@pytest.fixture(scope="module")
def pages(site: PublishedSite) -> dict[str, str]:
    return page_types(site)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("page_type", PAGE_TYPES)
def test_every_page_type_passes_axe_in_both_schemes(
    browser: Browser, served_site: str, pages: dict[str, str], page_type: str, scheme: str
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(
        viewport={"width": 1280, "height": 800},
        color_scheme=scheme,  # type: ignore[arg-type]
    )
    try:
        # Only the site's own files: an image on another host would only slow the check.
        context.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith(served_site) else route.abort()
            ),
        )
        page = context.new_page()
        page.goto(served_site + pages[page_type], wait_until="load")
        shown_scheme = page.evaluate(
            "matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'"
        )
        assert shown_scheme == scheme
        if folder := os.environ.get("PRESSROOM_SCREENSHOTS"):
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=Path(folder) / f"{page_type}-{scheme}.png")

        results = (
            Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_RULE_SETS}}).response
        )
    finally:
        context.close()

    assert results["testEngine"]["version"].startswith("4.")
    checked = {rule["id"] for rule in results["passes"]} | {
        rule["id"] for rule in results["violations"]
    }
    assert "color-contrast" in checked, "axe checked no text's contrast"
    assert "landmark-one-main" in checked
    violations = [
        f"{rule['id']} ({rule['impact']}): {rule['help']}: "
        + ", ".join(str(node["target"]) for node in rule["nodes"][:5])
        for rule in results["violations"]
    ]
    assert not violations, "\n".join(violations)
