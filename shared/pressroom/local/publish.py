"""`pressroom publish`: the whole pipeline on the embedded AWS, the site copied out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from pressroom.local.emulator import embedded_aws
from pressroom.local.stack import LocalStack, check_site_folder, find_project_root
from pressroom.models import Issue
from pressroom.sources import collect_sources


@dataclass(frozen=True)
class Rejection:
    path: str
    errors: tuple[Issue, ...]


@dataclass(frozen=True)
class PublishReport:
    site: Path
    published: list[str] = field(default_factory=list)
    """Slugs of the posts on the site."""
    drafts: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    """Site-bucket keys written to `site`."""

    def as_json(self) -> dict[str, Any]:
        return {
            "site": str(self.site),
            "published": self.published,
            "drafts": self.drafts,
            "rejected": [
                {
                    "path": rejection.path,
                    "errors": [issue.model_dump(mode="json") for issue in rejection.errors],
                }
                for rejection in self.rejected
            ],
        }


def publish(
    paths: Sequence[Path],
    site: Path,
    *,
    site_url: str,
    log: TextIO | None = None,
    project_root: Path | None = None,
) -> PublishReport:
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
        ) as stack,
    ):
        stack.router.drain()
        stack.upload(sources)
        stack.router.drain()
        pages = stack.export_site(site)
        statuses = stack.statuses(key for key, _ in sources)
    published: list[str] = []
    drafts: list[str] = []
    rejected: list[Rejection] = []
    for key, path in sources:
        status = statuses[key]
        if status is None:
            lost = Issue(message="the pipeline never recorded this file (see the function log)")
            rejected.append(Rejection(str(path), (lost,)))
        elif status.status == "published" and status.slug:
            published.append(status.slug)
        elif status.status == "draft" and status.slug:
            drafts.append(status.slug)
        else:
            rejected.append(Rejection(str(path), status.errors))
    return PublishReport(
        site=site, published=published, drafts=drafts, rejected=rejected, pages=pages
    )
