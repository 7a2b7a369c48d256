"""The embedded AWS: moto, made to behave as AWS does where Pressroom depends on it.

One for everything that runs the stack on this machine (`pressroom local`,
`pressroom publish`, the tests, the benchmarks and the reliability runs):
moto in this process (`mock_aws`, for this process's own clients) and as a
server on 127.0.0.1 (for the functions' sandboxes, which are processes of
their own, and for the author's AWS CLI), both answering from the same state.
S3's events carry sequencers and versions (`s3_events`); DynamoDB's requests
cost what they cost on DynamoDB, its stream is trimmed once read, every
request is atomic, and moto keeps no object it has let go of (`scale`).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass

import boto3
from moto import mock_aws
from moto.server import ThreadedMotoServer

from pressroom_local.s3_events import realistic_s3_events
from pressroom_local.scale import like_dynamodb

HOST = "127.0.0.1"
REGION = "us-east-1"


@dataclass(frozen=True)
class EmbeddedAws:
    session: boto3.Session
    """Reaches the embedded AWS in this process."""
    endpoint_url: str
    """Where its server listens: the sandboxes and any AWS tool reach it there."""


@contextlib.contextmanager
def embedded_aws(host: str = HOST, port: int = 0, region: str = REGION) -> Iterator[EmbeddedAws]:
    """Running until the block ends; `port` 0 takes a free one."""
    # werkzeug logs each request; the router alone makes several a second.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with mock_aws(), realistic_s3_events(), like_dynamodb():
        server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
        server.start()
        try:
            _, bound = server.get_host_and_port()
            yield EmbeddedAws(boto3.Session(region_name=region), f"http://{host}:{bound}")
        finally:
            server.stop()
