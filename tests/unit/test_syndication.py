"""The feed, sitemaps and search index, parsed back the way their readers parse them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from pressroom.config import SiteConfig
from pressroom.models import PostSummary
from pressroom.syndication import (
    render_feed,
    render_month_sitemap,
    render_search_manifest,
    render_search_shard,
    render_sitemap_index,
)

SITE = SiteConfig(title="News & Views", base_url="https://news.example.org/")
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def post(slug: str, day: int, **fields: object) -> PostSummary:
    return PostSummary(
        source_key=f"{slug}.md",
        slug=slug,
        title=f"<{slug}> & more",
        date=datetime(2025, 3, day, 9, 30, tzinfo=UTC),
        content_hash="a" * 64,
        **fields,  # type: ignore[arg-type]
    )


def test_the_feed_lists_posts_with_absolute_links_and_escaped_titles() -> None:
    posts = [post("b", 2, tags=("php",), description="Second"), post("a", 1)]

    feed = ET.fromstring(render_feed(posts, SITE))

    assert feed.findtext(f"{ATOM}title") == "News & Views"
    assert feed.findtext(f"{ATOM}updated") == "2025-03-02T09:30:00Z"
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["<b> & more", "<a> & more"]
    assert entries[0].findtext(f"{ATOM}id") == "https://news.example.org/posts/b/"
    assert entries[0].find(f"{ATOM}link").get("href") == "https://news.example.org/posts/b/"  # type: ignore[union-attr]
    assert entries[0].findtext(f"{ATOM}summary") == "Second"
    assert entries[0].find(f"{ATOM}category").get("term") == "php"  # type: ignore[union-attr]


def test_an_updated_post_carries_its_update_time() -> None:
    updated = post("a", 1, updated=datetime(2025, 4, 1, tzinfo=UTC))

    entry = ET.fromstring(render_feed([updated], SITE)).find(f"{ATOM}entry")

    assert entry is not None
    assert entry.findtext(f"{ATOM}published") == "2025-03-01T09:30:00Z"
    assert entry.findtext(f"{ATOM}updated") == "2025-04-01T00:00:00Z"


def test_the_sitemap_index_points_at_the_pages_sitemap_and_each_month() -> None:
    index = ET.fromstring(render_sitemap_index([(2025, 3), (2024, 12)], SITE))

    assert [loc.text for loc in index.iter(f"{SITEMAP}loc")] == [
        "https://news.example.org/sitemaps/pages.xml",
        "https://news.example.org/sitemaps/2025-03.xml",
        "https://news.example.org/sitemaps/2024-12.xml",
    ]


def test_a_month_sitemap_lists_each_post_url() -> None:
    urlset = ET.fromstring(render_month_sitemap([post("b", 2), post("a", 1)], SITE))

    assert [loc.text for loc in urlset.iter(f"{SITEMAP}loc")] == [
        "https://news.example.org/posts/b/",
        "https://news.example.org/posts/a/",
    ]
    assert next(mod.text for mod in urlset.iter(f"{SITEMAP}lastmod")) == "2025-03-02T09:30:00Z"


def test_the_search_index_is_a_manifest_of_monthly_shards() -> None:
    manifest = json.loads(render_search_manifest([(2025, 3)]))
    shard = json.loads(render_search_shard([post("a", 1, tags=("php",))], SITE))

    assert manifest == {"shards": ["search/2025-03.json"]}
    assert shard == [
        {
            "title": "<a> & more",
            "url": "/posts/a/",
            "date": "2025-03-01T09:30:00Z",
            "tags": ["php"],
            "description": None,
        }
    ]
