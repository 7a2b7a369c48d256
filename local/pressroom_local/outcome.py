"""What `status`, `--watch` and `publish` say of a file's outcome, in the same words."""

from __future__ import annotations

from pressroom.indexing import SourceStatus
from pressroom.models import format_instant

PREVIEWED = frozenset({"draft", "scheduled"})
"""Statuses of files that a preview (`--drafts`) renders besides the published ones."""


def on_site(status: SourceStatus, *, drafts: bool = False) -> bool:
    """Whether the file has a page or is on the site: published, or in a preview a draft or
    a post scheduled for later."""
    return status.status == "published" or (drafts and status.status in PREVIEWED)


def when(status: SourceStatus) -> str:
    """When a file's status changes by itself, as a note: a scheduled post's publish time,
    a published post's expiry."""
    if status.until is None:
        return ""
    moment = format_instant(status.until)
    return f" (published at {moment})" if status.status == "scheduled" else f" (until {moment})"
