"""A burst of uploads renders each listing a few times, not once per stream batch.

The renderer's stream batches write post pages and ask for their listings on
the listing queue; its listing batches gather those requests while the
pipeline upstream is busy, and render each listing once a batch.
"""

from __future__ import annotations

import io
import json
import random
from collections.abc import Iterator

import pytest

from pressroom.local.emulator import EmbeddedAws
from pressroom.local.runtime import RuntimeMode
from pressroom.local.stack import LocalStack
from tests.corpus import PROJECT_ROOT

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


@pytest.fixture
def logged_stack(aws: EmbeddedAws) -> Iterator[tuple[LocalStack, io.StringIO]]:
    log = io.StringIO()
    with LocalStack.create(
        aws.session,
        project_root=PROJECT_ROOT,
        site_url="https://news.example.org/",
        runtime=RuntimeMode.deterministic(seed=4),
        log=log,
    ) as stack:
        stack.router.drain()
        yield stack, log


def _renderer_lines(log: io.StringIO, message: str) -> list[dict[str, object]]:
    lines = [json.loads(line) for line in log.getvalue().splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("message") == message]


def test_a_burst_of_uploads_renders_each_listing_a_few_times_not_once_per_post(
    logged_stack: tuple[LocalStack, io.StringIO],
) -> None:
    stack, log = logged_stack
    posts = _posts()
    s3 = stack.session.client("s3")
    for number, (_, body) in enumerate(posts):
        s3.put_object(Bucket=stack.content_bucket, Key=f"log-{number:02d}.md", Body=body)

    stack.router.drain()

    stream_batches = _renderer_lines(log, "rendered")
    listing_batches = _renderer_lines(log, "listings rendered")
    asked = sum(int(str(line["listings"])) for line in stream_batches)
    rendered = sum(int(str(line["rendered"])) for line in listing_batches)
    # Every stream batch asked for the home page; far fewer listing batches rendered it.
    assert len(stream_batches) >= 4
    assert rendered * 2 <= asked
    home = s3.get_object(Bucket=stack.site_bucket, Key="index.html")["Body"].read().decode()
    assert home.count('href="/posts/log-') >= 20
    for tag in TAGS:
        page = s3.get_object(Bucket=stack.site_bucket, Key=f"tags/{tag}/index.html")
        listed = page["Body"].read().decode().count('href="/posts/log-')
        assert listed == sum(1 for tags, _ in posts if tag in tags)
