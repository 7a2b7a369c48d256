from __future__ import annotations

from collections.abc import Iterator

import pytest

from pressroom.local.s3_events import in_process_aws
from pressroom.local.stack import LocalStack
from tests.corpus import PROJECT_ROOT

SITE_URL = "https://news.example.org/"


@pytest.fixture
def stack() -> Iterator[LocalStack]:
    """The template's stack on moto, its S3 test event already delivered."""
    with in_process_aws() as session:
        local = LocalStack.create(session, project_root=PROJECT_ROOT, site_url=SITE_URL)
        local.router.drain()
        yield local
