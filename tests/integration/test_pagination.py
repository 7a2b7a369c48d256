"""Listings longer than a page, through the pipeline: every page is written and linked to
its neighbours, pages and month files beyond a listing's end go as its posts go, and the
sitemap index and search manifest name every month file there is."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from pressroom import syndication
from pressroom.adapters import wiring
from pressroom.listings import order_key, rewrite_from
from pressroom.services import renderer as renderer_module
from pressroom.site import (
    ARCHIVE_INDEX_PATH,
    HOME_PAGES,
    NOT_FOUND_KEY,
    SEARCH_PAGE_PATH,
    SEARCH_SCRIPT_KEY,
    page_object_key,
)
from pressroom.syndication import PAGES_SITEMAP_KEY, SEARCH_MANIFEST_KEY, SITEMAP_INDEX_KEY
from pressroom_local.s3_events import in_process_aws
from pressroom_local.stack import LocalStack
from tests.corpus import PROJECT_ROOT
from tests.integration.conftest import SITE_URL
from tests.integration.html import read_page
from tests.integration.stale_reads import FirstReadBeforeTheCommit
from tests.refusals import ACCESS_DENIED, refused

SITE_INDEXES = {
    SITEMAP_INDEX_KEY,
    SEARCH_MANIFEST_KEY,
    PAGES_SITEMAP_KEY,
    NOT_FOUND_KEY,
    SEARCH_SCRIPT_KEY,
    *map(page_object_key, (ARCHIVE_INDEX_PATH, SEARCH_PAGE_PATH, "tags/", "categories/")),
}
"""The site's fixed files and indexes: what every site that has a post has."""
PAGE_SIZE = 3
SITEMAP_URLS = 4
SEARCH_RECORDS = 2
FEBRUARY = [f"feb-{day}" for day in range(1, 9)]
"""Eight posts of February 2024 tagged `news`: three pages (the newest three, then two
numbered from the oldest), two sitemap files, four shards."""
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalStack]:
    """The template's stack on moto, with pages of three posts and small month files, so
    that a few posts fill several of each."""
    monkeypatch.setattr(syndication, "SITEMAP_URLS_PER_FILE", SITEMAP_URLS)
    monkeypatch.setattr(syndication, "SEARCH_RECORDS_PER_SHARD", SEARCH_RECORDS)
    with in_process_aws() as session:
        local = LocalStack.create(
            session,
            project_root=PROJECT_ROOT,
            site_url=SITE_URL,
            environment_overrides={"LIST_PAGE_SIZE": str(PAGE_SIZE)},
        )
        local.router.drain()
        yield local


def _publish(stack: LocalStack) -> None:
    s3 = stack.session.client("s3")
    for day, slug in enumerate(FEBRUARY, start=1):
        body = f"---\ntitle: {slug}\ndate: 2024-02-{day:02d}\ntags: [news]\n---\n\nBody.\n"
        s3.put_object(Bucket=stack.content_bucket, Key=f"{slug}.md", Body=body.encode())
    body = b"---\ntitle: January\ndate: 2024-01-15\ntags: [other]\n---\n\nBody.\n"
    s3.put_object(Bucket=stack.content_bucket, Key="jan.md", Body=body)
    stack.router.drain()


def _delete(stack: LocalStack, slugs: list[str]) -> None:
    s3 = stack.session.client("s3")
    for slug in slugs:
        s3.delete_object(Bucket=stack.content_bucket, Key=f"{slug}.md")
    stack.router.drain()


def _pages(site: dict[str, bytes], listing: str) -> list[str]:
    return sorted(key for key in site if key.startswith(listing) and key.endswith(".html"))


def _walk(site: dict[str, bytes], listing: str) -> list[str]:
    """The posts a reader sees following "Older" from the listing's first page to its last
    (each once: the first page may show some of the next page's), after checking that
    "Newer" leads back the same way."""
    slugs: list[str] = []
    path, visited = listing, []
    while True:
        visited.append(path)
        page = read_page(site[page_object_key(path)].decode())
        shown = [link.split("/")[2] for link in page.links() if link.startswith("/posts/")]
        slugs += [slug for slug in shown if slug not in slugs]
        older = [attrs["href"] for tag, attrs in page.attributes if attrs.get("rel") == "next"]
        if not older:
            break
        newer_of_older = read_page(site[page_object_key(older[0][1:])].decode())
        assert newer_of_older.first("a", rel="prev")["href"] == f"/{path}"
        path = older[0][1:]
    assert len(visited) == len(_pages(site, listing))
    return slugs


