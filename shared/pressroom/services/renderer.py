"""The renderer's job: project index changes onto the site bucket."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TypeVar

from pressroom.config import SiteConfig
from pressroom.exceptions import ListingChurnError
from pressroom.indexing import TagEntry
from pressroom.listings import Month, PostChange, plan_listings
from pressroom.models import PostSummary
from pressroom.ports import DocumentStore, PostCatalog, SiteStore
from pressroom.site import (
    HTML_CONTENT_TYPE,
    NOT_FOUND_KEY,
    Theme,
    archive_path,
    page_object_key,
    post_path,
    render_archive_page,
    render_home_page,
    render_not_found_page,
    render_post_page,
    render_tag_page,
    tag_path,
)
from pressroom.syndication import (
    ATOM_CONTENT_TYPE,
    FEED_KEY,
    JSON_CONTENT_TYPE,
    PAGES_SITEMAP_KEY,
    SEARCH_MANIFEST_KEY,
    SITEMAP_INDEX_KEY,
    XML_CONTENT_TYPE,
    month_search_key,
    month_sitemap_key,
    render_feed,
    render_month_sitemap,
    render_pages_sitemap,
    render_search_manifest,
    render_search_shard,
    render_sitemap_index,
)


@dataclass(frozen=True)
class RebuildPlan:
    """What `pressroom rebuild` will write: every published post, month and tag."""

    post_count: int
    months: list[Month]
    tags: list[str]

    @property
    def steps(self) -> int:
        return self.post_count + len(self.months) + len(self.tags) + 1


@dataclass(frozen=True)
class RendererService:
    catalog: PostCatalog
    documents: DocumentStore
    site: SiteStore
    config: SiteConfig
    theme: Theme

    def render_post(self, change: PostChange) -> None:
        """Write or remove one post's page."""
        if change.needs_page:
            assert change.published is not None
            self.write_post_page(change.published)
        elif change.unpublishes:
            self.site.delete(page_object_key(post_path(change.slug)))

    def write_post_page(self, post: PostSummary) -> None:
        # The index's date wins: an undated post is dated by its file's first upload.
        document = self.documents.get(post.document_key).model_copy(update={"date": post.date})
        html = render_post_page(document, self.config, self.theme)
        self._put_html(post_path(post.slug), html)

    def render_listings(self, changes: Sequence[PostChange]) -> None:
        """Re-render, once, each listing that the batch's changes appear on."""
        plan = plan_listings(changes)
        if plan.home:
            self.write_newest()
        months_came_or_went = False
        for month in sorted(plan.months):
            months_came_or_went |= self.write_month(month)
        for tag in sorted(plan.tags):
            self.write_tag(tag)
        if plan.new_items or months_came_or_went:
            self.write_site_indexes()

    def write_newest(self) -> None:
        """The home page and the feed."""
        config = self.config
        size = max(config.home_size, config.feed_size)

        def write(newest: list[PostSummary]) -> None:
            self._put_html("", render_home_page(newest[: config.home_size], config, self.theme))
            self.site.put(
                FEED_KEY, render_feed(newest[: config.feed_size], config), ATOM_CONTENT_TYPE
            )

        _settled(lambda: list(self.catalog.newest_posts(size)), write)

    def write_month(self, month: Month) -> bool:
        """A month's archive page, sitemap and search shard; removed when the month is empty.
        Returns whether the month came or went, which changes the site's indexes."""
        archive = archive_path(*month)
        had_page = any(True for _ in self.site.keys(page_object_key(archive)))
        posts = _settled(
            lambda: list(self.catalog.month_posts(*month)),
            lambda posts: self._write_month(month, posts),
        )
        return had_page != bool(posts)

    def _write_month(self, month: Month, posts: list[PostSummary]) -> None:
        archive = archive_path(*month)
        if not posts:
            for key in (
                page_object_key(archive),
                month_sitemap_key(month),
                month_search_key(month),
            ):
                self.site.delete(key)
            return
        self._put_html(archive, render_archive_page(*month, posts, self.config, self.theme))
        config = self.config
        self.site.put(
            month_sitemap_key(month), render_month_sitemap(posts, config), XML_CONTENT_TYPE
        )
        self.site.put(
            month_search_key(month), render_search_shard(posts, config), JSON_CONTENT_TYPE
        )

    def write_tag(self, tag: str) -> None:
        """A tag's page."""
        size = self.config.tag_page_size

        def write(entries: list[TagEntry]) -> None:
            if not entries:
                self.site.delete(page_object_key(tag_path(tag)))
                return
            html = render_tag_page(
                tag,
                entries[:size],
                truncated=len(entries) > size,
                site=self.config,
                theme=self.theme,
            )
            self._put_html(tag_path(tag), html)

        _settled(lambda: list(self.catalog.tag_entries(tag, size + 1)), write)

    def write_site_indexes(self) -> None:
        """The sitemap index and the search manifest, which list the months; the pages the
        site always has (its own sitemap, the not-found page) ride along."""

        def write(months: list[Month]) -> None:
            self.site.put(
                SITEMAP_INDEX_KEY, render_sitemap_index(months, self.config), XML_CONTENT_TYPE
            )
            pages_sitemap, not_found_page = self._fixed_pages
            self.site.put(PAGES_SITEMAP_KEY, pages_sitemap, XML_CONTENT_TYPE)
            self.site.put(SEARCH_MANIFEST_KEY, render_search_manifest(months), JSON_CONTENT_TYPE)
            self.site.put(NOT_FOUND_KEY, not_found_page, HTML_CONTENT_TYPE)

        _settled(lambda: list(self.catalog.months()), write)

    @cached_property
    def _fixed_pages(self) -> tuple[bytes, bytes]:
        """The pages sitemap and the not-found page, which only the site and theme shape."""
        html = render_not_found_page(self.config, self.theme)
        return render_pages_sitemap(self.config), html.encode("utf-8")

    def plan_rebuild(self) -> RebuildPlan:
        return RebuildPlan(
            post_count=self.catalog.published_count(),
            months=list(self.catalog.months()),
            tags=sorted(self.catalog.tags()),
        )

    def rebuild(self, plan: RebuildPlan) -> Iterator[str]:
        """Re-render every page from the index, yielding each site path as it is written;
        then remove the pages no one would write now."""
        written = _RecordingSite(self.site)
        service = replace(self, site=written)
        for post in self.catalog.published_posts():
            service.write_post_page(post)
            yield post_path(post.slug)
        for month in plan.months:
            service.write_month(month)
            yield archive_path(*month)
        for tag in plan.tags:
            service.write_tag(tag)
            yield tag_path(tag)
        service.write_newest()
        service.write_site_indexes()
        # A rebuild also mends a site whose stream batches were lost (RenderDLQ): a page
        # whose post, month or tag went meanwhile was never removed.
        for prefix in _GENERATED_PREFIXES:
            for key in list(self.site.keys(prefix)):
                if key not in written.written:
                    self.site.delete(key)
        yield ""

    def _put_html(self, path: str, html: str) -> None:
        self.site.put(page_object_key(path), html.encode("utf-8"), HTML_CONTENT_TYPE)


