"""A history of uploads, updates and deletes, captured and published fault-free once a module.

`make test` runs these modules with `--dist loadfile`, so that one worker
builds it for all of a module's tests.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from reliability.harness import (
    Captured,
    FinalState,
    Pipelines,
    Post,
    capture_notifications,
    history_uploads,
    local_aws,
)

POSTS = int(os.environ.get("RELIABILITY_POSTS", "60"))
"""`make test` publishes 60 posts a run; `make reliability` sets the full size."""


@dataclass(frozen=True)
class History:
    posts: list[Post]
    deleted: frozenset[str]
    captured: Captured
    pipelines: Pipelines
    expected: FinalState
    """The fault-free, in-order run's table and site."""


@pytest.fixture(scope="module")
def history() -> Iterator[History]:
    with local_aws() as aws:
        posts, deleted, uploads = history_uploads(POSTS)
        captured = capture_notifications(aws.session, uploads)
        pipelines = Pipelines(aws)
        run = pipelines.publish(captured)
        yield History(posts, deleted, captured, pipelines, run.state())
