"""Listings under concurrent renderers: the last write of a listing shows the committed index.

Two renderer invocations on two stream shards can render one listing at the
same time. Here one of them read the index just before another post was
committed and writes last: the race that leaves a listing stale.
"""

from __future__ import annotations

from dataclasses import replace

from pressroom_local.stack import LocalStack
from tests.integration.stale_reads import FirstReadBeforeTheCommit

POST = b"---\ntitle: %s\ndate: 2024-02-%02d\n---\n\nBody.\n"


def _home(stack: LocalStack) -> str:
    s3 = stack.session.client("s3")
    return s3.get_object(Bucket=stack.site_bucket, Key="index.html")["Body"].read().decode()


def test_a_renderer_that_read_before_a_commit_and_writes_last_leaves_the_listing_current(
    stack: LocalStack,
) -> None:
    s3 = stack.session.client("s3")
    s3.put_object(Bucket=stack.content_bucket, Key="first.md", Body=POST % (b"First", 1))
    stack.router.drain()
    renderer = stack.renderer()
    stale_read = stack.index.newest_posts(20)

    # Meanwhile a second post is committed, and its own renderer writes the home page.
    s3.put_object(Bucket=stack.content_bucket, Key="second.md", Body=POST % (b"Second", 2))
    stack.router.drain()
    assert "/posts/second/" in _home(stack)

    # The slower renderer, which read the index before that commit, writes last.
    slow = replace(
        renderer, catalog=FirstReadBeforeTheCommit(stack.index, "newest_posts", stale_read)
    )
    slow.write_newest()

    assert "/posts/second/" in _home(stack)
    assert "/posts/first/" in _home(stack)
