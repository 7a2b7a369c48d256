"""feed.xml is an Atom feed of the newest published posts, as feedparser reads it."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from time import struct_time
from typing import Any

import feedparser
import pytest

from tests.site.support import Post, PublishedSite, draft_slugs, published_posts

FEED_SIZE = 20


@pytest.fixture(scope="module")
def feed(site: PublishedSite) -> Any:
    parsed = feedparser.parse(site.read("feed.xml"))
    assert not parsed.bozo, f"feed.xml is not well-formed: {parsed.get('bozo_exception')}"
    return parsed


def _instant(parsed: struct_time | None) -> datetime | None:
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC) if parsed else None


def test_feed_is_atom(feed: Any) -> None:
    assert feed.version == "atom10"


def test_feed_has_the_newest_posts_newest_first(feed: Any) -> None:
    newest = published_posts()[:FEED_SIZE]

    assert [entry.get("link") for entry in feed.entries] == [post.url for post in newest]


@pytest.mark.parametrize("post", published_posts()[:FEED_SIZE], ids=lambda post: post.slug)
def test_feed_entry_describes_its_post(feed: Any, post: Post) -> None:
    entry = next((entry for entry in feed.entries if entry.get("link") == post.url), None)
    assert entry is not None, f"no entry links to {post.url}"

    assert entry.get("title") == post.title
    assert entry.get("id")
    assert _instant(entry.get("updated_parsed")) == post.date
    assert _instant(entry.get("published_parsed")) == post.date


def test_feed_has_no_draft(feed: Any) -> None:
    links = [link.get("href", "") for entry in feed.entries for link in entry.get("links", [])]

    assert not [link for link in links if any(f"/posts/{slug}/" in link for slug in draft_slugs())]
