"""The renderer's job: project index changes onto the site bucket."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pressroom.config import SiteConfig
from pressroom.indexing import PostRecord
from pressroom.models import PostSummary
from pressroom.ports import DocumentStore, PostCatalog, SiteStore
from pressroom.site import (
    HTML_CONTENT_TYPE,
    Theme,
    page_object_key,
    post_path,
    render_home_page,
    render_post_page,
)


@dataclass(frozen=True)
class PostChange:
    """A post item before and after one index write (a DynamoDB stream record)."""

    old: PostRecord | None
    new: PostRecord | None

    @property
    def was_published(self) -> bool:
        return self.old is not None and self.old.published is not None

    @property
    def is_published(self) -> bool:
        return self.published is not None

    @property
    def published(self) -> PostSummary | None:
        """The post as it is published after the change, if it is."""
        return self.new.published if self.new is not None else None

    @property
    def needs_page(self) -> bool:
        """The page must be (re)written: newly published, or published with new content."""
        old = self.old.published if self.old is not None else None
        return self.published is not None and self.published != old

    @property
    def slug(self) -> str:
        record = self.new or self.old
        assert record is not None
        return record.slug


@dataclass(frozen=True)
class RendererService:
    catalog: PostCatalog
    documents: DocumentStore
    site: SiteStore
    config: SiteConfig
    theme: Theme

    def render_post(self, change: PostChange) -> None:
        """Write or remove one post's page."""
        key = page_object_key(post_path(change.slug))
        if change.needs_page:
            post = change.published
            assert post is not None
            # The index's date wins: an undated post is dated by its file's first upload.
            document = self.documents.get(post.document_key).model_copy(update={"date": post.date})
            html = render_post_page(document, self.config, self.theme)
            self.site.put(key, html.encode("utf-8"), HTML_CONTENT_TYPE)
        elif change.was_published and not change.is_published:
            self.site.delete(key)

    def render_listings(self, changes: Sequence[PostChange]) -> None:
        """Re-render, once, each listing page that the batch's changes appear on."""
        # A new post item (even a draft or a tombstone) renders the home page too, so that
        # every site that has ever had a post has one, however its events were ordered.
        if not any(
            change.was_published or change.is_published or change.old is None for change in changes
        ):
            return
        posts = self._newest(changes, self.config.home_size)
        html = render_home_page(posts, self.config, self.theme)
        self.site.put(page_object_key(""), html.encode("utf-8"), HTML_CONTENT_TYPE)

    def _newest(self, changes: Sequence[PostChange], limit: int) -> list[PostSummary]:
        """The newest posts, with this batch's own changes laid over the listing index.

        The listing index is a GSI, and GSIs are eventually consistent: the
        stream can deliver a write before the GSI shows it. The batch knows
        its own writes, so it applies them itself.
        """
        # A batch can hold several changes of one slug, in stream order: the last one stands.
        latest = {change.slug: change for change in changes}
        listed = [
            post
            for post in self.catalog.newest_posts(limit + len(latest))
            if post.slug not in latest
        ]
        listed += [change.published for change in latest.values() if change.published is not None]
        listed.sort(key=lambda post: (post.date, post.slug), reverse=True)
        return listed[:limit]
