"""The index under concurrent writers and within DynamoDB's limits, on moto.

Each race is forced rather than hoped for: a `PausingIndex` holds every
writer between its read and its write until all of them have read, the
widest window two Lambda invocations can leave each other.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from pressroom.adapters.dynamodb import DynamoPostIndex
from pressroom.events import normalize_sequencer
from pressroom.exceptions import ConcurrentWriteError
from pressroom.indexing import IndexPlan, ItemKey
from pressroom.limits import DEFAULT_LIMITS
from pressroom.models import IndexMessage, PostSummary
from pressroom.services.indexer import IndexerService
from pressroom_local.s3_events import in_process_aws
from pressroom_local.stack import POSTS_TABLE, LocalStack
from tests.corpus import PROJECT_ROOT
from tests.integration.conftest import SITE_URL
from tests.memory_index import MemorySchedules

if TYPE_CHECKING:
    from pressroom.indexing import Stored

START = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def table() -> Iterator[DynamoPostIndex]:
    """The template's posts table on moto, nothing else running."""
    with in_process_aws() as session:
        stack = LocalStack.create(session, project_root=PROJECT_ROOT, site_url=SITE_URL)
        yield DynamoPostIndex(session.client("dynamodb"), stack.resources.tables[POSTS_TABLE].name)


@dataclass
class PausingIndex:
    """A PostIndex that holds each writer after its first read until `writers` have read,
    and counts the writes DynamoDB refused."""

    index: DynamoPostIndex
    writers: int
    conflicts: int = 0
    _barrier: threading.Barrier = field(init=False)
    _paused: set[int] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._barrier = threading.Barrier(self.writers, timeout=30)

    def read(self, keys: Iterable[ItemKey]) -> dict[ItemKey, Stored | None]:
        found = self.index.read(keys)
        thread = threading.get_ident()
        if thread not in self._paused:
            self._paused.add(thread)
            self._barrier.wait()
        return found

    def apply(self, plan: IndexPlan) -> None:
        try:
            self.index.apply(plan)
        except ConcurrentWriteError:
            with self._lock:
                self.conflicts += 1
            raise


def seq(number: int) -> str:
    return normalize_sequencer(f"{number:X}", START)


def upsert(source: str, slug: str, number: int = 1, **fields: Any) -> IndexMessage:
    post = PostSummary(
        source_key=source,
        slug=slug,
        title=fields.pop("title", slug.title()),
        date=fields.pop("date", datetime(2025, 3, 1, tzinfo=UTC)),
        content_hash=fields.pop("content", "a") * 64,
        **fields,
    )
    return IndexMessage(
        action="upsert",
        source_key=source,
        sequencer=seq(number),
        event_time=START + timedelta(seconds=number),
        post=post,
    )


def delete(source: str, number: int) -> IndexMessage:
    return IndexMessage(
        action="delete",
        source_key=source,
        sequencer=seq(number),
        event_time=START + timedelta(seconds=number),
    )


def run_concurrently(index: PausingIndex, messages: list[IndexMessage]) -> None:
    service = IndexerService(
        index=index, schedules=MemorySchedules(), write_attempts=len(messages) + 2
    )
    with ThreadPoolExecutor(max_workers=len(messages)) as pool:
        list(pool.map(service.handle, messages))


def test_unrelated_posts_of_one_month_written_at_once_never_conflict(
    table: DynamoPostIndex,
) -> None:
    paused = PausingIndex(table, writers=6)
    messages = [upsert(f"post-{n}.md", f"post-{n}", tags=("news",)) for n in range(6)]

    run_concurrently(paused, messages)

    assert paused.conflicts == 0
    assert {post.slug for post in table.month_posts(2025, 3)} == {f"post-{n}" for n in range(6)}
    assert len(table.tag_entries("news")) == 6


def test_files_contesting_one_slug_at_once_converge_on_the_first_uploaded(
    table: DynamoPostIndex,
) -> None:
    paused = PausingIndex(table, writers=5)
    # Uploaded one second apart; written all at once, in whatever order the threads get.
    messages = [upsert(f"copy-{n}.md", "contested", number=n + 1) for n in range(5)]

    run_concurrently(paused, messages)

    post = table.post("contested")
    assert post is not None and post.post is not None
    assert post.post.source_key == "copy-0.md"
    statuses = {n: table.source_status(f"copy-{n}.md") for n in range(5)}
    assert statuses[0] is not None and statuses[0].status == "published"
    assert all(s is not None and s.status == "conflict" for n, s in statuses.items() if n)
    assert [p.slug for p in table.month_posts(2025, 3)] == ["contested"]


