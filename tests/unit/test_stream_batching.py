"""The local router batches a stream as Lambda does: a batch goes when it is full, when its
payload reaches 6 MB, or when its window has run since its first record; and at once when
nothing more is on its way to it. Its shards run at once, each one batch at a time, each
item's records in order on one shard."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from typing import Any

from pressroom_local.mappings import EventRouter, OnThreads, StreamEventSourceMapping, shard_of
from pressroom_local.provision import QueueInfo, TableInfo
from pressroom_local.template import EventSource

STREAM_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/posts/stream/1"
SOURCE = EventSource(
    name="IndexStream",
    type="DynamoDB",
    source="PostsTable",
    batch_size=100,
    report_batch_item_failures=True,
    batching_window_seconds=1,
)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Stream:
    """One shard of a DynamoDB stream: records are appended, GetRecords reads on."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []
        self.read_to = 0

    def write(self, count: int, padding: int = 0) -> None:
        for _ in range(count):
            number = len(self.records) + 1
            self.records.append(
                {
                    "eventID": str(number),
                    "eventName": "INSERT",
                    "dynamodb": {
                        "Keys": {"pk": {"S": f"POST#{number}"}, "sk": {"S": "POST"}},
                        "NewImage": {"padding": {"S": "x" * padding}},
                        "SequenceNumber": f"{number:021d}",
                    },
                }
            )

    def write_item(self, key: str, version: int) -> None:
        """A record of one version of the post item `key`."""
        number = len(self.records) + 1
        self.records.append(
            {
                "eventID": str(number),
                "eventName": "MODIFY",
                "dynamodb": {
                    "Keys": {"pk": {"S": key}, "sk": {"S": "POST"}},
                    "NewImage": {"version": {"N": str(version)}},
                    "SequenceNumber": f"{number:021d}",
                },
            }
        )

    def describe_stream(self, StreamArn: str) -> dict[str, Any]:
        return {"StreamDescription": {"Shards": [{"ShardId": "shard-1"}]}}

    def get_shard_iterator(self, **_: Any) -> dict[str, Any]:
        return {"ShardIterator": "iterator"}

    def get_records(self, ShardIterator: str, Limit: int) -> dict[str, Any]:
        records = self.records[self.read_to : self.read_to + Limit]
        self.read_to += len(records)
        return {"Records": records, "NextShardIterator": ShardIterator}


class Renderer:
    name = "RendererFunction"
    region = "us-east-1"

    def __init__(self, failing_event: str | None = None) -> None:
        self.batches: list[list[dict[str, Any]]] = []
        self.failing_event = failing_event

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        self.batches.append(event["Records"])
        if any(record["eventID"] == self.failing_event for record in event["Records"]):
            raise RuntimeError("this record always fails")
        return {"batchItemFailures": []}

    @property
    def sizes(self) -> list[int]:
        return [len(batch) for batch in self.batches]


class Upstream:
    """Another mapping (the index queue's) with `waiting` records still to deliver."""

    def __init__(self, waiting: int) -> None:
        self.waiting = waiting

    def poll(self) -> int:
        return 0

    def gathering(self) -> int:
        return 0

    def flush(self) -> int:
        return 0

    def pending(self) -> int:
        return self.waiting


class OnFailureQueue:
    def __init__(self) -> None:
        self.descriptions: list[dict[str, Any]] = []

    def send_message(self, QueueUrl: str, MessageBody: str) -> None:
        self.descriptions.append(json.loads(MessageBody))


def mapping(
    stream: Stream,
    renderer: Renderer,
    clock: Clock,
    source: EventSource = SOURCE,
    sqs: OnFailureQueue | None = None,
) -> StreamEventSourceMapping:
    return StreamEventSourceMapping(
        renderer,  # type: ignore[arg-type]
        source,
        TableInfo(name="posts", arn="arn:posts", stream_arn=STREAM_ARN),
        stream,  # type: ignore[arg-type]
        sqs,  # type: ignore[arg-type]
        on_failure=QueueInfo(name="RenderDLQ", url="render-dlq", arn="arn:render-dlq"),
        clock=clock,
    )


def test_a_batch_gathers_until_it_is_full() -> None:
    stream, renderer, clock = Stream(), Renderer(), Clock()
    stream_mapping = mapping(stream, renderer, clock)
    stream.write(30)
    assert stream_mapping.poll() == 0
    stream.write(120)

    assert stream_mapping.poll() == 100
    assert stream_mapping.poll() == 0
    assert renderer.sizes == [100]
    assert stream_mapping.gathering() == 50


