"""A renderer makes its DynamoDB client on the index's first read, not when it is built: a
stream batch of new posts reads nothing of the index (their listing batch writes their
pages), so its cold start never pays for the client. No request is made here: a client
is made from botocore's models and this machine's settings alone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import pytest

from pressroom.adapters import wiring
from pressroom.adapters.dynamodb import DynamoPostIndex

RENDERER_ENVIRONMENT = {
    "AWS_DEFAULT_REGION": "eu-west-1",
    "TABLE_NAME": "posts",
    "ARTIFACTS_BUCKET": "artifacts",
    "LISTING_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/123456789012/listings",
    "SITE_BUCKET": "site",
    "SITE_URL": "https://notes.example.org/",
}


@pytest.fixture
def fresh_sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """A renderer's environment and no client made yet; the services whose clients are
    made from then on."""
    for name, value in RENDERER_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    wiring.reset(session=True)
    made: list[str] = []

    def count(event_name: str, **_: Any) -> None:
        made.append(event_name.removeprefix("creating-client-class."))

    wiring.aws_session().events.register("creating-client-class", count)
    try:
        yield made
    finally:
        wiring.reset(session=True)


def test_the_renderer_makes_its_dynamodb_client_on_its_first_read(
    fresh_sandbox: list[str],
) -> None:
    renderer = wiring.renderer_service()

    assert "dynamodb" not in fresh_sandbox
    index = cast(DynamoPostIndex, renderer.catalog)
    assert index.client is index.client  # what every read goes through, made once
    assert fresh_sandbox.count("dynamodb") == 1


def test_an_index_given_its_client_keeps_it(fresh_sandbox: list[str]) -> None:
    client = wiring.aws_session().client("dynamodb")

    assert DynamoPostIndex(client, "posts").client is client
