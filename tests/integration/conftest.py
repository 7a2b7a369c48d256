from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from pressroom.local.stack import LocalStack
from tests.corpus import PROJECT_ROOT

SITE_URL = "https://news.example.org/"


@pytest.fixture
def stack() -> Iterator[LocalStack]:
    """The template's stack on moto, its S3 test event already delivered."""
    with mock_aws():
        local = LocalStack.create(
            boto3.Session(region_name="us-east-1"), project_root=PROJECT_ROOT, site_url=SITE_URL
        )
        local.router.drain()
        yield local