def test_a_field_another_release_wrote_does_not_make_the_item_unwritable(
    table: DynamoPostIndex,
) -> None:
    service = IndexerService(index=table, schedules=MemorySchedules())
    service.handle(upsert("hello.md", "hello", number=1))
    dynamodb = table.client
    key = {"pk": {"S": "POST#hello"}, "sk": {"S": "POST"}}
    # As a release with one more optional field (and its own fingerprint of the item) left it.
    dynamodb.update_item(
        TableName=table.table,
        Key=key,
        UpdateExpression="SET subtitle = :subtitle, digest = :digest",
        ExpressionAttributeValues={
            ":subtitle": {"S": "written by a newer model"},
            ":digest": {"S": "0" * 32},
        },
    )

    plan = service.handle(upsert("hello.md", "hello", number=2, content="b", title="Hello again"))

    assert plan.outcome == "applied"
    post = table.post("hello")
    assert post is not None and post.post is not None
    assert post.post.title == "Hello again"


def test_deleting_the_owner_of_a_slug_sixty_files_wait_for_promotes_the_next(
    table: DynamoPostIndex,
) -> None:
    service = IndexerService(index=table, schedules=MemorySchedules())
    for n in range(61):
        tags = tuple(f"topic-{n}-{t}" for t in range(DEFAULT_LIMITS.max_tags))
        service.handle(upsert(f"copy-{n:02d}.md", "popular", number=n + 1, tags=tags))

    service.handle(delete("copy-00.md", 100))

    status = table.source_status("copy-00.md")
    assert status is not None and status.status == "deleted"
    post = table.post("popular")
    assert post is not None and post.post is not None
    assert post.post.source_key == "copy-01.md"
    promoted = table.source_status("copy-01.md")
    assert promoted is not None and promoted.status == "published"
    waiting = table.source_status("copy-30.md")
    assert waiting is not None and waiting.status == "conflict"


def test_no_index_item_grows_with_the_number_of_files_claiming_a_slug(
    table: DynamoPostIndex,
) -> None:
    service = IndexerService(index=table, schedules=MemorySchedules())
    for n in range(40):
        service.handle(upsert(f"copy-{n:02d}.md", "popular", number=n + 1))
    sizes = _item_sizes(table)
    for n in range(40, 80):
        service.handle(upsert(f"copy-{n:02d}.md", "popular", number=n + 1))

    grown = {key: size for key, size in _item_sizes(table).items() if size > sizes.get(key, size)}
    assert not grown


def _item_sizes(table: DynamoPostIndex) -> dict[tuple[str, str], int]:
    items = boto3.client("dynamodb").scan(TableName=table.table)["Items"]
    return {(item["pk"]["S"], item["sk"]["S"]): len(repr(item)) for item in items}


def requests_made(table: DynamoPostIndex) -> list[str]:
    """The DynamoDB operations `table`'s client sends from now on, in order."""
    operations: list[str] = []
    table.client.meta.events.register(
        "before-call.dynamodb.*",
        lambda model, **_: operations.append(model.name),
        unique_id="test-requests-made",
    )
    return operations


def test_a_new_slug_is_written_with_one_read_and_one_transaction(table: DynamoPostIndex) -> None:
    service = IndexerService(index=table, schedules=MemorySchedules())
    operations = requests_made(table)

    service.handle(upsert("first.md", "first"))

    # A slug with no post item has never been claimed: there are no claims to query. (The
    # PutItem marks the post's month, new to the index.)
    assert operations == ["BatchGetItem", "PutItem", "TransactWriteItems"]
    operations.clear()
    service.handle(upsert("copy.md", "first", number=2))

    # A claimed slug's leading claims are read after its post item.
    assert operations == ["BatchGetItem", "Query", "TransactWriteItems"]
    status = table.source_status("copy.md")
    assert status is not None and status.status == "conflict"


def test_a_batch_of_new_posts_is_read_in_one_request(table: DynamoPostIndex) -> None:
    service = IndexerService(index=table, schedules=MemorySchedules())
    messages = [upsert(f"post-{n}.md", f"post-{n}", number=n + 1) for n in range(10)]
    operations = requests_made(table)

    service.read_ahead(messages)
    for message in messages:
        service.handle(message)

    assert operations.count("BatchGetItem") == 1
    assert operations.count("TransactWriteItems") == 10
    assert {post.slug for post in table.month_posts(2025, 3)} == {f"post-{n}" for n in range(10)}


def test_a_batch_that_writes_one_file_twice_reads_it_again_for_the_second_write(
    table: DynamoPostIndex,
) -> None:
    paused = PausingIndex(table, writers=1)
    service = IndexerService(index=paused, schedules=MemorySchedules(), write_attempts=1)
    first, edited = upsert("a.md", "a", number=1), upsert("a.md", "a", number=2, title="Edited")
    rival = upsert("b.md", "a", number=3)

    service.read_ahead([first, edited, rival])
    for message in (first, edited, rival):
        service.handle(message)

    # Read ahead, the second and third messages would have found no post item `a`: each
    # is planned from a new read instead, so none of the three needs a second attempt.
    assert paused.conflicts == 0
    post = table.post("a")
    assert post is not None and post.post is not None and post.post.title == "Edited"
    rival_status = table.source_status("b.md")
    assert rival_status is not None and rival_status.status == "conflict"
