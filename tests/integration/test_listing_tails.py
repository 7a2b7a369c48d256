"""A listing's tail as the posts table gives it: the entries from a place on, counted
before it, and only as many earlier entries as the pages to rewrite need."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pressroom.adapters.dynamodb import DynamoPostIndex, serialize, tag_item
from pressroom.indexing import TagEntry
from pressroom.listings import order_key, rewrite_from
from pressroom_local.s3_events import in_process_aws
from pressroom_local.stack import POSTS_TABLE, LocalStack
from tests.corpus import PROJECT_ROOT
from tests.integration.conftest import SITE_URL

PAGE = 10
FIRST = datetime(2021, 1, 1, tzinfo=UTC)
ENTRIES = [
    TagEntry(tag="news", slug=f"post-{n}", title=f"Post {n}", date=FIRST + timedelta(days=n))
    for n in range(120)
]
"""A tag of 120 posts, a day apart, oldest first: eleven numbered pages of ten."""


@pytest.fixture(scope="module")
def table() -> Iterator[DynamoPostIndex]:
    with in_process_aws() as session:
        stack = LocalStack.create(session, project_root=PROJECT_ROOT, site_url=SITE_URL)
        index = DynamoPostIndex(
            session.client("dynamodb"), stack.resources.tables[POSTS_TABLE].name
        )
        for entry in [*ENTRIES, TagEntry(tag="other", slug="x", title="X", date=FIRST)]:
            index.client.put_item(TableName=index.table, Item=serialize(tag_item(entry)))
        yield index


def pages_from(older: int, total: int) -> int:
    return rewrite_from(older, total, PAGE)


def place(entry: TagEntry) -> str:
    return order_key(entry.date, entry.slug)


def test_a_post_at_the_top_reads_the_pages_it_rewrites_not_the_tag(
    table: DynamoPostIndex,
) -> None:
    tail = table.tag_tail("news", place(ENTRIES[-1]), pages_from)

    # The first page and the two newest numbered pages: places 90 to 119.
    assert (tail.start, tail.total) == (90, 120)
    assert tail.posts == tuple(ENTRIES[90:])


def test_a_post_in_the_middle_reads_from_the_start_of_its_page(table: DynamoPostIndex) -> None:
    tail = table.tag_tail("news", place(ENTRIES[55]), pages_from)

    assert (tail.start, tail.total) == (50, 120)
    assert tail.posts == tuple(ENTRIES[50:])


def test_a_place_between_entries_counts_the_entries_before_it(table: DynamoPostIndex) -> None:
    # A post that left from just after post-37: nothing stands at its place any more.
    tail = table.tag_tail("news", place(ENTRIES[37]) + "-gone", pages_from)

    assert (tail.start, tail.total) == (30, 120)


def test_no_place_reads_the_whole_tag_and_no_other(table: DynamoPostIndex) -> None:
    tail = table.tag_tail("news", "", pages_from)

    assert tail.start == 0
    assert tail.posts == tuple(ENTRIES)
    assert table.tag_tail("missing", "", pages_from).total == 0


@pytest.fixture
def operations(table: DynamoPostIndex) -> Iterator[list[str]]:
    """The DynamoDB operations `table`'s client sends during the test."""
    sent: list[str] = []

    def record(model: Any, **_: Any) -> None:
        sent.append(model.name)

    table.client.meta.events.register("before-call.dynamodb.*", record)
    yield sent
    table.client.meta.events.unregister("before-call.dynamodb.*", record)


def test_the_count_before_a_place_and_the_entries_after_it_are_one_query(
    table: DynamoPostIndex, operations: list[str]
) -> None:
    tail = table.tag_tail("news", place(ENTRIES[100]), lambda older, _total: older)

    assert (tail.start, tail.posts) == (100, tuple(ENTRIES[100:]))
    assert operations == ["Query"]


def test_the_page_before_a_place_is_one_query_more(
    table: DynamoPostIndex, operations: list[str]
) -> None:
    tail = table.tag_tail("news", place(ENTRIES[-1]), pages_from)

    assert tail.start == 90
    assert operations == ["Query", "Query"]
