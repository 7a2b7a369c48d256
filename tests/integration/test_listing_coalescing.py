"""A burst of uploads renders each listing a few times, not once per stream batch.

The renderer's stream batches write post pages and ask for their listings on
the listing queue; its listing batches gather those requests while the
pipeline upstream is busy, and render each listing once a batch.
"""

from __future__ import annotations

import random
from typing import Any

from pressroom.listing_messages import read_listing_message
from pressroom_local.faults import Invoke, observe_invocations
from pressroom_local.runtime import LocalFunction
from pressroom_local.stack import LocalStack

POSTS = 40
TAGS = ("harbour", "ferries", "tides")


def _posts() -> list[tuple[tuple[str, ...], bytes]]:
    """Each post's tags and file: dates over three months, in no order."""
    rng = random.Random(7)
    posts = []
    for number in range(POSTS):
        tags = tuple(rng.sample(TAGS, 2))
        body = (
            f"---\ntitle: Crossing log {number}\n"
            f"date: 2023-{rng.randint(1, 3):02d}-{rng.randint(1, 28):02d} 06:{number:02d}\n"
            f"tags: [{', '.join(tags)}]\n---\n\nThe {number}th crossing left on the morning tide.\n"
        )
        posts.append((tags, body.encode()))
    return posts


def _requests(body: str) -> tuple[str, ...]:
    message = read_listing_message(body)
    assert message is not None, body
    return message.requests


def test_a_burst_of_uploads_renders_each_listing_a_few_times_not_once_per_post(
    in_process_stack: LocalStack,
) -> None:
    stack = in_process_stack
    posts = _posts()
    s3 = stack.session.client("s3")
    for number, (_, body) in enumerate(posts):
        s3.put_object(Bucket=stack.content_bucket, Key=f"log-{number:02d}.md", Body=body)
    stream_batches: list[int] = []
    listing_batches: list[list[str]] = []

    def record(function: LocalFunction, invoke: Invoke, event: dict[str, Any]) -> Any:
        records = event["Records"]
        if function.name == "RendererFunction" and records[0]["eventSource"] == "aws:sqs":
            listing_batches.append([request for r in records for request in _requests(r["body"])])
        elif function.name == "RendererFunction":
            stream_batches.append(len(records))
        return invoke(function, event)

    with observe_invocations(record):
        stack.router.drain()

    asked = sum(len(batch) for batch in listing_batches)
    rendered = sum(len(set(batch)) for batch in listing_batches)
    # Each stream batch asked for the home page and its months and tags; fewer listing
    # batches gathered those requests, and render each listing once a batch.
    assert len(stream_batches) >= 4
    assert sum(batch.count("newest") for batch in listing_batches) == len(stream_batches)
    assert len(listing_batches) < len(stream_batches)
    assert rendered < asked
    home = s3.get_object(Bucket=stack.site_bucket, Key="index.html")["Body"].read().decode()
    assert home.count('href="/posts/log-') >= 20
    for tag in TAGS:
        page = s3.get_object(Bucket=stack.site_bucket, Key=f"tags/{tag}/index.html")
        listed = page["Body"].read().decode().count('href="/posts/log-')
        assert listed == sum(1 for tags, _ in posts if tag in tags)
