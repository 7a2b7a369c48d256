"""A stream batch ends within its invocation's time whatever it holds (issue 16): a page is
begun only with the worst post's render budget left; the pages there is no time for go to
the listing queue as `page:<slug>` requests, rendered there from the index as it is then."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pressroom.indexing import PostRecord
from pressroom.listings import PostChange
from pressroom.services.renderer import PAGE_TIME_RESERVE_MS, ListingBatch, StreamBatch
from pressroom_local.stack import LocalStack

POSTS = {
    f"walk-{day}.md": f"---\ntitle: Walk {day}\ndate: 2024-05-{day:02d}\n---\nCliffs.\n".encode()
    for day in range(1, 6)
}


class Clock:
    """An invocation's remaining time that runs out after `pages` pages' worth."""

    def __init__(self, pages: int) -> None:
        self.left = iter([30_000] * pages)

    def __call__(self) -> int:
        return next(self.left, PAGE_TIME_RESERVE_MS - 1)


class Queue:
    def __init__(self) -> None:
        self.requested: list[str] = []

    def request(self, requests: Sequence[str]) -> None:
        self.requested += requests


def _pages(stack: LocalStack) -> Iterator[str]:
    return (key for key in stack.site_objects() if key.startswith("posts/"))


def _body_edited(record: PostRecord | None) -> PostChange:
    assert record is not None and record.post is not None
    before = record.post.model_copy(update={"content_hash": "0" * 64})
    return PostChange(old=record.model_copy(update={"post": before}), new=record)


def test_pages_there_is_no_time_for_are_left_to_the_listing_queue(stack: LocalStack) -> None:
    s3 = stack.session.client("s3")
    for key, body in POSTS.items():
        s3.put_object(Bucket=stack.content_bucket, Key=key, Body=body)
    stack.router.drain()
    for key in list(_pages(stack)):
        s3.delete_object(Bucket=stack.site_bucket, Key=key)
    # Edits of each post's body: the stream batch writes such a page itself (a new post's
    # comes with the pages beside it, from the listing queue).
    changes = [_body_edited(stack.index.post(f"walk-{day}")) for day in range(1, 6)]
    # The fourth post was deleted after the batch's records were written: its request
    # must write nothing.
    s3.delete_object(Bucket=stack.content_bucket, Key="walk-4.md")
    stack.router.drain()
    # Its removal wrote its neighbours' pages again (walk-3 and walk-5 now link each other).
    for key in list(_pages(stack)):
        s3.delete_object(Bucket=stack.site_bucket, Key=key)

    batch = StreamBatch(stack.renderer().configured(), Clock(pages=2))
    for change in changes:
        batch.render(change)
    requests = batch.finish(changes)

    assert sorted(_pages(stack)) == ["posts/walk-1/index.html", "posts/walk-2/index.html"]
    assert list(batch.deferred) == ["page:walk-3", "page:walk-4", "page:walk-5"]
    assert requests[:3] == ["page:walk-3", "page:walk-4", "page:walk-5"]

    queue = Queue()
    listings = ListingBatch(stack.renderer().configured(), queue, lambda: 30_000, requests)
    for request in requests:
        listings.render(request)
    listings.finish()

    assert sorted(_pages(stack)) == [
        "posts/walk-1/index.html",
        "posts/walk-2/index.html",
        "posts/walk-3/index.html",
        "posts/walk-5/index.html",
    ]
    assert queue.requested == []
