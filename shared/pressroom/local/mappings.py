"""Lambda's event source mappings, re-enacted against the embedded AWS.

SQS: receive a batch, invoke, delete what succeeded, leave the failures to
come back after their visibility timeout (and, after `maxReceiveCount`
receives, the queue's redrive policy moves them to the dead-letter queue).
DynamoDB Streams: read each shard in order, invoke with the batch, retry
failures from the first failed record, halve a failing batch when the
template asks for bisect-on-error, and when retries run out send the batch's
description to the on-failure destination and move on.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from pressroom.local.provision import QueueInfo, TableInfo
from pressroom.local.runtime import LocalFunction
from pressroom.local.template import EventSource

if TYPE_CHECKING:
    from mypy_boto3_dynamodbstreams import DynamoDBStreamsClient
    from mypy_boto3_sqs import SQSClient

_SQS_RECEIVE_MAX = 10


class EventSourceMapping(Protocol):
    def poll(self) -> int:
        """Deliver at most one batch; return how many records were delivered."""
        ...

    def pending(self) -> int:
        """Records that are waiting or in flight (0 means nothing more will come by itself)."""
        ...


def _invoke(function: LocalFunction, records: Sequence[dict[str, Any]]) -> set[str] | None:
    """Invoke with a batch; the identifiers of the records that failed, or None for all of them."""
    try:
        response = function.invoke({"Records": list(records)})
    except Exception:
        return None
    failures = (response or {}).get("batchItemFailures", []) if isinstance(response, dict) else []
    return {failure["itemIdentifier"] for failure in failures}


class SqsEventSourceMapping:
    def __init__(
        self,
        function: LocalFunction,
        source: EventSource,
        queue: QueueInfo,
        client: SQSClient,
        *,
        retry_after_seconds: int | None = None,
    ) -> None:
        self.function = function
        self.source = source
        self.queue = queue
        self.client = client
        self.retry_after_seconds = retry_after_seconds
        """None: failures wait out the queue's visibility timeout, as on Lambda."""

    def poll(self) -> int:
        response = self.client.receive_message(
            QueueUrl=self.queue.url,
            MaxNumberOfMessages=min(self.source.batch_size, _SQS_RECEIVE_MAX),
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages = response.get("Messages", [])
        if not messages:
            return 0
        records = [self._record(message) for message in messages]
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
        return len(records)

    def pending(self) -> int:
        attributes = self.client.get_queue_attributes(
            QueueUrl=self.queue.url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(
            attributes["ApproximateNumberOfMessagesNotVisible"]
        )

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
    ) -> None:
        if table.stream_arn is None:
            raise ValueError(f"table {table.name} has no stream")
        self.function = function
        self.source = source
        self.stream_arn = table.stream_arn
        self.streams = streams
        self.sqs = sqs
        self.on_failure = on_failure
        self._iterators: dict[str, str | None] = {}
        self._backlog: list[dict[str, Any]] = []

    def poll(self) -> int:
        if not self._backlog:
            self._backlog = self._read()
        if not self._backlog:
            return 0
        batch = self._backlog[: self.source.batch_size]
        self._backlog = self._backlog[len(batch) :]
        self._deliver(batch, attempt=0)
        return len(batch)

    def pending(self) -> int:
        return len(self._backlog)

    def _read(self) -> list[dict[str, Any]]:
        if not self._iterators:
            shards = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
            for shard in shards.get("Shards", []):
                self._iterators[shard["ShardId"]] = self.streams.get_shard_iterator(
                    StreamArn=self.stream_arn,
                    ShardId=shard["ShardId"],
                    ShardIteratorType="TRIM_HORIZON",
                )["ShardIterator"]
        records: list[dict[str, Any]] = []
        for shard_id, iterator in self._iterators.items():
            if iterator is None:
                continue
            response = self.streams.get_records(ShardIterator=iterator, Limit=1000)
            self._iterators[shard_id] = response.get("NextShardIterator")
            records += [self._record(record) for record in response["Records"]]
        if not self.source.filters:
            return records
        # Filtered-out records are consumed, never delivered, as Lambda does.
        return [
            record
            for record in records
            if any(matches(pattern, record) for pattern in self.source.filters)
        ]

    def _deliver(self, batch: list[dict[str, Any]], attempt: int) -> None:
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
            self._send_to_on_failure(remaining, attempt + 1)
            return
        if whole_batch_failed and self.source.bisect_on_error and len(remaining) > 1:
            half = len(remaining) // 2
            self._deliver(remaining[:half], attempt + 1)
            self._deliver(remaining[half:], attempt + 1)
        else:
            self._deliver(remaining, attempt + 1)

    def _send_to_on_failure(self, batch: list[dict[str, Any]], invocations: int) -> None:
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
                "shardId": "local",
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

    def __init__(self, mappings: Sequence[EventSourceMapping]) -> None:
        self.mappings = list(mappings)

    def poll_once(self) -> int:
        return sum(mapping.poll() for mapping in self.mappings)

    def drain(self, *, timeout_seconds: float = 600, idle_sleep: float = 0.05) -> None:
        """Deliver until no mapping has anything left; raise TimeoutError past the timeout."""
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            if self.poll_once():
                continue
            if not any(mapping.pending() for mapping in self.mappings):
                return
            time.sleep(idle_sleep)
        raise TimeoutError(f"the pipeline was still busy after {timeout_seconds:.0f} s")
