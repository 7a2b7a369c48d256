"""The functions' clients keep a connection for each request they make at once.

The renderer reads a tags index's cards on `CARD_READERS` threads through one S3 client.
A botocore client's pool keeps `max_pool_connections` connections (10 unless told): past
that, urllib3 opens a connection for a request and throws it away after, which on AWS is
a TLS handshake a card, and logs a warning in the function's log each time. The requests
go over HTTP to a moto server here, as a deployed function's go to S3 (an in-process mock
would bypass the pool).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import boto3
import pytest
from moto.server import ThreadedMotoServer

from pressroom.adapters import wiring
from pressroom.adapters.s3 import S3SiteStore
from pressroom.services.renderer import CARD_READERS, _read_all


@pytest.fixture
def served_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A moto server the functions' clients reach over HTTP, as they reach AWS."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://{host}:{port}")
    wiring.reset(session=True)
    try:
        yield
    finally:
        wiring.reset(session=True)
        server.stop()


@pytest.mark.usefixtures("served_aws")
def test_the_tags_index_card_readers_each_keep_a_connection(
    caplog: pytest.LogCaptureFixture,
) -> None:
    boto3.client("s3").create_bucket(Bucket="site")
    site = S3SiteStore(wiring._s3(), "site")
    keys = [f"tags/tag-{number}/card.json" for number in range(CARD_READERS * 4)]
    for key in keys:
        site.put(key, b"{}", "application/json")

    with caplog.at_level(logging.WARNING, logger="urllib3"):
        for _ in range(3):
            assert _read_all(site, keys) == [b"{}"] * len(keys)

    warnings = [record for record in caplog.records if record.name.startswith("urllib3")]
    assert [record.getMessage() for record in warnings] == []
