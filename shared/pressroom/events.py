"""S3 event notifications, as they arrive in the body of an SQS message."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import unquote_plus

from pressroom.models import Frozen, UtcDatetime

SEQUENCER_WIDTH = 32
"""S3 sequencers are hex strings of varying width; padded to this, string order is event order."""

ContentAction = Literal["created", "removed"]

_ACTIONS: dict[str, ContentAction] = {
    "ObjectCreated": "created",
    "ObjectRemoved": "removed",
    "LifecycleExpiration": "removed",
}


class ContentEvent(Frozen):
    """One change to one object in the content bucket."""

    action: ContentAction
    bucket: str
    key: str
    """Decoded object key (S3 sends it URL-encoded with `+` for spaces)."""
    size: int | None = None
    version_id: str | None = None
    """The object version the event is about, when the bucket is versioned."""
    sequencer: str
    """Normalised: fixed-width upper-case hex, so that `<` on strings orders events."""
    event_time: UtcDatetime


class MalformedEventError(ValueError):
    """A message on the ingest queue that is not an S3 event notification."""


def parse_s3_notification(body: str) -> list[ContentEvent]:
    """The content events in one SQS message body; none for S3's `s3:TestEvent`.

    Accepts what real S3 sends and what moto sends (no sequencer, no
    versionId, `/` encoded as `%2F`).
    """
    try:
        message = json.loads(body)
    except json.JSONDecodeError as error:
        raise MalformedEventError(f"message body is not JSON: {error}") from None
    if not isinstance(message, dict):
        raise MalformedEventError("message body is not a JSON object")
    if message.get("Event") == "s3:TestEvent":
        return []
    records = message.get("Records")
    if not isinstance(records, list):
        raise MalformedEventError("message has no S3 `Records`")
    return [event for record in records if (event := _content_event(record)) is not None]


def _content_event(record: Any) -> ContentEvent | None:
    try:
        category = record["eventName"].split(":", 1)[0]
        s3 = record["s3"]
        event_time = datetime.fromisoformat(record["eventTime"]).astimezone(UTC)
        key = unquote_plus(s3["object"]["key"])
        bucket = s3["bucket"]["name"]
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise MalformedEventError(f"S3 record lacks {error}") from None
    action = _ACTIONS.get(category)
    if action is None:
        # Restores, replication and tagging events change no content.
        return None
    return ContentEvent(
        action=action,
        bucket=bucket,
        key=key,
        size=s3["object"].get("size"),
        version_id=s3["object"].get("versionId") or None,
        sequencer=normalize_sequencer(s3["object"].get("sequencer"), event_time),
        event_time=event_time,
    )


def normalize_sequencer(sequencer: str | None, event_time: datetime) -> str:
    """A sequencer that compares as a string in event order.

    S3's own sequencer (hex, per key) is zero-padded to a fixed width.
    Where an event has none (moto's do not), the event time in microseconds
    stands in: it orders events that are at least a millisecond apart, which
    is the precision of `eventTime`.
    """
    if sequencer:
        try:
            value = int(sequencer, 16)
        except ValueError:
            raise MalformedEventError(f"sequencer {sequencer!r} is not hexadecimal") from None
    else:
        value = int(event_time.timestamp() * 1_000_000)
    return f"{value:0{SEQUENCER_WIDTH}X}"