def _broken_links(site: dict[str, bytes]) -> list[tuple[str, str]]:
    broken = []
    for key, body in site.items():
        if not key.endswith(".html"):
            continue
        for link in read_page(body.decode()).links():
            path = link.removeprefix(SITE_URL[:-1])
            if path.startswith("/") and page_object_key(path[1:]) not in site:
                broken.append((key, link))
    return broken


def _sitemap_index(site: dict[str, bytes]) -> list[str]:
    locs = ET.fromstring(site["sitemap.xml"]).iter(f"{SITEMAP}loc")
    return [str(loc.text).removeprefix(SITE_URL) for loc in locs]


def _month_files(site: dict[str, bytes], folder: str) -> list[str]:
    """The month files in a folder: not the pages sitemap, the search page or its script."""
    others = {"sitemaps/pages.xml", "search/index.html", "search/search.js"}
    return sorted(key for key in site if key.startswith(folder) and key not in others)


def test_a_month_and_a_tag_longer_than_a_page_are_paginated_and_linked(
    stack: LocalStack,
) -> None:
    _publish(stack)

    site = stack.site_objects()
    newest_first = FEBRUARY[::-1]
    for listing in ("archive/2024/02/", "tags/news/"):
        assert _pages(site, listing) == [
            f"{listing}index.html",
            f"{listing}page/1/index.html",
            f"{listing}page/2/index.html",
        ]
        assert _walk(site, listing) == newest_first
    assert _pages(site, "tags/other/") == ["tags/other/index.html"]
    assert 'class="pagination"' not in site["tags/other/index.html"].decode()
    assert not _broken_links(site)


def test_the_sitemap_index_and_search_manifest_name_every_month_file(
    stack: LocalStack,
) -> None:
    _publish(stack)

    site = stack.site_objects()
    sitemaps = ["sitemaps/2024-02-2.xml", "sitemaps/2024-02.xml", "sitemaps/2024-01.xml"]
    assert _sitemap_index(site) == ["sitemaps/pages.xml", *sitemaps]
    assert _month_files(site, "sitemaps/") == sorted(sitemaps)
    shards = json.loads(site["search.json"])["shards"]
    assert shards == [
        "search/2024-02-4.json",
        "search/2024-02-3.json",
        "search/2024-02-2.json",
        "search/2024-02.json",
        "search/2024-01.json",
    ]
    assert _month_files(site, "search/") == sorted(shards)
    found = [record["url"] for shard in shards for record in json.loads(site[shard])]
    assert found == [f"/posts/{slug}/" for slug in [*FEBRUARY[::-1], "jan"]]


def test_pages_and_month_files_beyond_the_end_go_as_posts_are_deleted(
    stack: LocalStack,
) -> None:
    _publish(stack)

    _delete(stack, FEBRUARY[3:])

    site = stack.site_objects()
    for listing in ("archive/2024/02/", "tags/news/"):
        assert _pages(site, listing) == [f"{listing}index.html"]
        assert _walk(site, listing) == FEBRUARY[2::-1]
    assert _sitemap_index(site) == [
        "sitemaps/pages.xml",
        "sitemaps/2024-02.xml",
        "sitemaps/2024-01.xml",
    ]
    assert json.loads(site["search.json"])["shards"] == [
        "search/2024-02-2.json",
        "search/2024-02.json",
        "search/2024-01.json",
    ]
    assert _month_files(site, "search/") == [
        "search/2024-01.json",
        "search/2024-02-2.json",
        "search/2024-02.json",
    ]
    assert not _broken_links(site)

    _delete(stack, FEBRUARY[:3])

    site = stack.site_objects()
    assert not [key for key in site if key.startswith(("archive/2024/02/", "tags/news/"))]
    assert not [key for key in site if "2024-02" in key]
    assert _sitemap_index(site) == ["sitemaps/pages.xml", "sitemaps/2024-01.xml"]
    assert json.loads(site["search.json"])["shards"] == ["search/2024-01.json"]


