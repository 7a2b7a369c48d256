"""Lambda's event source mappings, re-enacted against the embedded AWS.

SQS: receive a batch, invoke, delete what succeeded, leave the failures to
come back after their visibility timeout (and, after `maxReceiveCount`
receives, the queue's redrive policy moves them to the dead-letter queue).
DynamoDB Streams: read each shard in order, gather records into a batch until
it is full, its payload reaches Lambda's 6 MB, or its batching window has run
since its first record; invoke with the batch, retry failures from the first
failed record, halve a failing batch when the template asks for
bisect-on-error (halving uses up no retries), and when retries run out send
the batch's description to the on-failure destination and move on.

Concurrency, as Lambda has it: an SQS mapping keeps up to its
ScalingConfig.MaximumConcurrency batches in flight; the stream is split into
shards (moto runs one shard a table, so its records are dealt to virtual
shards by a hash of the item's key, which keeps each item's records on one
shard, in order, as DynamoDB does), one batch in flight per shard and several
shards at once. Batches run on a `Runner`: threads that wait on the
functions' sandboxes, or, in the deterministic mode, in line, one at a time,
queues and shards served in a seeded order.

One liberty with time: when no mapping upstream of a batch still gathering
has a record waiting or in flight, nothing is on its way to it, and the router
closes it at once instead of waiting out the rest of its window. Lambda would wait in
case more uploads come; locally that would only delay the page (and every
`drain()`), while a burst of uploads still fills batches as it does on Lambda.
"""

from __future__ import annotations

import json
import random
import threading
import time
import zlib
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from pressroom_local.provision import QueueInfo, TableInfo
from pressroom_local.runtime import LocalFunction
from pressroom_local.template import EventSource

if TYPE_CHECKING:
    from mypy_boto3_dynamodbstreams import DynamoDBStreamsClient
    from mypy_boto3_sqs import SQSClient

_SQS_RECEIVE_MAX = 10
_DEFAULT_SQS_CONCURRENCY = 5
"""Batches in flight for an SQS mapping without ScalingConfig (Lambda would scale further)."""
_MAX_PAYLOAD_BYTES = 6 * 1024 * 1024
"""Lambda's limit on a synchronous invocation's payload: no batch grows past it."""


class EventSourceMapping(Protocol):
    def poll(self) -> int:
        """Deliver at most one batch that is due; return how many records were delivered."""
        ...

    def gathering(self) -> int:
        """Records held in a batch that waits for more (its window still open)."""
        ...

    def flush(self) -> int:
        """Deliver the batch that is gathering, window or not; how many records it held."""
        ...

    def pending(self) -> int:
        """Records that are waiting or in flight (0 means nothing more will come by itself)."""
        ...


class Runner(Protocol):
    def lanes(self, limit: int) -> int:
        """How many batches of a mapping allowed `limit` may be in flight at once."""
        ...

    def run(self, batch: Callable[[], None]) -> None:
        """Deliver a batch: now, or on a thread of its own."""
        ...


class InLine:
    """One batch at a time, delivered before `run` returns: the deterministic mode."""

    def lanes(self, limit: int) -> int:
        return 1

    def run(self, batch: Callable[[], None]) -> None:
        batch()


class OnThreads:
    """Each batch on a thread, which waits while a function's sandbox works on it."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(thread_name_prefix="pressroom-batch")
        self._failures: list[BaseException] = []
        self._lock = threading.Lock()

    def lanes(self, limit: int) -> int:
        return limit

    def run(self, batch: Callable[[], None]) -> None:
        self._executor.submit(batch).add_done_callback(self._keep_failure)

    def _keep_failure(self, done: Future[None]) -> None:
        failure = done.exception()
        if failure is not None:
            with self._lock:
                self._failures.append(failure)

    def raise_failure(self) -> None:
        """A batch that failed outside the function (the queue or stream itself) fails the
        router's poll, as it would had it run in line."""
        with self._lock:
            failure = self._failures.pop(0) if self._failures else None
        if failure is not None:
            raise failure

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


