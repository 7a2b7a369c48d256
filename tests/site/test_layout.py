"""The site has every page DESIGN.md's layout promises for the corpus, and no draft's page."""

from __future__ import annotations

import pytest

from pressroom.site import page_object_key
from pressroom.slugs import tag_key
from tests.site.support import PublishedSite, draft_slugs, published_posts


def _expected_keys() -> list[str]:
    posts = published_posts()
    return sorted(
        {"index.html", "404.html", "feed.xml", "sitemap.xml", "search.json"}
        | {"search/index.html", "search/search.js", "archive/index.html", "tags/index.html"}
        | {page_object_key(post.path) for post in posts}
        | {f"tags/{tag_key(tag)}/index.html" for post in posts for tag in post.tags}
        | {f"tags/{tag_key(tag)}/tag.json" for post in posts for tag in post.tags}
        | {f"archive/{post.date:%Y/%m}/index.html" for post in posts}
    )


@pytest.mark.parametrize("key", _expected_keys())
def test_page_is_on_the_site(site: PublishedSite, key: str) -> None:
    assert (site.root / key).is_file()


def test_publish_names_the_published_posts_and_drafts(site: PublishedSite) -> None:
    assert sorted(site.summary["published"]) == sorted(post.slug for post in published_posts())
    assert set(site.summary["drafts"]) == draft_slugs()


@pytest.mark.parametrize("slug", sorted(draft_slugs()))
def test_no_page_for_a_draft(site: PublishedSite, slug: str) -> None:
    assert not (site.root / "posts" / slug).exists()


def test_no_page_in_the_site_bucket_carries_the_live_reload_script(site: PublishedSite) -> None:
    # `pressroom local` adds it to pages as it serves them; what is published never has it.
    pages = sorted(site.root.rglob("*.html"))
    assert pages

    carrying = [page for page in pages if b"_pressroom/" in page.read_bytes()]

    assert carrying == []