def test_a_rebuild_gives_the_same_pages_and_files_and_removes_those_beyond_the_end(
    stack: LocalStack,
) -> None:
    _publish(stack)
    _delete(stack, FEBRUARY[:2])
    built = stack.site_objects()
    s3 = stack.session.client("s3")
    for key in built:
        s3.delete_object(Bucket=stack.site_bucket, Key=key)
    # As a site is left when the stream batches that shrank a listing were lost.
    for key in ("tags/news/page/3/index.html", "sitemaps/2024-02-3.xml", "search/2024-02-5.json"):
        s3.put_object(Bucket=stack.site_bucket, Key=key, Body=b"left over")
    renderer = stack.renderer()

    for _ in renderer.rebuild(renderer.plan_rebuild()):
        pass

    assert stack.site_objects() == built


def _put(stack: LocalStack, slug: str, date: str, tags: str = "[news]") -> None:
    body = f"---\ntitle: {slug}\ndate: {date}\ntags: {tags}\n---\n\nBody.\n"
    s3 = stack.session.client("s3")
    s3.put_object(Bucket=stack.content_bucket, Key=f"{slug}.md", Body=body.encode())
    stack.router.drain()


def _rebuilt(stack: LocalStack) -> dict[str, bytes]:
    renderer = stack.renderer().configured()  # as `pressroom rebuild` makes it
    for _ in renderer.rebuild(renderer.plan_rebuild()):
        pass
    return stack.site_objects()


def test_a_new_post_leaves_the_full_older_pages_and_files_alone(stack: LocalStack) -> None:
    _publish(stack)
    for day in range(9, 12):  # Eleven posts: pages 1 to 3 are full, and 1 is not the last's.
        _put(stack, f"feb-{day}", f"2024-02-{day:02d}")
    s3 = stack.session.client("s3")
    oldest = ["tags/news/page/1/index.html", "archive/2024/02/page/1/index.html"]
    oldest += ["sitemaps/2024-02.xml", "search/2024-02.json"]
    # Taken away, so that a page written again shows.
    for key in oldest:
        s3.delete_object(Bucket=stack.site_bucket, Key=key)

    _put(stack, "feb-28", "2024-02-28")

    site = stack.site_objects()
    assert not [key for key in oldest if key in site]
    first = read_page(site["tags/news/index.html"].decode())
    assert [link for link in first.links() if link.startswith("/posts/")][:2] == [
        "/posts/feb-28/",
        "/posts/feb-11/",
    ]
    assert "search/2024-02-6.json" in json.loads(site["search.json"])["shards"]


def test_a_back_dated_post_moves_every_page_after_it_as_a_rebuild_would(
    stack: LocalStack,
) -> None:
    _publish(stack)

    _put(stack, "a-early", "2024-02-01")
    _put(stack, "feb-3", "2024-01-20")  # moved to January: February shrinks from its third post

    site = stack.site_objects()
    assert _walk(site, "tags/news/") == [*FEBRUARY[:2:-1], "feb-2", "feb-1", "a-early", "feb-3"]
    assert site == _rebuilt(stack)
    assert not _broken_links(site)


@contextmanager
def _called(operation: str) -> Iterator[list[str]]:
    """The keys (or prefixes) of the S3 `operation` calls made inside the block."""
    called: list[str] = []

    def note(params: dict[str, Any], **_: Any) -> None:
        called.append(params.get("Key") or params["Prefix"])

    events = wiring.aws_session().events
    events.register(f"provide-client-params.s3.{operation}", note, unique_id="test-calls")
    wiring.reset()  # the functions' clients copy the session's events when they are made
    try:
        yield called
    finally:
        events.unregister(f"provide-client-params.s3.{operation}", unique_id="test-calls")
        wiring.reset()


def _under(keys: list[str], prefix: str) -> list[str]:
    return [key for key in keys if key.startswith(prefix)]


def test_a_tag_that_grows_removes_no_pages_so_lists_none(stack: LocalStack) -> None:
    _publish(stack)

    with _called("ListObjectsV2") as listed:
        _put(stack, "feb-28", "2024-02-28")

    # The tag's card says how many pages it had: none to list, none to remove.
    assert _under(listed, "tags/news/") == []
    site = stack.site_objects()
    assert _walk(site, "tags/news/")[0] == "feb-28"
    assert json.loads(site["tags/news/tag.json"])["pages"] == 3  # nine posts, three a page


