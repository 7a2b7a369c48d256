"""Powertools' batch processor, with every failed record logged where an operator looks.

Powertools 3 logs a failed record only when given a logger, and then at
WARNING, with the traceback but nothing that says which file the record was
about. A record that fails here is retried and may end in a dead-letter
queue; the log line that explains why must say so at ERROR and name the
source key that `pressroom status KEY` is asked about.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar, cast
from urllib.parse import unquote_plus

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.batch.base import FailureResponse
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError, ExceptionInfo

from pressroom.listing_messages import describe_listings, read_listing_message
from pressroom.models import RecordFailure

SourceKey = Callable[[Mapping[str, Any]], str | None]
"""What a record is about (an S3 key, a post's item key); None when it cannot be told."""

FailureRecorder = Callable[[str, RecordFailure], None]
"""Keeps a failure where `pressroom status KEY` finds it."""


@dataclass(frozen=True)
class FailureKeeping:
    """Where a function keeps its failures, and the name it signs them with."""

    function: str
    record: FailureRecorder


_ERROR_CHARS = 500

_Handler = TypeVar("_Handler", bound=Callable[[dict[str, Any], Any], Any])


class FailureLoggingBatchProcessor(BatchProcessor):
    def __init__(
        self,
        event_type: EventType,
        logger: Logger,
        source_key: SourceKey,
        keep_failures: FailureKeeping | None = None,
    ) -> None:
        # Not Powertools' own `logger=`: it would log each failure a second time, at WARNING.
        super().__init__(event_type=event_type)
        self.failure_logger = logger
        self.source_key = source_key
        self.keep_failures = keep_failures

    def logs_batch_failure(self, handler: _Handler) -> _Handler:
        """The handler, logging at ERROR, with the keys of every record, a failure of the
        batch as a whole (after its records were processed, such as the renderer's
        listings): Lambda's runtime logs the traceback but not which files went back."""

        @functools.wraps(handler)
        def handle(event: dict[str, Any], context: Any) -> Any:
            try:
                return handler(event, context)
            except BatchProcessingError:
                raise  # every record failed, and each was logged with its own key and cause
            except Exception as error:
                records = event.get("Records") or [] if isinstance(event, Mapping) else []
                keys = [key for record in records if (key := _safely(self.source_key, record))]
                self.failure_logger.error(
                    "batch failed; every record goes back to be retried",
                    key=", ".join(keys) or None,
                    exc_info=error,
                )
                raise

        return cast("_Handler", handle)

    def failure_handler(self, record: Any, exception: ExceptionInfo) -> FailureResponse:
        key = _safely(self.source_key, record)
        self.failure_logger.error(
            "record failed; it goes back to be retried", key=key, exc_info=exception[1]
        )
        if key is not None and self.keep_failures is not None:
            self._keep(self.keep_failures, key, record, exception[1])
        return super().failure_handler(record, exception)

    def _keep(
        self, keeping: FailureKeeping, key: str, record: Any, error: BaseException | None
    ) -> None:
        failure = RecordFailure(
            function=keeping.function,
            error=f"{type(error).__name__}: {error}"[:_ERROR_CHARS],
            receive_count=receive_count(record),
            at=datetime.now(UTC),
        )
        try:
            keeping.record(key, failure)
        except Exception:
            self.failure_logger.warning("the failure could not be kept for status", key=key)


def receive_count(record: Any) -> int:
    """How many times SQS has delivered a record's message, this time included (1 for a
    record that carries no count)."""
    attributes = record.get("attributes") or {} if isinstance(record, Mapping) else {}
    return int(attributes.get("ApproximateReceiveCount", 1))


def _safely(source_key: SourceKey, record: Any) -> str | None:
    """A record that failed may be malformed in any way: finding its key must not fail too."""
    try:
        return source_key(record)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def s3_keys(record: Mapping[str, Any]) -> str | None:
    """An ingest-queue record: the object keys its S3 notification names, read without the
    checks that parsing makes (the record may have failed them)."""
    notification = json.loads(record["body"])
    keys = [unquote_plus(entry["s3"]["object"]["key"]) for entry in notification["Records"]]
    return ", ".join(keys) or None


def index_message_key(record: Mapping[str, Any]) -> str | None:
    """An index-queue record: its message's source key."""
    message = json.loads(record["body"])
    key = message.get("source_key") if isinstance(message, dict) else None
    return key if isinstance(key, str) else None


def listing_message_key(record: Mapping[str, Any]) -> str | None:
    """A listing-queue record: the listings it asks for (`tag:php@<place>, newest`), the
    first few named; None for a body that names none."""
    message = read_listing_message(record["body"])
    return describe_listings(message.requests) if message else None


def stream_item_key(record: Mapping[str, Any]) -> str | None:
    """A stream record: its item's key (`POST#<slug>/POST` for a post), as stored."""
    keys = record["dynamodb"]["Keys"]
    return "/".join(str(next(iter(value.values()))) for value in keys.values())
