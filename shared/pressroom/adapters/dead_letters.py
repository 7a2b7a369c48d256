"""SQS: the dead-letter queues, read for `pressroom status` and emptied by `pressroom redrive`.

IngestDLQ and IndexDLQ hold the very messages that failed `maxReceiveCount`
times; redriving sends them back to their source queue. RenderDLQ holds what
Lambda sends an on-failure destination: a description of a stream batch
(shard and sequence numbers), not its records. The renderer is a projection
of the index, so its redrive re-renders the site from the index (what
`pressroom rebuild` does) and then lets the descriptions go. ListingDLQ
holds listing requests (`tag:php`) the renderer failed to render; redriving
asks for them again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from pressroom.exceptions import ConfigurationError
from pressroom.listing_messages import describe_listings, read_listing_message

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import MessageTypeDef

DEAD_LETTER_SOURCES: dict[str, str | None] = {
    "IngestDLQ": "IngestQueue",
    "IndexDLQ": "IndexQueue",
    "RenderDLQ": None,
    "ListingDLQ": "ListingQueue",
}
"""Each dead-letter queue of the template (logical id) and the queue its messages came from
(None: the renderer's stream on-failure destination)."""

_BATCH = 10
_HOLD_SECONDS = 120
"""How long a message read for redrive stays invisible: long enough to send and delete it."""


@dataclass(frozen=True)
class DeadLetterQueue:
    name: str
    """The template's logical id: IngestDLQ, IndexDLQ, RenderDLQ, ListingDLQ."""
    url: str
    source_url: str | None
    """Where its messages go back to; None when they describe stream batches."""


@dataclass(frozen=True)
class DeadLetter:
    queue: str
    message_id: str
    keys: tuple[str, ...]
    """The content-bucket keys the message is about (none when its body names none)."""
    description: str
    """One line for people: the keys, or what the message is when it names none."""
    receive_count: int

    def as_json(self) -> dict[str, Any]:
        return {
            "queue": self.queue,
            "message_id": self.message_id,
            "keys": list(self.keys),
            "description": self.description,
            "receive_count": self.receive_count,
        }


def describe_body(body: str) -> tuple[tuple[str, ...], str]:
    """The keys a dead-lettered message is about, and a line that says what it is."""
    try:
        message = json.loads(body)
    except ValueError:
        message = None
    if isinstance(message, dict):
        if isinstance(message.get("Records"), list):
            keys = tuple(
                unquote_plus(str(record.get("s3", {}).get("object", {}).get("key", "")))
                for record in message["Records"]
                if isinstance(record, dict)
            )
            return keys, "S3 event: " + ", ".join(keys)
        if isinstance(message.get("source_key"), str):
            key = message["source_key"]
            return (key,), f"index message ({message.get('action', '?')}): {key}"
        if isinstance(message.get("release"), str):
            # A schedule's release (a post's publish or expiry time): it names a slug, not a
            # file; redriving it projects the slug again, which is always safe.
            return (), f"release of slug {message['release']!r} at {message.get('at', '?')}"
        if (listings := read_listing_message(body)) is not None:
            return (), f"listing requests: {describe_listings(listings.requests)}"
        batch = message.get("DDBStreamBatchInfo")
        if isinstance(batch, dict):
            return (), (
                f"stream batch of {batch.get('batchSize')} records "
                f"{batch.get('startSequenceNumber')}…{batch.get('endSequenceNumber')}"
            )
    shown = body if len(body) <= 60 else body[:57] + "..."
    return (), f"not an event: {shown!r}"


def dead_letter_queues(urls: Mapping[str, str]) -> tuple[DeadLetterQueue, ...]:
    """The dead-letter queues among `urls` (queue URLs by logical id), with their sources."""
    return tuple(
        DeadLetterQueue(
            name=name, url=urls[name], source_url=urls[source] if source is not None else None
        )
        for name, source in DEAD_LETTER_SOURCES.items()
        if name in urls and (source is None or source in urls)
    )


class SqsDeadLetters:
    def __init__(self, client: SQSClient, queues: Sequence[DeadLetterQueue]) -> None:
        self.client = client
        self.queues = list(queues)

    def queue(self, name: str) -> DeadLetterQueue:
        for queue in self.queues:
            if queue.name == name:
                return queue
        known = ", ".join(queue.name for queue in self.queues)
        raise ConfigurationError(f"no dead-letter queue {name!r} (the stack has {known})")

    def count(self, queue: DeadLetterQueue) -> int:
        attributes = self.client.get_queue_attributes(
            QueueUrl=queue.url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(
            attributes["ApproximateNumberOfMessagesNotVisible"]
        )

    def counts(self) -> dict[str, int]:
        return {queue.name: self.count(queue) for queue in self.queues}

    def peek(self, queue: DeadLetterQueue, *, limit: int = 1000) -> list[DeadLetter]:
        """Read (without removing) up to `limit` messages: each is held briefly, then let go."""
        held = list(self._receive_all(queue, limit=limit))
        for start in range(0, len(held), _BATCH):
            self.client.change_message_visibility_batch(
                QueueUrl=queue.url,
                Entries=[
                    {
                        "Id": str(number),
                        "ReceiptHandle": message["ReceiptHandle"],
                        "VisibilityTimeout": 0,
                    }
                    for number, message in enumerate(held[start : start + _BATCH])
                ],
            )
        letters = []
        for message in held:
            keys, description = describe_body(message["Body"])
            letters.append(
                DeadLetter(
                    queue=queue.name,
                    message_id=message["MessageId"],
                    keys=keys,
                    description=description,
                    receive_count=int(
                        message.get("Attributes", {}).get("ApproximateReceiveCount", "1")
                    ),
                )
            )
        return letters

    def redrive(self, queue: DeadLetterQueue, *, rebuild: Callable[[], object] | None) -> int:
        """Put the queue's messages back where they came from; return how many moved.

        For a queue of stream-batch descriptions, `rebuild` re-renders the site
        from the index first, and only then are the descriptions deleted.
        """
        if queue.source_url is None:
            held = list(self._receive_all(queue, limit=None))
            if held:
                if rebuild is None:
                    raise ConfigurationError(f"{queue.name} is redriven by a rebuild of the site")
                rebuild()
            self._delete(queue, held)
            return len(held)
        moved = 0
        while batch := self._receive(queue, _BATCH):
            response = self.client.send_message_batch(
                QueueUrl=queue.source_url,
                Entries=[
                    {"Id": str(number), "MessageBody": message["Body"]}
                    for number, message in enumerate(batch)
                ],
            )
            sent = {int(entry["Id"]) for entry in response.get("Successful", [])}
            self._delete(queue, [message for number, message in enumerate(batch) if number in sent])
            if failed := response.get("Failed"):
                raise ConfigurationError(f"{queue.name}: could not send back: {failed}")
            moved += len(sent)
        return moved

    def _receive_all(
        self, queue: DeadLetterQueue, *, limit: int | None
    ) -> Iterator[MessageTypeDef]:
        received = 0
        while limit is None or received < limit:
            wanted = _BATCH if limit is None else min(_BATCH, limit - received)
            batch = self._receive(queue, wanted)
            if not batch:
                return
            received += len(batch)
            yield from batch

    def _receive(self, queue: DeadLetterQueue, count: int) -> list[MessageTypeDef]:
        return self.client.receive_message(
            QueueUrl=queue.url,
            MaxNumberOfMessages=count,
            VisibilityTimeout=_HOLD_SECONDS,
            MessageSystemAttributeNames=["ApproximateReceiveCount"],
        ).get("Messages", [])

    def _delete(self, queue: DeadLetterQueue, messages: Sequence[MessageTypeDef]) -> None:
        for start in range(0, len(messages), _BATCH):
            self.client.delete_message_batch(
                QueueUrl=queue.url,
                Entries=[
                    {"Id": str(number), "ReceiptHandle": message["ReceiptHandle"]}
                    for number, message in enumerate(messages[start : start + _BATCH])
                ],
            )
