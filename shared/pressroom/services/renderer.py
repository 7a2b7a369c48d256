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
        return self.old is not None and self.old.status == "published"

    @property
    def is_published(self) -> bool:
        return self.new is not None and self.new.status == "published"

    @property
    def needs_page(self) -> bool:
        """The page must be (re)written: newly published, or published with new content."""
        if not self.is_published:
            return False
        assert self.new is not None
        return not self.was_published or (
            self.old is not None and self.old.post.content_hash != self.new.post.content_hash
        )

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
            assert change.new is not None
            document = self.documents.get(change.new.post.document_key)
            html = render_post_page(document, self.config, self.theme)
            self.site.put(key, html.encode("utf-8"), HTML_CONTENT_TYPE)
        elif change.was_published and not change.is_published:
            self.site.delete(key)

    def render_listings(self, changes: Sequence[PostChange]) -> None:
        """Re-render, once, each listing page that the batch's changes appear on."""
        relevant = [change for change in changes if change.was_published or change.is_published]
        if not relevant:
            return
        posts = self._newest(relevant, self.config.home_size)
        html = render_home_page(posts, self.config, self.theme)
        self.site.put(page_object_key(""), html.encode("utf-8"), HTML_CONTENT_TYPE)

    def _newest(self, changes: Sequence[PostChange], limit: int) -> list[PostSummary]:
        """The newest posts, with this batch's own changes laid over the listing index.

        The listing index is a GSI, and GSIs are eventually consistent: the
        stream can deliver a write before the GSI shows it. The batch knows
        its own writes, so it applies them itself.
        """
        changed = {change.slug for change in changes}
        listed = [
            post
            for post in self.catalog.newest_posts(limit + len(changed))
            if post.slug not in changed
        ]
        listed += [change.new.post for change in changes if change.is_published and change.new]
        listed.sort(key=lambda post: (post.date, post.slug), reverse=True)
        return listed[:limit]
