"""`pressroom publish`: the whole pipeline on the embedded AWS, the site copied out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from pressroom.models import Issue
from pressroom.ports import SourceObject
from pressroom.site import claimed_path
from pressroom.sources import collect_sources
from pressroom.validation import validate_source
from pressroom_local.emulator import embedded_aws
from pressroom_local.outcome import on_site
from pressroom_local.stack import (
    DRAFTS_PREVIEW,
    LocalStack,
    check_site_folder,
    find_project_root,
)

_NEVER = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Rejection:
    path: str
    errors: tuple[Issue, ...]


@dataclass(frozen=True)
class PublishedSource:
    """One source as the pipeline left it: what it is and the site path it became."""

    path: str
    kind: str | None
    """`post`, `asset`, `ignored`; None for a type never published."""
    status: str
    url: str | None
    """`/posts/<slug>/` or the asset's `/<path>`; None when it is not on the site."""


@dataclass(frozen=True)
class PublishReport:
    site: Path
    published: list[str] = field(default_factory=list)
    """Slugs of the posts on the site."""
    drafts: list[str] = field(default_factory=list)
    scheduled: list[str] = field(default_factory=list)
    """Slugs of the posts to be published later (`publishDate`, or a date to come)."""
    rejected: list[Rejection] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    """Site-bucket keys written to `site`."""
    sources: list[PublishedSource] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "site": str(self.site),
            "published": self.published,
            "drafts": self.drafts,
            "scheduled": self.scheduled,
            "rejected": [
                {
                    "path": rejection.path,
                    "errors": [issue.model_dump(mode="json") for issue in rejection.errors],
                }
                for rejection in self.rejected
            ],
            "sources": [vars(source) for source in self.sources],
        }


def publish(
    paths: Sequence[Path],
    site: Path,
    *,
    site_url: str,
    log: TextIO | None = None,
    project_root: Path | None = None,
    drafts: bool = False,
) -> PublishReport:
    """`drafts`: a preview, drafts rendered too (`DRAFTS_PREVIEW`)."""
    sources = collect_sources(paths)
    check_site_folder(site)
    with (
        embedded_aws() as aws,
        LocalStack.create(
            aws.session,
            project_root=project_root or find_project_root(),
            site_url=site_url,
            log=log,
            endpoint_url=aws.endpoint_url,
            environment_overrides=DRAFTS_PREVIEW if drafts else None,
        ) as stack,
    ):
        stack.router.drain()
        stack.upload(sources)
        stack.router.drain()
        pages = stack.export_site(site)
        statuses = stack.statuses(key for key, _ in sources)
    published: list[str] = []
    draft_slugs: list[str] = []
    scheduled: list[str] = []
    rejected: list[Rejection] = []
    described: list[PublishedSource] = []
    for key, path in sources:
        status = statuses[key]
        if status is None:
            lost = Issue(message="the pipeline never recorded this file (see the function log)")
            rejected.append(Rejection(str(path), (lost,)))
            described.append(PublishedSource(str(path), _kind(key, drafts), "lost", None))
            continue
        kind = _kind(key, drafts)
        is_post = kind == "post"
        has_page = status.slug is not None and on_site(status, drafts=drafts)
        site_path = claimed_path(status.slug, status.path) if has_page and status.slug else None
        url = "/" + site_path if site_path is not None else None
        described.append(PublishedSource(str(path), kind, status.status, url))
        # Expired: valid, and off the site by its author's wish; neither published nor refused.
        if status.status in {"ignored", "expired"}:
            continue
        if status.status == "draft" and status.slug:
            draft_slugs.append(status.slug)
        elif status.status == "scheduled" and status.slug:
            scheduled.append(status.slug)
        elif has_page and is_post and status.slug:
            published.append(status.slug)
        elif not has_page:
            rejected.append(Rejection(str(path), status.errors))
    return PublishReport(
        site=site,
        published=published,
        drafts=draft_slugs,
        scheduled=scheduled,
        rejected=rejected,
        pages=pages,
        sources=described,
    )


def _kind(key: str, drafts: bool) -> str | None:
    """What a source is, from its key alone, as `validate_source` decides it."""
    source = SourceObject(key=key, size=0, body=None)
    return validate_source(source, first_seen=_NEVER, drafts=drafts).kind