_GENERATED_PREFIXES = ("posts/", "tags/", "archive/", "sitemaps/", "search/")
"""Where the renderer writes one object per post, tag or month."""


class _RecordingSite:
    """A site store that remembers what was written through it."""

    def __init__(self, site: SiteStore) -> None:
        self.site = site
        self.written: set[str] = set()

    def put(self, key: str, body: bytes, content_type: str) -> None:
        self.site.put(key, body, content_type)
        self.written.add(key)

    def delete(self, key: str) -> None:
        self.site.delete(key)
        self.written.discard(key)

    def keys(self, prefix: str) -> Iterator[str]:
        return self.site.keys(prefix)


_Listed = TypeVar("_Listed")

SETTLE_ATTEMPTS = 5
"""Re-renders of one listing in one invocation before the batch is left to its retries."""


def _settled(read: Callable[[], _Listed], write: Callable[[_Listed], None]) -> _Listed:
    """Write a listing from committed state, then read that state again, and write again
    until the two reads agree.

    Renderers on other stream shards may write the same listing at the same
    time from another read. Whichever write lands last was followed by a read
    made after every write before it: if that read differs from what was
    written, its writer writes again. So the last write of a listing is
    always made from the index as it was after the last change to it (see
    docs/architecture.md, "Listings under concurrency").
    """
    listed = read()
    for _ in range(SETTLE_ATTEMPTS):
        write(listed)
        again = read()
        if again == listed:
            return listed
        listed = again
    raise ListingChurnError(
        f"a listing changed under each of {SETTLE_ATTEMPTS} renders; the batch will be retried"
    )
