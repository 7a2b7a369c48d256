"""The site's machine-readable files: the Atom feed, the sitemaps and the search index.

Each is bounded like the pages are: the feed shows the newest posts, and the
sitemaps and search index are split by month, so one upload rewrites the
files of its own month and two small indexes, whatever the site's size.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from xml.etree import ElementTree as ET  # nosec B405 - builds documents, never parses input

from pressroom.config import SiteConfig
from pressroom.models import PostSummary, format_instant
from pressroom.site import post_path

FEED_KEY = "feed.xml"
SITEMAP_INDEX_KEY = "sitemap.xml"
PAGES_SITEMAP_KEY = "sitemaps/pages.xml"
SEARCH_MANIFEST_KEY = "search.json"
ATOM_CONTENT_TYPE = "application/atom+xml; charset=utf-8"
XML_CONTENT_TYPE = "application/xml; charset=utf-8"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"

_ATOM = "http://www.w3.org/2005/Atom"
_SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
_XML = "http://www.w3.org/XML/1998/namespace"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Month = tuple[int, int]
"""(year, month), e.g. (2020, 10)."""


def month_sitemap_key(month: Month) -> str:
    return f"sitemaps/{month[0]:04d}-{month[1]:02d}.xml"


def month_search_key(month: Month) -> str:
    return f"search/{month[0]:04d}-{month[1]:02d}.json"


def render_feed(posts: Sequence[PostSummary], site: SiteConfig) -> bytes:
    """An Atom feed of `posts`, newest first. Its `updated` is the newest post's, so an
    unchanged site gives a byte-identical feed."""
    ET.register_namespace("", _ATOM)
    feed = ET.Element(f"{{{_ATOM}}}feed", {f"{{{_XML}}}lang": site.language})
    _text(feed, "title", site.title)
    if site.description:
        _text(feed, "subtitle", site.description)
    _text(feed, "id", site.url(""))
    _link(feed, site.url(""), rel="alternate", type="text/html")
    _link(feed, site.url(FEED_KEY), rel="self", type="application/atom+xml")
    newest = max((_last_change(post) for post in posts), default=_EPOCH)
    _text(feed, "updated", format_instant(newest))
    author = ET.SubElement(feed, f"{{{_ATOM}}}author")
    _text(author, "name", site.title)
    _text(feed, "generator", "Pressroom")
    for post in posts:
        url = site.url(post_path(post.slug))
        entry = ET.SubElement(feed, f"{{{_ATOM}}}entry")
        _text(entry, "title", post.title)
        _link(entry, url, rel="alternate", type="text/html")
        _text(entry, "id", url)
        _text(entry, "published", format_instant(post.date))
        _text(entry, "updated", format_instant(_last_change(post)))
        if post.description:
            _text(entry, "summary", post.description)
        for tag in post.tags:
            ET.SubElement(entry, f"{{{_ATOM}}}category", {"term": tag})
    return _document(feed)


def render_sitemap_index(months: Iterable[Month], site: SiteConfig) -> bytes:
    """The sitemap index: the site's own pages, then one child sitemap per month with posts."""
    ET.register_namespace("", _SITEMAP)
    index = ET.Element(f"{{{_SITEMAP}}}sitemapindex")
    for key in [PAGES_SITEMAP_KEY, *(month_sitemap_key(month) for month in months)]:
        sitemap = ET.SubElement(index, f"{{{_SITEMAP}}}sitemap")
        ET.SubElement(sitemap, f"{{{_SITEMAP}}}loc").text = site.url(key)
    return _document(index)


def render_pages_sitemap(site: SiteConfig) -> bytes:
    return _urlset([(site.url(""), None)])


def render_month_sitemap(posts: Sequence[PostSummary], site: SiteConfig) -> bytes:
    return _urlset([(site.url(post_path(post.slug)), _last_change(post)) for post in posts])


def render_search_manifest(months: Iterable[Month]) -> bytes:
    """`search.json`: where the search index's monthly shards are, newest first."""
    return _json({"shards": [month_search_key(month) for month in months]})


def render_search_shard(posts: Sequence[PostSummary], site: SiteConfig) -> bytes:
    """One month of the search index: what a client-side search needs of each post."""
    return _json(
        [
            {
                "title": post.title,
                "url": site.path(post_path(post.slug)),
                "date": format_instant(post.date),
                "tags": list(post.tags),
                "description": post.description,
            }
            for post in posts
        ]
    )


def _last_change(post: PostSummary) -> datetime:
    return max(post.date, post.updated) if post.updated else post.date


def _urlset(urls: Sequence[tuple[str, datetime | None]]) -> bytes:
    ET.register_namespace("", _SITEMAP)
    urlset = ET.Element(f"{{{_SITEMAP}}}urlset")
    for location, modified in urls:
        url = ET.SubElement(urlset, f"{{{_SITEMAP}}}url")
        ET.SubElement(url, f"{{{_SITEMAP}}}loc").text = location
        if modified is not None:
            ET.SubElement(url, f"{{{_SITEMAP}}}lastmod").text = format_instant(modified)
    return _document(urlset)


def _text(parent: ET.Element, name: str, value: str) -> None:
    ET.SubElement(parent, f"{{{_ATOM}}}{name}").text = value


def _link(parent: ET.Element, href: str, **attributes: str) -> None:
    ET.SubElement(parent, f"{{{_ATOM}}}link", {"href": href, **attributes})


def _document(root: ET.Element) -> bytes:
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document + b"\n"


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
