"""SQS: the index queue between the validator and the indexer, and the listing queue from
the renderer's stream batches to its listing batches."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from pressroom.exceptions import TransientStoreError
from pressroom.listing_messages import listing_message_bodies
from pressroom.models import IndexMessage

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

MAX_BATCH_ENTRIES = 10
MAX_BATCH_BYTES = 256 * 1024
"""SendMessageBatch's limits: ten entries, and 256 KiB of bodies in all."""


class SqsIndexQueue:
    def __init__(self, client: SQSClient, queue_url: str) -> None:
        self.client = client
        self.queue_url = queue_url

    def send(self, messages: Sequence[IndexMessage]) -> dict[int, str]:
        """Send `messages`, ten to a request; the positions of those not sent, with why."""
        return _send(self.client, self.queue_url, [m.model_dump_json() for m in messages])


class SqsListingQueue:
    def __init__(self, client: SQSClient, queue_url: str) -> None:
        self.client = client
        self.queue_url = queue_url

    def request(self, requests: Sequence[str], *, failures: int = 0) -> None:
        bodies = listing_message_bodies(requests, failures)
        unsent = _send(self.client, self.queue_url, bodies)
        if unsent:
            position, reason = next(iter(unsent.items()))
            raise TransientStoreError(
                f"{len(unsent)} of {len(bodies)} listing messages were not sent "
                f"({bodies[position][:80]}: {reason})"
            )


def _send(client: SQSClient, queue_url: str, bodies: Sequence[str]) -> dict[int, str]:
    """Send `bodies` in as few requests as SendMessageBatch allows; the positions of those
    not sent, with why."""
    unsent: dict[int, str] = {}
    for chunk in _chunks(bodies):
        try:
            response = client.send_message_batch(
                QueueUrl=queue_url,
                Entries=[
                    {"Id": str(position), "MessageBody": bodies[position]} for position in chunk
                ],
            )
        except (BotoCoreError, ClientError) as error:
            # Retries ran out for the whole request: none of its messages went.
            unsent |= dict.fromkeys(chunk, str(error))
            continue
        for failed in response.get("Failed", []):
            unsent[int(failed["Id"])] = f"{failed['Code']}: {failed.get('Message', '')}"
    return unsent


def _chunks(bodies: Sequence[str]) -> Iterator[list[int]]:
    """Positions of `bodies`, in order, grouped within SendMessageBatch's limits."""
    chunk: list[int] = []
    size = 0
    for position, body in enumerate(bodies):
        body_bytes = len(body.encode("utf-8"))
        if chunk and (len(chunk) == MAX_BATCH_ENTRIES or size + body_bytes > MAX_BATCH_BYTES):
            yield chunk
            chunk, size = [], 0
        chunk.append(position)
        size += body_bytes
    if chunk:
        yield chunk
