"""search.json is a manifest of month shards that together find every published post once.

The shape, from the renderer: `{"shards": ["search/2020-10.json", ...]}`, each shard a list of
`{"title", "url", "date", "tags", "description"}` objects.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any
from urllib.parse import urljoin

import pytest

from tests.site.support import SITE_URL, PublishedSite, draft_slugs, published_posts

SEARCH_URL = urljoin(SITE_URL, "search.json")
ENTRY_KEYS = {"title", "url", "date", "tags", "description"}


@pytest.fixture(scope="module")
def entries(site: PublishedSite) -> list[dict[str, Any]]:
    """Every entry of every shard the manifest names, each with its absolute URL."""
    manifest = json.loads(site.read("search.json"))
    assert isinstance(manifest, dict), "search.json must be an object"
    assert isinstance(manifest.get("shards"), list), 'search.json must have a "shards" list'
    found: list[dict[str, Any]] = []
    for shard in manifest["shards"]:
        assert isinstance(shard, str), f"a shard is named by its URL, not {shard!r}"
        # Shard and entry URLs may be relative, root-relative or absolute, as in a browser.
        shard_url = urljoin(SEARCH_URL, shard)
        shard_entries = json.loads(site.file_for(shard_url).read_bytes())
        assert isinstance(shard_entries, list), f"{shard} must be a list"
        found += [{**entry, "url": urljoin(shard_url, entry["url"])} for entry in shard_entries]
    return found


def test_every_entry_has_the_fields_search_shows(entries: list[dict[str, Any]]) -> None:
    for entry in entries:
        assert set(entry) == ENTRY_KEYS, entry
        assert isinstance(entry["title"], str), entry
        assert isinstance(entry["date"], str), entry
        assert all(isinstance(tag, str) for tag in entry["tags"]), entry
        assert entry["description"] is None or isinstance(entry["description"], str), entry


def test_search_finds_every_published_post_once(entries: list[dict[str, Any]]) -> None:
    found = Counter(entry["url"] for entry in entries)

    for post in published_posts():
        assert found[post.url] == 1, f"search finds {post.url} {found[post.url]} times"
        entry = next(entry for entry in entries if entry["url"] == post.url)
        assert entry["title"] == post.title


def test_search_finds_nothing_else(entries: list[dict[str, Any]]) -> None:
    urls = {entry["url"] for entry in entries}

    assert not {f"{SITE_URL}posts/{slug}/" for slug in draft_slugs()} & urls
    assert urls == {post.url for post in published_posts()}