def _invoke(function: LocalFunction, records: Sequence[dict[str, Any]]) -> set[str] | None:
    """Invoke with a batch; the identifiers of the records that failed, or None for all of them."""
    try:
        response = function.invoke({"Records": list(records)})
    except Exception:
        return None
    failures = (response or {}).get("batchItemFailures", []) if isinstance(response, dict) else []
    return {failure["itemIdentifier"] for failure in failures}


class SqsEventSourceMapping:
    """An SQS queue's mapping. One whose batch is larger than a receive (ten messages)
    gathers, as Lambda does: it receives until the batch is full or its batching window has
    run since the first message (or the router closes it), then invokes with all of it."""

    def __init__(
        self,
        function: LocalFunction,
        source: EventSource,
        queue: QueueInfo,
        client: SQSClient,
        *,
        retry_after_seconds: int | None = None,
        runner: Runner | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.function = function
        self.source = source
        self.queue = queue
        self.client = client
        self.retry_after_seconds = retry_after_seconds
        """None: failures wait out the queue's visibility timeout, as on Lambda."""
        self.runner = runner or InLine()
        self.lanes = self.runner.lanes(source.maximum_concurrency or _DEFAULT_SQS_CONCURRENCY)
        self.clock = clock
        self._in_flight = 0
        self._lock = threading.Lock()
        self._gathers = source.batch_size > _SQS_RECEIVE_MAX
        self._gathered: list[dict[str, Any]] = []
        self._gathering_since = 0.0

    def poll(self) -> int:
        """Start a batch in each free lane while the queue has messages."""
        if self._gathers:
            return self._gather()
        delivered = 0
        for _ in range(self.lanes):
            with self._lock:
                if self._in_flight >= self.lanes:
                    break
                self._in_flight += 1
            records = self._receive()
            if not records:
                self._done()
                break
            self.runner.run(lambda records=records: self._deliver(records))  # type: ignore[misc]
            delivered += len(records)
        return delivered

    def _gather(self) -> int:
        """Receive into the gathering batch; deliver it if it is full or its window has run."""
        with self._lock:
            if self._in_flight >= self.lanes:
                return 0
        while len(self._gathered) < self.source.batch_size:
            records = self._receive(self.source.batch_size - len(self._gathered))
            if not records:
                break
            if not self._gathered:
                self._gathering_since = self.clock()
            self._gathered += records
        full = len(self._gathered) >= self.source.batch_size
        window_over = self.clock() - self._gathering_since >= self.source.batching_window_seconds
        return self.flush() if self._gathered and (full or window_over) else 0

    def _receive(self, limit: int = _SQS_RECEIVE_MAX) -> list[dict[str, Any]]:
        response = self.client.receive_message(
            QueueUrl=self.queue.url,
            MaxNumberOfMessages=min(self.source.batch_size, _SQS_RECEIVE_MAX, limit),
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        return [self._record(message) for message in response.get("Messages", [])]

    def _done(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _deliver(self, records: list[dict[str, Any]]) -> None:
        try:
            self._settle(records)
        finally:
            self._done()

    def _settle(self, records: list[dict[str, Any]]) -> None:
        """Invoke, then delete what succeeded and leave the failures to come back."""
        failed = _invoke(self.function, records)
        if failed is not None and not self.source.report_batch_item_failures:
            failed = set()  # Without ReportBatchItemFailures a returned list means nothing.
        failed_ids = {record["messageId"] for record in records} if failed is None else failed
        succeeded = [record for record in records if record["messageId"] not in failed_ids]
        for start in range(0, len(succeeded), _SQS_RECEIVE_MAX):
            chunk = succeeded[start : start + _SQS_RECEIVE_MAX]
            self.client.delete_message_batch(
                QueueUrl=self.queue.url,
                Entries=[
                    {"Id": str(index), "ReceiptHandle": record["receiptHandle"]}
                    for index, record in enumerate(chunk)
                ],
            )
        if self.retry_after_seconds is not None:
            for record in records:
                if record["messageId"] in failed_ids:
                    self.client.change_message_visibility(
                        QueueUrl=self.queue.url,
                        ReceiptHandle=record["receiptHandle"],
                        VisibilityTimeout=self.retry_after_seconds,
                    )

    def gathering(self) -> int:
        # Without gathering, a receive takes what the queue holds: messages wait there.
        return len(self._gathered)

    def flush(self) -> int:
        with self._lock:
            if self._in_flight >= self.lanes or not self._gathered:
                return 0
            self._in_flight += 1
            batch, self._gathered = self._gathered, []
        self.runner.run(lambda: self._deliver(batch))
        return len(batch)

    def pending(self) -> int:
        """Messages waiting or in flight, less those gathered here: they lead to nothing
        until this mapping delivers them, so they hold no other mapping's batch open."""
        attributes = self.client.get_queue_attributes(
            QueueUrl=self.queue.url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        queued = int(attributes["ApproximateNumberOfMessages"]) + int(
            attributes["ApproximateNumberOfMessagesNotVisible"]
        )
        return queued - len(self._gathered)

    def _record(self, message: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": message.get("MessageAttributes", {}),
            "md5OfBody": message["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": self.queue.arn,
            "awsRegion": self.function.region,
        }


class _Gathered(NamedTuple):
    """A stream record read and not yet delivered."""

    read_at: float
    record: dict[str, Any]
    size: int
    """Its bytes in the invocation's payload."""


class _Shard:
    """A virtual shard: its records in stream order, and at most one batch of them in flight."""

    def __init__(self, shard_id: str) -> None:
        self.shard_id = shard_id
        self.backlog: list[_Gathered] = []
        self.in_flight = 0
        """Records of the batch being delivered (0: none)."""


def shard_of(record: Mapping[str, Any], shards: int) -> int:
    """The shard an item's records go to: a stable hash of its key, so that one item's
    records stay on one shard, in order, as DynamoDB keeps them."""
    key = json.dumps(record["dynamodb"]["Keys"], sort_keys=True).encode()
    return zlib.crc32(key) % shards


class StreamEventSourceMapping:
    def __init__(
        self,
        function: LocalFunction,
        source: EventSource,
        table: TableInfo,
        streams: DynamoDBStreamsClient,
        sqs: SQSClient,
        *,
        on_failure: QueueInfo | None,
        clock: Callable[[], float] = time.monotonic,
        shards: int = 1,
        runner: Runner | None = None,
        order: random.Random | None = None,
    ) -> None:
        if table.stream_arn is None:
            raise ValueError(f"table {table.name} has no stream")
        self.function = function
        self.source = source
        self.stream_arn = table.stream_arn
        self.streams = streams
        self.sqs = sqs
        self.on_failure = on_failure
        self.clock = clock
        self.runner = runner or InLine()
        self.order = order
        self._iterators: dict[str, str | None] = {}
        self._read_up_to: dict[str, str] = {}
        """Each shard's last sequence number read: where a new iterator starts."""
        self._shards = [_Shard(f"shardId-local-{number}") for number in range(shards)]
        self._lock = threading.Lock()

    def poll(self) -> int:
        with self._lock:
            waiting = sum(len(shard.backlog) for shard in self._shards)
        # Read on only while the shards hold less than a batch each: records wait in the
        # stream, not here, when the function falls behind.
        if waiting < self.source.batch_size * len(self._shards):
            now = self.clock()
            for record in self._read():
                shard = self._shards[shard_of(record, len(self._shards))]
                with self._lock:
                    shard.backlog.append(_Gathered(now, record, len(json.dumps(record))))
        return self._deliver_due(closing=False)

    def gathering(self) -> int:
        with self._lock:
            return sum(len(shard.backlog) for shard in self._shards if not shard.in_flight)

    def flush(self) -> int:
        return self._deliver_due(closing=True)

    def pending(self) -> int:
        with self._lock:
            return sum(len(shard.backlog) + shard.in_flight for shard in self._shards)

    def _deliver_due(self, *, closing: bool) -> int:
        """Start the next batch of every shard that has none in flight and one due."""
        shards = list(self._shards)
        if self.order is not None:
            self.order.shuffle(shards)
        delivered = 0
        for shard in shards:
            with self._lock:
                batch = None if shard.in_flight else self._take_batch(shard, closing=closing)
                if batch:
                    shard.in_flight = len(batch)
            if batch:
                self.runner.run(lambda shard=shard, batch=batch: self._deliver_on(shard, batch))  # type: ignore[misc]
                delivered += len(batch)
        return delivered

    def _take_batch(self, shard: _Shard, *, closing: bool) -> list[dict[str, Any]] | None:
        """The shard's next batch if it is due (or `closing`), taken off its backlog."""
        if not shard.backlog:
            return None
        count, payload = 0, 0
        for gathered in shard.backlog:
            if count == self.source.batch_size or (
                count and payload + gathered.size > _MAX_PAYLOAD_BYTES
            ):
                break
            count, payload = count + 1, payload + gathered.size
        full = count < len(shard.backlog) or count == self.source.batch_size
        gathering_since = self.clock() - shard.backlog[0].read_at
        if not (full or closing or gathering_since >= self.source.batching_window_seconds):
            return None
        batch = [gathered.record for gathered in shard.backlog[:count]]
        del shard.backlog[:count]
        return batch

    def _deliver_on(self, shard: _Shard, batch: list[dict[str, Any]]) -> None:
        try:
            self._deliver(batch, attempt=0, shard_id=shard.shard_id)
        finally:
            with self._lock:
                shard.in_flight = 0

    def _read(self) -> list[dict[str, Any]]:
        if not self._iterators:
            shards = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
            for shard in shards.get("Shards", []):
                self._iterators[shard["ShardId"]] = self._iterator(shard["ShardId"])
        records: list[dict[str, Any]] = []
        for shard_id, iterator in list(self._iterators.items()):
            if iterator is None:
                continue
            try:
                response = self.streams.get_records(ShardIterator=iterator, Limit=1000)
            except Exception:
                # An iterator is spent by the read it serves: a read whose answer was lost
                # (a timeout, then botocore's retry) fails for good with it. Lambda's poller
                # takes a new iterator after the last record it read, and so does this.
                self._iterators[shard_id] = self._iterator(shard_id)
                continue
            self._iterators[shard_id] = response.get("NextShardIterator")
            if response["Records"]:
                self._read_up_to[shard_id] = response["Records"][-1]["dynamodb"]["SequenceNumber"]
            records += [self._record(record) for record in response["Records"]]
        if not self.source.filters:
            return records
        # Filtered-out records are consumed, never delivered, as Lambda does.
        return [
            record
            for record in records
            if any(matches(pattern, record) for pattern in self.source.filters)
        ]

    def _iterator(self, shard_id: str) -> str:
        """An iterator from the shard's start, or after the last record read from it."""
        last = self._read_up_to.get(shard_id)
        position: dict[str, Any] = (
            {"ShardIteratorType": "TRIM_HORIZON"}
            if last is None
            else {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": last}
        )
        return self.streams.get_shard_iterator(
            StreamArn=self.stream_arn, ShardId=shard_id, **position
        )["ShardIterator"]

    def _deliver(self, batch: list[dict[str, Any]], attempt: int, shard_id: str) -> None:
        failed = _invoke(self.function, batch)
        if failed is not None and not failed:
            return
        if failed is None:
            remaining, whole_batch_failed = batch, True
        else:
            # Lambda retries from the first record the function reported.
            sequence_numbers = [record["dynamodb"]["SequenceNumber"] for record in batch]
            first = min(sequence_numbers.index(identifier) for identifier in failed)
            remaining, whole_batch_failed = batch[first:], False
        retries = self.source.maximum_retry_attempts
        if retries >= 0 and attempt >= retries:
            self._send_to_on_failure(remaining, attempt + 1, shard_id)
            return
        if whole_batch_failed and self.source.bisect_on_error and len(remaining) > 1:
            # As on Lambda, splitting a batch does not use up its retries: a batch of a
            # hundred is not parked for the bisections that isolate one failing record.
            half = len(remaining) // 2
            self._deliver(remaining[:half], attempt, shard_id)
            self._deliver(remaining[half:], attempt, shard_id)
        else:
            self._deliver(remaining, attempt + 1, shard_id)

    def _send_to_on_failure(
        self, batch: list[dict[str, Any]], invocations: int, shard_id: str
    ) -> None:
        if self.on_failure is None:
            return
        first, last = batch[0]["dynamodb"], batch[-1]["dynamodb"]
        # The shape Lambda sends to an on-failure destination: where the
        # batch is, not the records themselves.
        description = {
            "requestContext": {
                "requestId": first["SequenceNumber"],
                "functionArn": self.function.name,
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": invocations,
            },
            "responseContext": {"statusCode": 200, "functionError": "Unhandled"},
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(),
            "DDBStreamBatchInfo": {
                "shardId": shard_id,
                "startSequenceNumber": first["SequenceNumber"],
                "endSequenceNumber": last["SequenceNumber"],
                "approximateArrivalOfFirstRecord": first.get("ApproximateCreationDateTime"),
                "approximateArrivalOfLastRecord": last.get("ApproximateCreationDateTime"),
                "batchSize": len(batch),
                "streamArn": self.stream_arn,
            },
        }
        self.sqs.send_message(QueueUrl=self.on_failure.url, MessageBody=json.dumps(description))

    def _record(self, record: Mapping[str, Any]) -> dict[str, Any]:
        stream = dict(record["dynamodb"])
        created = stream.get("ApproximateCreationDateTime")
        if isinstance(created, datetime):
            stream["ApproximateCreationDateTime"] = created.timestamp()
        return {
            "eventID": record["eventID"],
            "eventName": record["eventName"],
            "eventVersion": record.get("eventVersion", "1.1"),
            "eventSource": "aws:dynamodb",
            "awsRegion": self.function.region,
            "dynamodb": stream,
            "eventSourceARN": self.stream_arn,
        }


def matches(pattern: Mapping[str, Any], record: Mapping[str, Any]) -> bool:
    """Lambda's event filtering, for the exact-value patterns the template uses.

    A pattern mirrors the record's shape; a list at a leaf names the values
    allowed there. Other filter rules (prefix, numeric, exists) are refused
    rather than guessed at.
    """
    for name, expected in pattern.items():
        if name not in record:
            return False
        actual = record[name]
        if isinstance(expected, dict):
            if not isinstance(actual, Mapping) or not matches(expected, actual):
                return False
        elif isinstance(expected, list):
            if any(isinstance(value, dict) for value in expected):
                raise ValueError(f"the local router supports exact-value filters only: {expected}")
            if actual not in expected:
                return False
        else:
            raise ValueError(f"a filter pattern leaf must be a list: {name}: {expected!r}")
    return True


class EventRouter:
    """Polls every mapping until the whole pipeline is quiet."""

    def __init__(
        self,
        mappings: Sequence[EventSourceMapping],
        *,
        runner: OnThreads | None = None,
        order: random.Random | None = None,
    ) -> None:
        self.mappings = list(mappings)
        self.runner = runner
        """The threads the mappings deliver on (None: in line)."""
        self.order = order

    def poll_once(self) -> int:
        mappings = list(self.mappings)
        if self.order is not None:
            self.order.shuffle(mappings)
        delivered = sum(mapping.poll() for mapping in mappings)
        for mapping in mappings:
            if mapping.gathering() and not self._on_the_way(besides=mapping):
                delivered += mapping.flush()
        if self.runner is not None:
            self.runner.raise_failure()
        return delivered

    def _on_the_way(self, *, besides: EventSourceMapping) -> bool:
        """Whether a mapping upstream of `besides` still holds records, which may lead to
        more for it. The mappings come in pipeline order (the template's: validator,
        indexer, the renderer's stream, then its listing requests), and records flow
        only downstream, so a batch in flight below one never holds its batch open."""
        upstream = self.mappings[: self.mappings.index(besides)]
        return any(mapping.pending() for mapping in upstream)

    def drain(self, *, timeout_seconds: float = 600, idle_sleep: float = 0.02) -> None:
        """Deliver until no mapping has anything left; raise TimeoutError past the timeout."""
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            # Quiet only after a poll that began with nothing in flight: a batch that ends
            # during the poll may have written records that no mapping has read yet.
            busy = self._busy()
            if self.poll_once():
                continue
            if not busy and not self._busy():
                return
            if busy:
                time.sleep(idle_sleep)
        raise TimeoutError(f"the pipeline was still busy after {timeout_seconds:.0f} s")

    def _busy(self) -> bool:
        return any(mapping.pending() for mapping in self.mappings)

    def close(self) -> None:
        """Let the batches in flight finish; deliver no more."""
        if self.runner is not None:
            self.runner.close()