def test_a_post_above_every_numbered_page_of_a_tag_that_keeps_its_count_writes_its_first_page_only(
    stack: LocalStack,
) -> None:
    _publish(stack)  # eight posts: the first page, then pages 1 and 2 from the oldest

    with _called("PutObject") as written:
        _put(stack, "feb-28", "2024-02-28")  # nine: still three pages, the numbered ones full

    assert _under(written, "tags/news/") == ["tags/news/index.html"]
    site = stack.site_objects()
    assert _walk(site, "tags/news/") == ["feb-28", *FEBRUARY[::-1]]
    assert site == _rebuilt(stack)


def test_a_tag_render_that_stopped_between_its_card_and_its_pages_is_finished_by_its_retry(
    stack: LocalStack,
) -> None:
    _publish(stack)
    _put(stack, "feb-20", "2024-02-20")  # nine posts, three pages

    # The tenth post gives the tag a fourth page. Its card counts four before the pages are
    # written; the first try stops at the new page, so the card is ahead of the pages.
    with refused(
        "before-call.s3.PutObject",
        lambda params: params["url_path"].endswith("/tags/news/page/3/index.html"),
        ACCESS_DENIED,
        times=1,
    ):
        _put(stack, "feb-28", "2024-02-28")

    site = stack.site_objects()
    assert _pages(site, "tags/news/page/")[-1] == "tags/news/page/3/index.html"
    assert not _broken_links(site)
    assert site == _rebuilt(stack)


def test_a_tag_render_whose_read_was_overtaken_writes_its_numbered_pages_again(
    stack: LocalStack,
) -> None:
    _publish(stack)
    _put(stack, "feb-20", "2024-02-20")
    _put(stack, "feb-28", "2024-02-28")  # ten posts: a fourth page
    renderer = stack.renderer()
    since = order_key(datetime(2024, 2, 28, tzinfo=UTC), "feb-28")
    stale_read = stack.index.tag_tail(
        "news", since, lambda older, total: rewrite_from(older, total, PAGE_SIZE)
    )
    # A slow renderer of the tenth post read the card when it still counted three pages,
    # and the tag before a back-dated post came, which moves every numbered page by one.
    s3 = stack.session.client("s3")
    card = json.dumps({"name": "news", "pages": 3}).encode()
    s3.put_object(Bucket=stack.site_bucket, Key="tags/news/tag.json", Body=card)
    _put(stack, "a-early", "2024-02-01")

    slow = replace(renderer, catalog=FirstReadBeforeTheCommit(stack.index, "tag_tail", stale_read))
    slow.write_tag("news", since, first_try=True)

    # Its first write put pages from before the back-dated post; its second read found the
    # card's count, but still writes the numbered pages again, since its own were stale.
    site = stack.site_objects()
    assert _walk(site, "tags/news/")[-2:] == ["feb-1", "a-early"]
    assert site == _rebuilt(stack)


def test_a_tag_written_last_from_a_read_before_it_shrank_leaves_no_page_beyond_its_end(
    stack: LocalStack,
) -> None:
    _publish(stack)
    renderer = stack.renderer()
    stale_read = stack.index.tag_tail("news", "", lambda older, total: 0)
    assert _pages(stack.site_objects(), "tags/news/page/") != []

    # Meanwhile five posts go, and their renderer takes the tag down to one page.
    _delete(stack, FEBRUARY[3:])
    assert _pages(stack.site_objects(), "tags/news/page/") == []

    # The slower renderer read the tag before those commits, and writes last: its pages
    # and its card's count grow back for a moment, then settle to the tag as it is.
    slow = replace(renderer, catalog=FirstReadBeforeTheCommit(stack.index, "tag_tail", stale_read))
    slow.write_tag("news")

    site = stack.site_objects()
    assert _pages(site, "tags/news/") == ["tags/news/index.html"]
    assert _walk(site, "tags/news/") == FEBRUARY[2::-1]
    assert json.loads(site["tags/news/tag.json"]) == {"name": "news", "pages": 1}


