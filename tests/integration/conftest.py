from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from pressroom_local.emulator import EmbeddedAws, embedded_aws
from pressroom_local.runtime import RuntimeMode
from pressroom_local.stack import DRAFTS_PREVIEW, LocalStack
from tests.corpus import PROJECT_ROOT

SITE_URL = "https://news.example.org/"
LISTINGS = ("index.html", "404.html", "tags/", "categories/", "archive/", "sitemaps/", "search/")
"""Where the site's keys are listings and site files, not a post's own page."""


@pytest.fixture
def aws() -> Iterator[EmbeddedAws]:
    with embedded_aws() as running:
        yield running


@pytest.fixture
def function_log() -> io.StringIO:
    """What the stack's functions log, one JSON object a line."""
    return io.StringIO()


def _running(aws: EmbeddedAws, **options: Any) -> Iterator[LocalStack]:
    """The template's stack on the embedded AWS, its S3 test event already delivered."""
    with LocalStack.create(
        aws.session, project_root=PROJECT_ROOT, site_url=SITE_URL, **options
    ) as local:
        local.router.drain()
        yield local


def upload(stack: LocalStack, files: Mapping[str, bytes]) -> None:
    """Put `files` (by key) in the content bucket and let the pipeline settle."""
    s3 = stack.session.client("s3")
    for key, body in files.items():
        s3.put_object(Bucket=stack.content_bucket, Key=key, Body=body)
    stack.router.drain()


def delete(stack: LocalStack, key: str) -> None:
    """Delete one file from the content bucket and let the pipeline settle."""
    s3 = stack.session.client("s3")
    s3.delete_object(Bucket=stack.content_bucket, Key=key)
    stack.router.drain()


@pytest.fixture
def stack(aws: EmbeddedAws, function_log: io.StringIO) -> Iterator[LocalStack]:
    """The template's stack on the embedded AWS, its functions run as Lambda runs them (in
    sandboxes, concurrently), its S3 test event already delivered."""
    yield from _running(aws, endpoint_url=aws.endpoint_url, log=function_log)


@pytest.fixture
def in_process_stack(aws: EmbeddedAws) -> Iterator[LocalStack]:
    """The same stack with its functions run in this process, one invocation at a time: for
    tests that replace a part of a handler's own process."""
    yield from _running(aws, runtime=RuntimeMode.deterministic())


@pytest.fixture
def preview_stack(aws: EmbeddedAws) -> Iterator[LocalStack]:
    """A drafts preview (`--drafts`): drafts and scheduled posts get pages too."""
    yield from _running(aws, endpoint_url=aws.endpoint_url, environment_overrides=DRAFTS_PREVIEW)
