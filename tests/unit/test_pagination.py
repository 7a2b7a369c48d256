"""Tag pages and month archives, split into pages of `list_page_size` posts with links between."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TypeVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pressroom.config import SiteConfig
from pressroom.indexing import TagEntry
from pressroom.listings import ListingTail, chunks, rewrite_from
from pressroom.models import PostSummary
from pressroom.site import (
    ListingPage,
    Theme,
    listing_page_keys,
    listing_page_path,
    page_object_key,
    paginate,
    read_tag_card,
    render_archive_index,
    render_archive_pages,
    render_tag_card,
    render_tag_pages,
    tag_card_pages,
)
from pressroom.syndication import months_of
from tests.integration.html import read_page

_Post = TypeVar("_Post")
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
    assert listing_page_path("tags/php/", 0) == "tags/php/"
    assert listing_page_path("tags/php/", 1) == "tags/php/page/1/"
    assert listing_page_path("archive/2025/03/", 12) == "archive/2025/03/page/12/"


def whole(posts: list[_Post]) -> ListingTail[_Post]:
    """A listing read whole, `posts` oldest first."""
    return ListingTail(0, tuple(posts))


def test_the_first_page_shows_the_newest_and_the_numbered_pages_count_from_the_oldest() -> None:
    pages = paginate("tags/php/", whole(list(range(7))), 3)

    assert [(page.path, page.newer, page.older, posts) for page, posts in pages] == [
        ("tags/php/", None, "tags/php/page/2/", [6, 5, 4]),
        ("tags/php/page/1/", "tags/php/page/2/", None, [2, 1, 0]),
        ("tags/php/page/2/", "tags/php/", "tags/php/page/1/", [5, 4, 3]),
    ]


def test_an_empty_listing_has_no_pages_and_a_short_one_has_one() -> None:
    assert paginate("tags/php/", whole([]), 50) == []
    assert paginate("tags/php/", whole([1, 2]), 50) == [(ListingPage("tags/php/", 0, 0), [2, 1])]
    assert listing_page_keys("tags/php/", 0, 50) == set()
    assert listing_page_keys("tags/php/", 2, 50) == {"tags/php/index.html"}


@given(total=st.integers(min_value=0, max_value=60), size=st.integers(min_value=1, max_value=8))
def test_following_older_links_from_the_first_page_shows_every_post_newest_first(
    total: int, size: int
) -> None:
    pages = {
        page.path: (page, posts) for page, posts in paginate("t/", whole(list(range(total))), size)
    }
    seen: list[int] = []
    path: str | None = "t/" if pages else None
    while path is not None:
        page, posts = pages.pop(path)
        assert posts == sorted(posts, reverse=True)
        assert page.number == 0 or len(posts) == size
        seen += [post for post in posts if not seen or post < seen[-1]]
        if page.older is not None:
            assert pages[page.older][0].newer == path
        path = page.older

    assert not pages
    assert seen == list(range(total))[::-1]
    assert listing_page_keys("t/", total, size) == {
        page_object_key(page.path) for page, _ in paginate("t/", whole(list(range(total))), size)
    }


@given(
    before=st.lists(st.integers(min_value=0, max_value=200), unique=True, max_size=60),
    changed=st.integers(min_value=0, max_value=200),
    size=st.integers(min_value=1, max_value=8),
)
def test_a_change_leaves_every_page_before_where_it_rewrites_from_as_it_was(
    before: list[int], changed: int, size: int
) -> None:
    """A post joins or leaves at one place: the pages rendered from the tail that
    `rewrite_from` asks for are the listing's new pages, and every other page it has is
    unchanged, so rewriting from there is enough."""
    old = sorted(before)
    new = sorted(set(old) ^ {changed})
    older = sum(1 for post in new if post < changed)
    start = rewrite_from(older, len(new), size)

    def shown(tail: ListingTail[int]) -> dict[str, tuple[str | None, str | None, list[int]]]:
        pages = paginate("t/", tail, size)
        return {page.path: (page.newer, page.older, list(posts)) for page, posts in pages}

    rewritten = shown(ListingTail(start, tuple(new[start:])))
    now, was = shown(whole(new)), shown(whole(old))
    assert "t/" in rewritten or not new
    assert all(now[path] == page for path, page in rewritten.items())
    assert all(was.get(path) == page for path, page in now.items() if path not in rewritten)


def test_tag_pages_carry_their_posts_newer_and_older_links_and_the_page_number() -> None:
    entries = whole([entry(day) for day in (1, 2, 3, 4, 5)])

    pages = dict(render_tag_pages("php", entries, SITE, Theme()))

    assert list(pages) == ["tags/php/", "tags/php/page/1/", "tags/php/page/2/"]
    middle = read_page(pages["tags/php/page/2/"])
    assert [link for link in middle.links() if "/posts/" in link] == ["/posts/p4/", "/posts/p3/"]
    assert middle.first("a", rel="prev")["href"] == "/tags/php/"
    assert middle.first("a", rel="next")["href"] == "/tags/php/page/1/"
    assert "Page 2" in middle.texts["p"]
    assert middle.texts["title"] == ["Posts tagged “php”, page 2 · News"]
    assert middle.first("link", rel="canonical")["href"] == (
        "https://news.example.org/tags/php/page/2/"
    )
    first, oldest = read_page(pages["tags/php/"]), read_page(pages["tags/php/page/1/"])
    assert [link for link in first.links() if "/posts/" in link] == ["/posts/p5/", "/posts/p4/"]
    assert not [attrs for tag, attrs in first.attributes if attrs.get("rel") == "prev"]
    assert first.first("a", rel="next")["href"] == "/tags/php/page/2/"
    assert not [attrs for tag, attrs in oldest.attributes if attrs.get("rel") == "next"]
    assert first.texts["title"] == ["Posts tagged “php” · News"]


def test_a_listing_of_one_page_has_no_page_navigation() -> None:
    [(path, html)] = render_archive_pages(2025, 3, whole([summary(1), summary(2)]), SITE, Theme())

    assert path == "archive/2025/03/"
    assert 'class="pagination"' not in html


def test_archive_pages_split_the_month_in_date_order() -> None:
    posts = whole([summary(day) for day in (1, 2, 3)])

    pages = dict(render_archive_pages(2025, 3, posts, SITE, Theme()))

    assert list(pages) == ["archive/2025/03/", "archive/2025/03/page/1/"]
    oldest = read_page(pages["archive/2025/03/page/1/"])
    assert [link for link in oldest.links() if "/posts/" in link] == ["/posts/p2/", "/posts/p1/"]
    assert oldest.first("a", rel="prev")["href"] == "/archive/2025/03/"
    assert oldest.texts["title"] == ["March 2025, page 1 · News"]


def test_the_archive_index_lists_each_month_with_posts_by_year_newest_first() -> None:
    files = ("sitemaps/2025-03-2.xml", "sitemaps/2025-03.xml", "sitemaps/2024-12.xml")

    page = read_page(render_archive_index(months_of(files), SITE, Theme()))

    assert [link for link in page.links() if link.startswith("/archive/2")] == [
        "/archive/2025/03/",
        "/archive/2024/12/",
    ]
    assert page.texts["h2"] == ["2025", "2024"]


def test_a_tags_card_counts_its_pages_and_an_older_or_broken_card_counts_none() -> None:
    assert tag_card_pages(render_tag_card("PHP", 4)) == 4
    assert read_tag_card("php", render_tag_card("PHP", 4)).name == "PHP"
    for card in [None, b'{"name": "PHP"}', b"{", b'{"pages": -1}', b'{"pages": true}', b"[]"]:
        assert tag_card_pages(card) is None, card
