"""The local router batches a stream as Lambda does: a batch goes when it is full, when its
payload reaches 6 MB, or when its window has run since its first record; and at once when
nothing more is on its way to it."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from pressroom.local.mappings import EventRouter, StreamEventSourceMapping
from pressroom.local.provision import QueueInfo, TableInfo
from pressroom.local.template import EventSource

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
