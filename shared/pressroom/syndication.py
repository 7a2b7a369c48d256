"""The site's machine-readable files: the Atom feed, the sitemaps and the search index.

Each is bounded like the pages are: the feed shows the newest posts, and the
sitemaps and search index are split by month, and a month into files of a
fixed size (`SITEMAP_URLS_PER_FILE`, `SEARCH_RECORDS_PER_SHARD`), counted
from the month's oldest post: the first keeps the month's own key
(`sitemaps/2020-10.xml`), the next are numbered (`sitemaps/2020-10-2.xml`).
One upload rewrites the files of its own month from the one that holds its
post on and, when their keys change, two small indexes that list them all. The
indexes are made from the keys in the site bucket, not from the index.

Each post's part of a file (feed entry, sitemap URL, search record) is kept
as text once written (see `pressroom.fragments`), and a file is the join of
its posts' parts. The XML is written as ElementTree writes an indented tree,
byte for byte, without building the tree.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from functools import lru_cache, partial

from pressroom.config import SiteConfig
from pressroom.fragments import Fragments
from pressroom.listings import ListingTail, part_start
from pressroom.models import PostSummary, format_instant

FEED_KEY = "feed.xml"
SITEMAP_INDEX_KEY = "sitemap.xml"
SITEMAPS_FOLDER = "sitemaps/"
PAGES_SITEMAP_KEY = f"{SITEMAPS_FOLDER}pages.xml"
SEARCH_MANIFEST_KEY = "search.json"
SEARCH_FOLDER = "search/"
ATOM_CONTENT_TYPE = "application/atom+xml; charset=utf-8"
XML_CONTENT_TYPE = "application/xml; charset=utf-8"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"

_ATOM = "http://www.w3.org/2005/Atom"
_SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_INDENT = "  "

Month = tuple[int, int]
"""(year, month), e.g. (2020, 10)."""


SITEMAP_URLS_PER_FILE = 1_000
"""URLs in one file of a month's sitemap. The protocol allows 50,000 (and 50 MB); a file of
a thousand (about 150 KB) is quick to rewrite on every upload to its month."""
SEARCH_RECORDS_PER_SHARD = 500
"""Records in one shard of the search index (about 150 KB with descriptions): a search
fetches shards whole, so each stays small enough to fetch on a phone."""


def month_sitemap_key(month: Month, part: int = 1) -> str:
    """`sitemaps/2020-10.xml`, then `sitemaps/2020-10-2.xml`, …: parts are counted from the
    month's oldest post, so a new post rewrites only its month's newest part."""
    return f"{SITEMAPS_FOLDER}{_month_part(month, part)}.xml"


def month_search_key(month: Month, part: int = 1) -> str:
    """`search/2020-10.json`, then `search/2020-10-2.json`, …"""
    return f"{SEARCH_FOLDER}{_month_part(month, part)}.json"


def month_file_prefixes(month: Month) -> tuple[str, str]:
    """The prefixes of a month's sitemap files and search shards: every key under them is
    one of its files (a month's name is of fixed length, so no other month shares them)."""
    name = _month_part(month, 1)
    return f"{SITEMAPS_FOLDER}{name}", f"{SEARCH_FOLDER}{name}"


def _month_part(month: Month, part: int) -> str:
    name = f"{month[0]:04d}-{month[1]:02d}"
    return name if part == 1 else f"{name}-{part}"


def month_files(keys: Iterable[str]) -> tuple[str, ...]:
    """The month sitemap files and search shards among `keys` (a site bucket listing), each
    kind newest month first and a month's newest part first; any other key is left out."""
    found: list[tuple[str, int, int, int, str]] = []
    for key in keys:
        match = _MONTH_FILE.fullmatch(key)
        if match is None:
            continue
        year, month, part = int(match["year"]), int(match["month"]), int(match["part"] or 1)
        # Only a key this module would write: no part 1 by number, no sitemap in JSON.
        if key in (month_sitemap_key((year, month), part), month_search_key((year, month), part)):
            found.append((match["folder"], -year, -month, -part, key))
    return tuple(key for *_, key in sorted(found))


_MONTH_FILE = re.compile(
    r"(?P<folder>[a-z]+/)(?P<year>\d{4})-(?P<month>\d{2})(?:-(?P<part>\d+))?\.[a-z]+"
)


def months_of(month_files: Iterable[str]) -> list[Month]:
    """The months that `month_files` (`month_files`' answer) hold files of, newest first."""
    months = {
        (int(found["year"]), int(found["month"]))
        for key in month_files
        if (found := _MONTH_FILE.fullmatch(key))
    }
    return sorted(months, reverse=True)


def render_feed(posts: Sequence[PostSummary], site: SiteConfig) -> bytes:
    """An Atom feed of `posts`, newest first. Its `updated` is the newest post's, so an
    unchanged site gives a byte-identical feed."""
    newest = max((_changed(site.when(post), post.updated) for post in posts), default=_EPOCH)
    children = [_leaf("title", site.title)]
    if site.description:
        children.append(_leaf("subtitle", site.description))
    children += [
        _leaf("id", site.url("")),
        _empty("link", href=site.url(""), rel="alternate", type="text/html"),
        _empty("link", href=site.url(FEED_KEY), rel="self", type="application/atom+xml"),
        _leaf("updated", format_instant(newest)),
        _branch("author", [_leaf("name", site.author or site.title, level=2)]),
        _leaf("generator", "Pressroom"),
    ]
    entries = _post_parts(site).feed_entries
    children += [
        entries[
            site.page_path(post),
            post.title,
            site.when(post),
            post.updated,
            post.shown_summary,
            _terms(post),
        ]
        for post in posts
    ]
    return _document("feed", _ATOM, children, {"xml:lang": site.language})


def render_sitemap_index(month_sitemaps: Iterable[str], site: SiteConfig) -> bytes:
    """The sitemap index: the site's own pages, then each month sitemap file (by key)."""
    return _sitemap_index(tuple(month_sitemaps), site)


# The month files change only when a month's posts cross a file's size, and each new post
# writes the two files that list them: the latest of each is kept.


@lru_cache(maxsize=1)
def _sitemap_index(month_sitemaps: tuple[str, ...], site: SiteConfig) -> bytes:
    keys = [PAGES_SITEMAP_KEY, *month_sitemaps]
    sitemaps = [_branch("sitemap", [_leaf("loc", site.url(key), level=2)]) for key in keys]
    return _document("sitemapindex", _SITEMAP, sitemaps)


def render_pages_sitemap(site: SiteConfig) -> bytes:
    """The home page and the site's pages (`SiteConfig.pages`)."""
    pages = [_url(site.url(page.page_path), page.updated or page.date) for page in site.pages]
    return _document("urlset", _SITEMAP, [_url(site.url(""), None), *pages])


def render_month_sitemaps(
    month: Month, posts: ListingTail[PostSummary], site: SiteConfig
) -> dict[str, bytes]:
    """The files of a month's sitemap that `posts` holds whole, `SITEMAP_URLS_PER_FILE`
    URLs each, by key."""
    return {
        month_sitemap_key(month, part): render_month_sitemap(urls, site)
        for part, urls in _parts(posts, SITEMAP_URLS_PER_FILE)
    }


def month_file_keys(month: Month, total: int) -> tuple[set[str], set[str]]:
    """The keys of every sitemap file and search shard a month of `total` posts has."""
    sitemaps = -(-total // SITEMAP_URLS_PER_FILE)
    shards = -(-total // SEARCH_RECORDS_PER_SHARD)
    return (
        {month_sitemap_key(month, part) for part in range(1, sitemaps + 1)},
        {month_search_key(month, part) for part in range(1, shards + 1)},
    )


def month_files_start(older: int) -> int:
    """Where a month's files must be written again from, after a change at a place with
    `older` posts before it: the start of the sitemap file or search shard that holds it,
    whichever is earlier."""
    return min(
        part_start(older, SITEMAP_URLS_PER_FILE), part_start(older, SEARCH_RECORDS_PER_SHARD)
    )


def _parts(posts: ListingTail[PostSummary], size: int) -> Iterator[tuple[int, list[PostSummary]]]:
    """Each part of `size` posts (the newest may hold fewer) that starts inside `posts`,
    numbered from the oldest, with its posts newest first."""
    for part in range(-(-posts.start // size) + 1, -(-posts.total // size) + 1):
        yield part, posts.newest_first((part - 1) * size, min(part * size, posts.total))


def render_month_sitemap(posts: Sequence[PostSummary], site: SiteConfig) -> bytes:
    urls = _post_parts(site).sitemap_urls
    return _document(
        "urlset",
        _SITEMAP,
        [urls[site.page_path(post), site.when(post), post.updated] for post in posts],
    )


def render_search_manifest(shards: Iterable[str]) -> bytes:
    """`search.json`: the keys of the search index's shards, newest month first."""
    return _search_manifest(tuple(shards))


@lru_cache(maxsize=1)
def _search_manifest(shards: tuple[str, ...]) -> bytes:
    return _json_text({"shards": list(shards)}).encode("utf-8")


def render_search_shards(
    month: Month, posts: ListingTail[PostSummary], site: SiteConfig
) -> dict[str, bytes]:
    """The shards of a month's search index that `posts` holds whole,
    `SEARCH_RECORDS_PER_SHARD` records each, by key."""
    return {
        month_search_key(month, part): render_search_shard(records, site)
        for part, records in _parts(posts, SEARCH_RECORDS_PER_SHARD)
    }


def render_search_shard(posts: Sequence[PostSummary], site: SiteConfig) -> bytes:
    """One month of the search index: what a client-side search needs of each post."""
    records = _post_parts(site).search_records
    shard = ",".join(
        [
            records[
                site.page_path(post), post.title, site.when(post), post.tags, post.shown_summary
            ]
            for post in posts
        ]
    )
    return f"[{shard}]".encode()


# Each post's part of a file, kept by what it shows (as plain tuples: one is built for
# every post of every file written, and a lookup must cost far less than the part).

_FeedKey = tuple[str, str, datetime, datetime | None, str | None, tuple[str, ...]]
"""page path, title, date, updated, summary, tags."""
_SitemapKey = tuple[str, datetime, datetime | None]
"""page path, date, updated."""
_SearchKey = tuple[str, str, datetime, tuple[str, ...], str | None]
"""page path, title, date, tags, description."""


# Bytes of text and keys: the feed's posts and then some; the sitemap URLs (about 400 bytes
# each) and search records (about 1 KiB) of some 25,000 posts, as for list entries
# (site.LISTING_ENTRIES_BUDGET_BYTES): a back catalogue rewrites its months in any order.
# With room for five thousand, a random-date import of 10,000 posts re-rendered them: in
# its last tenth, 3.53 ms a post in the pure pipeline against 2.70 with these
# (`python -m bench.catalogue --posts 10000`).
FEED_ENTRIES_BUDGET_BYTES = 256 * 1024
SITEMAP_URLS_BUDGET_BYTES = 10 * 1024 * 1024
SEARCH_RECORDS_BUDGET_BYTES = 24 * 1024 * 1024


class _PostParts:
    """One site's posts' feed entries, sitemap URLs and search records, kept from render
    to render."""

    def __init__(self, site: SiteConfig) -> None:
        self.feed_entries = Fragments[_FeedKey](
            partial(_feed_entry, site), FEED_ENTRIES_BUDGET_BYTES
        )
        self.sitemap_urls = Fragments[_SitemapKey](
            partial(_sitemap_url, site), SITEMAP_URLS_BUDGET_BYTES
        )
        self.search_records = Fragments[_SearchKey](
            partial(_search_record, site), SEARCH_RECORDS_BUDGET_BYTES
        )


@lru_cache(maxsize=1)
def _post_parts(site: SiteConfig) -> _PostParts:
    # A renderer publishes one site: another site's parts start afresh.
    return _PostParts(site)


def _terms(post: PostSummary) -> tuple[str, ...]:
    """A feed entry's categories: Atom has one kind, so the post's categories, then its
    tags."""
    return tuple(dict.fromkeys((*post.categories, *post.tags)))


def _feed_entry(site: SiteConfig, key: _FeedKey) -> str:
    path, title, date, updated, summary, tags = key
    url = site.url(path)
    children = [
        _leaf("title", title, level=2),
        _empty("link", level=2, href=url, rel="alternate", type="text/html"),
        _leaf("id", url, level=2),
        _leaf("published", format_instant(date), level=2),
        _leaf("updated", format_instant(_changed(date, updated)), level=2),
    ]
    if summary:
        children.append(_leaf("summary", summary, level=2))
    children += [_empty("category", level=2, term=tag) for tag in tags]
    return _branch("entry", children)


def _sitemap_url(site: SiteConfig, key: _SitemapKey) -> str:
    path, date, updated = key
    return _url(site.url(path), _changed(date, updated))


def _search_record(site: SiteConfig, key: _SearchKey) -> str:
    path, title, date, tags, description = key
    record = {
        "title": title,
        "url": site.path(path),
        "date": format_instant(date),
        "tags": list(tags),
        "description": description,
    }
    return _json_text(record)


def _changed(date: datetime, updated: datetime | None) -> datetime:
    return max(date, updated) if updated else date


def _url(location: str, modified: datetime | None) -> str:
    children = [_leaf("loc", location, level=2)]
    if modified is not None:
        children.append(_leaf("lastmod", format_instant(modified), level=2))
    return _branch("url", children)


# The XML as ElementTree writes an indented tree (`ET.indent`, then `ET.tostring` with
# a declaration): a document is its elements' lines, two spaces a level.


def _document(
    root: str, namespace: str, children: Sequence[str], attributes: dict[str, str] | None = None
) -> bytes:
    start = f'<{root} xmlns="{namespace}"{_attributes(attributes or {})}'
    element = f"{start}>\n{''.join(children)}</{root}>" if children else f"{start} />"
    document = f"<?xml version='1.0' encoding='utf-8'?>\n{element}\n"
    return document.encode("utf-8", "xmlcharrefreplace")


def _branch(name: str, children: Sequence[str], level: int = 1) -> str:
    """An element of elements, each child a line of its own."""
    indent = _INDENT * level
    return f"{indent}<{name}>\n{''.join(children)}{indent}</{name}>\n"


def _leaf(name: str, text: str | None, level: int = 1) -> str:
    """An element of text only, on one line."""
    indent = _INDENT * level
    if not text:
        return f"{indent}<{name} />\n"
    return f"{indent}<{name}>{_escape_text(text)}</{name}>\n"


def _empty(name: str, level: int = 1, **attributes: str) -> str:
    return f"{_INDENT * level}<{name}{_attributes(attributes)} />\n"


def _attributes(attributes: dict[str, str]) -> str:
    return "".join(f' {name}="{_escape_attribute(value)}"' for name, value in attributes.items())


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attribute(value: str) -> str:
    # Line breaks and tabs as references, so that a parser's attribute normalisation keeps them.
    return (
        _escape_text(value)
        .replace('"', "&quot;")
        .replace("\r", "&#13;")
        .replace("\n", "&#10;")
        .replace("\t", "&#09;")
    )


# One encoder for every record: json.dumps builds a new one whenever options are given.
_JSON_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _json_text(value: object) -> str:
    return _JSON_ENCODER.encode(value)
