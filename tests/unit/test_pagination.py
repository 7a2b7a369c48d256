"""Tag pages and month archives, split into pages of `list_page_size` posts with links between."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pressroom.config import SiteConfig
from pressroom.indexing import TagEntry
from pressroom.listings import chunks
from pressroom.models import PostSummary
from pressroom.site import (
    ListingPage,
    Theme,
    listing_page_path,
    paginate,
    render_archive_pages,
    render_tag_pages,
)
from tests.integration.html import read_page

SITE = SiteConfig(title="News", base_url="https://news.example.org/", list_page_size=2)


def summary(day: int) -> PostSummary:
    return PostSummary(
        source_key=f"p{day}.md",
        slug=f"p{day}",
        title=f"Post {day}",
        date=datetime(2025, 3, day, tzinfo=UTC),
        content_hash="a" * 64,
    )


def entry(day: int) -> TagEntry:
    return TagEntry(
        tag="php", slug=f"p{day}", title=f"Post {day}", date=datetime(2025, 3, day, tzinfo=UTC)
    )


@given(items=st.lists(st.integers(), max_size=40), size=st.integers(min_value=1, max_value=12))
def test_chunks_keep_every_item_once_in_order_and_none_over_size(
    items: list[int], size: int
) -> None:
    parts = chunks(items, size)

    assert [item for part in parts for item in part] == items
    assert all(0 < len(part) <= size for part in parts)
    assert all(len(part) == size for part in parts[:-1])
    assert len(parts) == -(-len(items) // size)


def test_a_part_holds_at_least_one_item() -> None:
    with pytest.raises(ValueError, match="at least one"):
        chunks([1], 0)


def test_the_first_page_is_the_listing_itself_and_the_others_are_beneath_it() -> None:
    assert listing_page_path("tags/php/", 1) == "tags/php/"
    assert listing_page_path("tags/php/", 2) == "tags/php/page/2/"
    assert listing_page_path("archive/2025/03/", 12) == "archive/2025/03/page/12/"


def test_each_page_links_to_its_newer_and_older_neighbours() -> None:
    pages = [page for page, _ in paginate("tags/php/", list(range(5)), 2)]

    assert [page.path for page in pages] == ["tags/php/", "tags/php/page/2/", "tags/php/page/3/"]
    assert [(page.newer, page.older) for page in pages] == [
        (None, "tags/php/page/2/"),
        ("tags/php/", "tags/php/page/3/"),
        ("tags/php/page/2/", None),
    ]
    assert {page.count for page in pages} == {3}


def test_an_empty_listing_has_no_pages_and_a_short_one_has_one() -> None:
    assert paginate("tags/php/", [], 50) == []
    assert paginate("tags/php/", [1, 2], 50) == [(ListingPage("tags/php/", 1, 1), [1, 2])]


def test_tag_pages_carry_their_posts_newer_and_older_links_and_the_page_number() -> None:
    entries = [entry(day) for day in (5, 4, 3, 2, 1)]

    pages = dict(render_tag_pages("php", entries, SITE, Theme()))

    assert list(pages) == ["tags/php/", "tags/php/page/2/", "tags/php/page/3/"]
    middle = read_page(pages["tags/php/page/2/"])
    assert [link for link in middle.links() if "/posts/" in link] == ["/posts/p3/", "/posts/p2/"]
    assert middle.first("a", rel="prev")["href"] == "/tags/php/"
    assert middle.first("a", rel="next")["href"] == "/tags/php/page/3/"
    assert "Page 2 of 3" in middle.texts["p"]
    assert middle.texts["title"] == ["Posts tagged “php”, page 2 · News"]
    assert middle.first("link", rel="canonical")["href"] == (
        "https://news.example.org/tags/php/page/2/"
    )
    first, last = read_page(pages["tags/php/"]), read_page(pages["tags/php/page/3/"])
    assert not [attrs for tag, attrs in first.attributes if attrs.get("rel") == "prev"]
    assert not [attrs for tag, attrs in last.attributes if attrs.get("rel") == "next"]
    assert first.texts["title"] == ["Posts tagged “php” · News"]


def test_a_listing_of_one_page_has_no_page_navigation() -> None:
    [(path, html)] = render_archive_pages(2025, 3, [summary(2), summary(1)], SITE, Theme())

    assert path == "archive/2025/03/"
    assert 'class="pagination"' not in html


def test_archive_pages_split_the_month_in_date_order() -> None:
    posts = [summary(day) for day in (3, 2, 1)]

    pages = dict(render_archive_pages(2025, 3, posts, SITE, Theme()))

    assert list(pages) == ["archive/2025/03/", "archive/2025/03/page/2/"]
    older = read_page(pages["archive/2025/03/page/2/"])
    assert [link for link in older.links() if "/posts/" in link] == ["/posts/p1/"]
    assert older.first("a", rel="prev")["href"] == "/archive/2025/03/"
    assert older.texts["title"] == ["March 2025, page 2 · News"]
