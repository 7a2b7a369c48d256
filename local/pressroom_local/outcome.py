"""What `status`, `--watch` and `publish` say of a file's outcome, in the same words."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from pressroom.config import SiteConfig
from pressroom.indexing import SourceStatus
from pressroom.models import format_instant, is_config_name

if TYPE_CHECKING:
    from pressroom.adapters.dynamodb import DynamoPostIndex

PREVIEWED = frozenset({"draft", "scheduled"})
"""Statuses of files that a preview (`--drafts`) renders besides the published ones."""


def on_site(status: SourceStatus, *, drafts: bool = False) -> bool:
    """Whether the file has a page or is on the site: published, or in a preview a draft or
    a post scheduled for later."""
    return status.status == "published" or (drafts and status.status in PREVIEWED)


def placed(statuses: Iterable[SourceStatus], index: DynamoPostIndex) -> list[SourceStatus]:
    """The statuses with each published post's `path` where the site's post URL style puts
    it (`SiteConfig.page_path`), which the index does not know: read, when a style is set,
    from the post's item and the site's settings as the renderer reads them."""
    statuses = list(statuses)
    styled = [status for status in statuses if _may_be_styled(status)]
    if not styled:
        return statuses
    site = SiteConfig().with_settings(index.site_entries().settings)
    if site.permalink is None:
        return statuses
    paths = {}
    for status in styled:
        assert status.slug is not None
        record = index.post(status.slug)
        if record is not None and record.published is not None:
            paths[status.source_key] = site.page_path(record.published)
    return [
        status.model_copy(update={"path": paths[status.source_key]})
        if status.source_key in paths
        else status
        for status in statuses
    ]


def _may_be_styled(status: SourceStatus) -> bool:
    # A published post with no URL of its own; an asset's name starts with `/`.
    slug = status.slug
    return (
        status.status == "published"
        and status.path is None
        and slug is not None
        and not slug.startswith("/")
        and not is_config_name(slug)
    )


def when(status: SourceStatus) -> str:
    """When a file's status changes by itself, as a note: a scheduled post's publish time,
    a published post's expiry."""
    if status.until is None:
        return ""
    moment = format_instant(status.until)
    return f" (published at {moment})" if status.status == "scheduled" else f" (until {moment})"
