"""In Chromium, a post's link to a tag written in another script reaches the tag's page.

The page is stored under its UTF-8 key (`tags/日本語/index.html`) and linked percent-encoded
(`/tags/%E6%97%A5…/`); the server decodes the path, as S3 does behind CloudFront. A few pages
rendered by the theme are enough: the whole pipeline is the corpus site's business.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

import pytest

from pressroom.config import SiteConfig
from pressroom.indexing import TagEntry
from pressroom.listings import ListingTail
from pressroom.models import PostDocument
from pressroom.site import Theme, page_object_key, post_path, render_post_page, render_tag_pages
from pressroom.slugs import tag_key
from tests.site.conftest import serve_folder

if TYPE_CHECKING:
    from playwright.sync_api import Browser

TAGS = ("日本語", "программирование", "Open Source")

POST = PostDocument(
    source_key="posts/2025-01-12-ramen-winter.md",
    slug="ramen-winter",
    title="A winter of ramen",
    date=datetime(2025, 1, 12, 9, 30, tzinfo=UTC),
    content_hash="d" * 64,
    body_markdown="Forty bowls in Sapporo, and what the broth taught me about patience.",
    tags=TAGS,
)


@pytest.fixture(scope="module")
def tagged_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("unicode-tags")
    site, theme = SiteConfig(title="Field Notes", base_url="https://notes.example.org/"), Theme()
    pages = {post_path(POST.slug): render_post_page(POST, site, theme)}
    for tag in TAGS:
        entry = TagEntry(
            tag=tag_key(tag), slug=POST.slug, title=POST.title, date=POST.date, name=tag
        )
        pages.update(render_tag_pages(entry.tag, ListingTail(0, (entry,)), site, theme))
    for path, html in pages.items():
        target = root / page_object_key(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, "utf-8")
    with serve_folder(root) as base_url:
        yield base_url


@pytest.mark.parametrize("tag", TAGS)
def test_a_tag_link_in_any_script_opens_the_tag_page(
    browser: Browser, tagged_site: str, tag: str
) -> None:
    page = browser.new_page()
    try:
        page.goto(tagged_site + post_path(POST.slug), wait_until="load")

        with page.expect_navigation() as navigation:
            page.get_by_role("link", name=tag, exact=True).click()

        response = navigation.value
        assert response is not None and response.status == 200, response
        path = urlsplit(page.url).path
        assert path.isascii(), "the address bar's URL is percent-encoded"
        assert unquote(path) == f"/tags/{tag_key(tag)}/"
        heading = page.locator("h1").text_content() or ""
        assert heading.split() == ["Posts", "tagged", *tag.split()]
    finally:
        page.close()
