"""Listings under concurrent renderers: the last write of a listing shows the committed index.

Two renderer invocations on two stream shards can render one listing at the
same time. Here one of them read the index just before another post was
committed and writes last: the race that leaves a listing stale.
"""

from __future__ import annotations

from dataclasses import replace

from pressroom.listings import order_key, page_request
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


def _page(stack: LocalStack, key: str) -> str | None:
    s3 = stack.session.client("s3")
    try:
        return s3.get_object(Bucket=stack.site_bucket, Key=key)["Body"].read().decode()
    except s3.exceptions.NoSuchKey:
        return None


def test_a_renderer_that_read_a_neighbour_before_it_was_deleted_leaves_no_page_of_it(
    stack: LocalStack,
) -> None:
    s3 = stack.session.client("s3")
    for key, title, day in (("sleeper.md", b"Sleeper", 3), ("ferry.md", b"Ferry", 5)):
        s3.put_object(Bucket=stack.content_bucket, Key=key, Body=POST % (title, day))
    stack.router.drain()
    s3.put_object(Bucket=stack.content_bucket, Key="tram.md", Body=POST % (b"Tram", 4))
    stack.router.drain()
    tram = stack.index.post("tram")
    assert tram is not None and tram.published is not None
    place = order_key(tram.published.date, "tram")
    renderer = stack.renderer()
    # The tram's listing batch reads the posts around it: the sleeper is still there.
    stale_read = stack.index.window(place, 2, 4)
    assert "sleeper" in [post.slug for post in stale_read.older]

    # Meanwhile the sleeper is deleted, and its own renderer removes its page.
    s3.delete_object(Bucket=stack.content_bucket, Key="sleeper.md")
    stack.router.drain()
    assert _page(stack, "posts/sleeper/index.html") is None

    # The slower batch writes the pages around the tram from what it read.
    slow = replace(renderer, catalog=FirstReadBeforeTheCommit(stack.index, "window", stale_read))
    slow.render_around(place)

    assert _page(stack, "posts/sleeper/index.html") is None
    ferry = _page(stack, "posts/ferry/index.html")
    tram_page = _page(stack, "posts/tram/index.html")
    assert ferry is not None and "/posts/tram/" in ferry
    assert tram_page is not None and "/posts/sleeper/" not in tram_page


def test_a_renderer_that_found_an_old_url_free_before_a_post_took_it_leaves_that_posts_page(
    stack: LocalStack,
) -> None:
    s3 = stack.session.client("s3")
    sleeper = (
        b"---\ntitle: Sleeper\ndate: 2024-02-03\nredirect_from: /posts/night-bus/\n---\n\nBody.\n"
    )
    s3.put_object(Bucket=stack.content_bucket, Key="sleeper.md", Body=sleeper)
    stack.router.drain()
    record = stack.index.post("sleeper")
    assert record is not None and record.published is not None
    # The sleeper's renderer reads whether a post's page is at its old URL: none yet.
    renderer = stack.renderer()

    # Meanwhile a post is published at that URL: a page wins over an old URL.
    s3.put_object(Bucket=stack.content_bucket, Key="night-bus.md", Body=POST % (b"Night bus", 5))
    stack.router.drain()
    assert "Night bus" in (_page(stack, "posts/night-bus/index.html") or "")

    # The slower renderer writes the sleeper's redirect from what it read.
    slow = replace(renderer, catalog=FirstReadBeforeTheCommit(stack.index, "post", None))
    slow.write_post_page(record.published)

    page = s3.get_object(Bucket=stack.site_bucket, Key="posts/night-bus/index.html")
    assert "WebsiteRedirectLocation" not in page
    assert "Night bus" in page["Body"].read().decode()


def test_a_page_request_read_before_its_post_was_deleted_leaves_no_page(stack: LocalStack) -> None:
    s3 = stack.session.client("s3")
    s3.put_object(Bucket=stack.content_bucket, Key="sleeper.md", Body=POST % (b"Sleeper", 3))
    stack.router.drain()
    # A listing batch takes a page the stream batch had no time for, and reads its post.
    renderer = stack.renderer()
    stale_read = stack.index.post("sleeper")

    # Meanwhile the post is deleted, and its own renderer removes its page.
    s3.delete_object(Bucket=stack.content_bucket, Key="sleeper.md")
    stack.router.drain()
    assert _page(stack, "posts/sleeper/index.html") is None

    slow = replace(renderer, catalog=FirstReadBeforeTheCommit(stack.index, "post", stale_read))
    slow.render_page_request(page_request("sleeper"))

    assert _page(stack, "posts/sleeper/index.html") is None
