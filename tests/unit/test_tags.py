"""A tag's key, page and link come from one function: the link finds the page, whatever the
author wrote, and the page names the tag as the author wrote it."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import unquote

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from pressroom.config import SiteConfig
from pressroom.indexing import TagEntry
from pressroom.listings import ListingTail
from pressroom.models import PostDocument
from pressroom.site import Theme, page_object_key, render_post_page, render_tag_pages, tag_path
from pressroom.slugs import tag_key
from tests.memory_index import MemoryIndex
from tests.unit.test_indexing import event, post

SITE = SiteConfig(title="Field Notes", base_url="https://notes.example.org/")
THEME = Theme()

NON_LATIN_TAGS = ["日本語", "программирование", "हिन्दी", "ラーメン", "العربية", "한국어"]


def _segments_are_names(key: str) -> bool:
    return all(segment not in {"", ".", ".."} for segment in key.split("/"))


@pytest.mark.parametrize(
    ("tag", "key"),
    [
        ("Open Source", "open-source"),
        ("PHP", "php"),
        ("Café", "cafe"),
        ("Node.js", "node.js"),
        ("日本語", "日本語"),
        ("программирование", "программирование"),
        ("Programmierung für Anfänger", "programmierung-fur-anfanger"),
        ("हिन्दी", "हिन्दी"),
        ("ラーメン", "ラーメン"),
        ("日本語 Python", "日本語-python"),
    ],
)
def test_a_tag_key_keeps_letters_of_every_script(tag: str, key: str) -> None:
    assert tag_key(tag) == key


@pytest.mark.parametrize("tag", [".", "..", "...", "/", "../..", "./.", "\\", "★", "+", "-"])
def test_a_tag_without_letters_still_has_a_page_of_its_own(tag: str) -> None:
    path = tag_path(tag)

    assert path.startswith("tags/") and path.count("/") == 2, path
    assert _segments_are_names(page_object_key(path))


@given(st.text(min_size=1, max_size=40))
@example(".")
@example("..")
@example("%2E%2E")
@example("ᴬ")
@example("0\x80\U0001e000")
def test_no_tag_makes_a_key_with_an_empty_dot_or_dotdot_segment(tag: str) -> None:
    key = page_object_key(tag_path(tag))

    assert tag_path(tag_key(tag)) == tag_path(tag), "a key is its own key"

    assert key.startswith("tags/") and key.endswith("/index.html")
    assert key.count("/") == 2, key
    assert _segments_are_names(key), key
    key.encode("utf-8")


@pytest.mark.parametrize("bad", ["tags/../", "tags/./", "tags//", "/", "posts/x/../"])
def test_a_page_key_with_an_empty_dot_or_dotdot_segment_is_never_made(bad: str) -> None:
    with pytest.raises(ValueError, match="segment"):
        page_object_key(bad)


def _tag_links(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]*)" rel="tag">', html)


@pytest.mark.parametrize("tag", NON_LATIN_TAGS)
def test_a_non_latin_tag_links_to_the_key_its_page_is_written_at(tag: str) -> None:
    document = PostDocument(
        source_key="posts/ramen.md",
        slug="ramen",
        title="A winter of ramen",
        date=datetime(2025, 1, 12, tzinfo=UTC),
        content_hash="c" * 64,
        body_markdown="Broth, noodles, patience.",
        tags=(tag,),
    )
    entry = TagEntry(tag=tag_key(tag), slug="ramen", title=document.title, date=document.date)
    [page] = render_tag_pages(entry.tag, ListingTail(0, (entry,)), SITE, THEME)

    [link] = _tag_links(render_post_page(document, SITE, THEME))

    assert link.isascii(), "a link is percent-encoded UTF-8"
    assert unquote(link).lstrip("/") + "index.html" == page_object_key(page[0])


def test_the_tag_page_names_the_tag_as_the_author_wrote_it() -> None:
    index = MemoryIndex()
    index.handle(event("upsert", 1, post(tags=("Open Source", "日本語"))))
    entries = {tag: ListingTail(0, (entry,)) for (tag, _), entry in index.tags.items()}

    [(_, english)] = render_tag_pages("open-source", entries["open-source"], SITE, THEME)
    [(_, japanese)] = render_tag_pages("日本語", entries["日本語"], SITE, THEME)

    assert "<h1><span" in english
    assert re.search(r"<h1>.*</span> Open Source</h1>", english)
    assert re.search(r"<h1>.*</span> 日本語</h1>", japanese)
    assert "<title>Posts tagged “日本語” · Field Notes</title>" in japanese