def test_a_batch_goes_when_its_window_has_run_since_its_first_record() -> None:
    stream, renderer, clock = Stream(), Renderer(), Clock()
    stream_mapping = mapping(stream, renderer, clock)
    stream.write(5)
    stream_mapping.poll()
    clock.now = 0.6
    stream.write(5)
    assert stream_mapping.poll() == 0

    clock.now = 1.0

    assert stream_mapping.poll() == 10
    assert renderer.sizes == [10]


def test_a_batch_stops_short_of_lambdas_six_megabyte_payload() -> None:
    stream, renderer, clock = Stream(), Renderer(), Clock()
    stream_mapping = mapping(stream, renderer, clock)
    stream.write(10, padding=2_000_000)

    delivered = [stream_mapping.poll() for _ in range(4)]

    assert delivered == [3, 3, 3, 0], "full at the payload limit: no wait for the window"
    for batch in renderer.batches:
        assert len(json.dumps({"Records": batch})) <= 6 * 1024 * 1024


def test_the_router_closes_a_batch_when_nothing_more_is_on_its_way() -> None:
    stream, renderer, clock = Stream(), Renderer(), Clock()
    upstream = Upstream(waiting=10)
    router = EventRouter([upstream, mapping(stream, renderer, clock)])
    stream.write(10)

    router.poll_once()
    assert renderer.sizes == [], "the index queue still holds messages: more records may come"
    upstream.waiting = 0
    stream.write(10)
    router.poll_once()

    assert renderer.sizes == [20]
    assert clock.now == 0.0, "without waiting out the window"


def test_bisecting_a_batch_does_not_use_up_its_retries() -> None:
    stream, renderer, dead_letters = Stream(), Renderer(failing_event="5"), OnFailureQueue()
    source = replace(SOURCE, bisect_on_error=True, maximum_retry_attempts=2)
    stream_mapping = mapping(stream, renderer, Clock(), source, dead_letters)
    stream.write(64)
    stream_mapping.poll()

    stream_mapping.flush()

    (parked,) = dead_letters.descriptions
    batch = parked["DDBStreamBatchInfo"]
    assert (batch["batchSize"], batch["startSequenceNumber"]) == (1, f"{5:021d}")
    assert parked["requestContext"]["approximateInvokeCount"] == 3, "one call, two retries"
    delivered = {record["eventID"] for batch in renderer.batches for record in batch}
    assert delivered == {str(number) for number in range(1, 65)}


class RendererOnTwoShards:
    """Returns from its first two batches only once both are in flight together."""

    def __init__(self) -> None:
        self.name = "RendererFunction"
        self.region = "us-east-1"
        self.batches: list[list[dict[str, Any]]] = []
        self.together = threading.Barrier(2, timeout=10)
        self._in_flight: set[int] = set()
        self._lock = threading.Lock()

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        records = event["Records"]
        shard = shard_of(records[0], 2)
        with self._lock:
            assert shard not in self._in_flight, "two batches of one shard in flight at once"
            self._in_flight.add(shard)
            self.batches.append(records)
            first_two = len(self.batches) <= 2
        if first_two:
            self.together.wait()
        with self._lock:
            self._in_flight.discard(shard)
        return {"batchItemFailures": []}


def _item_on_shard(shard: int) -> str:
    """A post key whose records go to `shard` of two."""
    return next(
        key
        for key in (f"POST#{number}" for number in range(100))
        if shard_of({"dynamodb": {"Keys": {"pk": {"S": key}, "sk": {"S": "POST"}}}}, 2) == shard
    )


def test_two_shards_run_at_once_and_each_item_stays_in_order_on_its_shard() -> None:
    stream, renderer, dead_letters = Stream(), RendererOnTwoShards(), OnFailureQueue()
    items = [_item_on_shard(0), _item_on_shard(1)]
    for version in range(6):
        for key in items:
            stream.write_item(key, version)
    runner = OnThreads()
    source = replace(SOURCE, batch_size=2, maximum_retry_attempts=0)
    stream_mapping = StreamEventSourceMapping(
        renderer,  # type: ignore[arg-type]
        source,
        TableInfo(name="posts", arn="arn:posts", stream_arn=STREAM_ARN),
        stream,  # type: ignore[arg-type]
        dead_letters,  # type: ignore[arg-type]
        on_failure=QueueInfo(name="RenderDLQ", url="render-dlq", arn="arn:render-dlq"),
        shards=2,
        runner=runner,
    )
    router = EventRouter([stream_mapping], runner=runner)

    router.drain(timeout_seconds=60)
    router.close()

    assert dead_letters.descriptions == [], "the first two batches never ran together"
    for key in items:
        versions = [
            int(record["dynamodb"]["NewImage"]["version"]["N"])
            for batch in renderer.batches
            for record in batch
            if record["dynamodb"]["Keys"]["pk"]["S"] == key
        ]
        assert versions == list(range(6)), key
