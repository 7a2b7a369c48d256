"""`pressroom check DIR`: the links and images of a folder's posts that would not resolve
on the site the folder makes. Pure: the folder's validated files in, warnings out."""

from __future__ import annotations

import html
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

from pressroom.bodies import rebase_relative_links
from pressroom.config import SiteConfig
from pressroom.markdown import link_targets
from pressroom.models import AssetSummary, Issue, PostDocument, SiteSettings
from pressroom.site import (
    ARCHIVE_INDEX_PATH,
    CATEGORIES,
    SEARCH_PAGE_PATH,
    TAGS_INDEX_PATH,
    archive_path,
    category_path,
    tag_path,
)
from pressroom.syndication import FEED_KEY, SEARCH_MANIFEST_KEY, SITEMAP_INDEX_KEY

_SITE_FILES = frozenset(
    {"", FEED_KEY, SITEMAP_INDEX_KEY, SEARCH_MANIFEST_KEY, "404.html"}
    | {ARCHIVE_INDEX_PATH, TAGS_INDEX_PATH, CATEGORIES.folder, SEARCH_PAGE_PATH}
)
_CHECKED_SITE = SiteConfig(base_url="https://site.invalid/")
"""Links are checked as site paths; the site's own address plays no part."""


def site_paths(
    documents: Iterable[PostDocument],
    assets: Iterable[AssetSummary],
    site: SiteConfig = _CHECKED_SITE,
) -> frozenset[str]:
    """Every site path the files make: pages and their old URLs (placed by the site's
    post URL style, if `site` has one), the listings of published posts, the static files,
    and the site's own files."""
    paths = set(_SITE_FILES)
    for document in documents:
        if document.draft:
            continue
        paths |= {site.page_path(document), *site.redirects(document)}
        if document.listed:
            paths.add(archive_path(document.date.year, document.date.month))
            paths |= {tag_path(tag) for tag in document.tags}
            paths |= {category_path(category) for category in document.categories}
    paths |= {asset.path for asset in assets}
    return frozenset(paths)


def unresolved_links(
    document: PostDocument, paths: frozenset[str], lines_before: int
) -> list[Issue]:
    """A warning for each site-relative link or image of `document` that no path in
    `paths` answers, with its line in the file (`lines_before` the body's first line)."""
    warnings: list[Issue] = []
    for line, written in link_targets(document.body_markdown):
        address = html.unescape(written)
        rebased = html.unescape(rebase_relative_links(f' href="{written}"', document.source_key))[
            7:-1
        ]
        parts = urlsplit(rebased)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        if not _answers(paths, unquote(parts.path).lstrip("/")):
            warnings.append(
                Issue(
                    field="links",
                    message=f"{address[:120]!r} leads nowhere on this site: no file or page "
                    f"is at /{unquote(parts.path).lstrip('/')[:120]}",
                    line=line + lines_before if line else None,
                )
            )
    return warnings


def unresolved_menu_links(
    settings: SiteSettings, paths: frozenset[str], menu_line: int | None
) -> list[Issue]:
    """A warning for each entry of the configuration's menu that leads to a site path no
    file or page of the folder makes (`menu_line`: the `menu` key's line)."""
    return [
        Issue(
            field=f"menu.{position}.url",
            message=f"{entry.name!r} leads nowhere on this site: no file or page is at "
            f"{entry.url[:120]}",
            line=menu_line,
        )
        for position, entry in enumerate(settings.menu)
        if entry.url.startswith("/")
        and not _answers(paths, unquote(urlsplit(entry.url).path).lstrip("/"))
    ]


def _answers(paths: frozenset[str], path: str) -> bool:
    """Whether the site serves something at `path`, as CloudFront does: a directory's
    `index.html`, and `x` redirected to `x/`."""
    if path.endswith("index.html"):
        path = path.removesuffix("index.html")
    return path in paths or f"{path}/" in paths