def _walk_home(site: dict[str, bytes]) -> tuple[list[str], list[str], str | None]:
    """The home page's pages in the order "Older" leads through them (each page's "Newer"
    checked to lead back), the posts they show, and where the last one's "Older" goes."""
    paths, slugs, path = [], [], ""
    while True:
        paths.append(path)
        page = read_page(site[page_object_key(path)].decode())
        slugs += [link.split("/")[2] for link in page.links() if link.startswith("/posts/")]
        older = [attrs["href"] for _, attrs in page.attributes if attrs.get("rel") == "next"]
        if not older or not older[0].startswith("/page/"):
            return paths, slugs, older[0] if older else None
        after = read_page(site[page_object_key(older[0][1:])].decode())
        assert after.first("a", rel="prev")["href"] == f"/{path}"
        path = older[0][1:]


def test_the_home_page_goes_on_over_pages_counted_from_the_newest_then_by_month(
    stack: LocalStack,
) -> None:
    s3 = stack.session.client("s3")
    s3.put_object(
        Bucket=stack.content_bucket,
        Key="pressroom.yaml",
        Body=b"title: Harbour\nhome_page_size: 2\n",
    )
    _publish(stack)  # nine posts: five pages of two, the last with one

    paths, slugs, beyond = _walk_home(stack.site_objects())
    assert paths == ["", "page/2/", "page/3/", "page/4/", "page/5/"]
    assert slugs == [*FEBRUARY[::-1], "jan"]
    assert beyond is None

    for day in (20, 21):  # eleven: the pages are full, and the list goes on in January
        _put(stack, f"feb-{day}", f"2024-02-{day}")
    site = stack.site_objects()
    paths, slugs, beyond = _walk_home(site)
    assert len(paths) == HOME_PAGES and slugs == ["feb-21", "feb-20", *FEBRUARY[::-1]]
    assert beyond == "/archive/2024/01/"
    assert site == _rebuilt(stack)

    _delete(stack, ["feb-20", "feb-21", *FEBRUARY[2:]])  # three: two pages, the rest go
    site = stack.site_objects()
    assert _walk_home(site) == (["", "page/2/"], ["feb-2", "feb-1", "jan"], None)
    assert _pages(site, "page/") == ["page/2/index.html"]
    assert not _broken_links(site)


def test_on_a_site_of_a_post_a_month_the_home_pages_read_a_few_months_more_then_go_on_by_month(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(renderer_module, "HOME_MORE_MONTHS", 2)
    s3 = stack.session.client("s3")
    settings = b"title: Harbour\nhome_page_size: 2\nfeed_size: 2\n"
    s3.put_object(Bucket=stack.content_bucket, Key="pressroom.yaml", Body=settings)
    months = [f"m{month}" for month in range(1, 9)]
    for month, slug in enumerate(months, start=1):
        body = f"---\ntitle: {slug}\ndate: 2023-{month:02d}-10\n---\n\nBody.\n"
        s3.put_object(Bucket=stack.content_bucket, Key=f"{slug}.md", Body=body.encode())
    stack.router.drain()

    # The home page and feed need three posts, three months; two months more give five.
    site = stack.site_objects()
    paths, slugs, beyond = _walk_home(site)
    assert paths == ["", "page/2/", "page/3/"]
    assert slugs == months[:2:-1]
    assert beyond == "/archive/"
    assert not _broken_links(site)
    assert site == _rebuilt(stack)


def test_a_new_post_that_adds_no_month_file_writes_none_of_the_sites_indexes(
    stack: LocalStack,
) -> None:
    _publish(stack)

    with _called("PutObject") as written:
        _put(stack, "jan-20", "2024-01-20", tags="[other]")  # January's files hold two

    assert SITE_INDEXES.isdisjoint(written)
    assert stack.site_objects() == _rebuilt(stack)


def test_a_site_without_its_indexes_has_them_again_after_its_next_new_post(
    stack: LocalStack,
) -> None:
    _publish(stack)
    s3 = stack.session.client("s3")
    for key in SITE_INDEXES:
        s3.delete_object(Bucket=stack.site_bucket, Key=key)

    _put(stack, "jan-20", "2024-01-20", tags="[other]")

    site = stack.site_objects()
    assert site.keys() >= SITE_INDEXES
    assert site == _rebuilt(stack)
