"""Indexer: index messages in, conditional writes to the post index out; releases (a
scheduled post's time has come) in, the post published or expired."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import TypeAdapter, ValidationError

from pressroom.adapters import wiring
from pressroom.batches import FailureKeeping, FailureLoggingBatchProcessor, index_message_key
from pressroom.models import IndexMessage, ReleaseMessage
from pressroom.observability import logger, metrics, tracer

# The body is parsed here rather than by a Parser model: Powertools' parser
# package builds a model for every AWS event type when it is imported.
wiring.register_snapshot_hooks(wiring.indexer_service)

processor = FailureLoggingBatchProcessor(
    EventType.SQS,
    logger,
    source_key=index_message_key,
    keep_failures=FailureKeeping("indexer", wiring.record_index_failure),
)


_BODY = TypeAdapter(IndexMessage | ReleaseMessage)
"""What the index queue carries: an upload's message from the validator, or a release from
a one-time schedule."""


def _messages(records: list[dict[str, Any]]) -> Iterator[IndexMessage]:
    """The batch's messages that parse; the processor fails each of the others with its
    error when it comes to it."""
    for record in records:
        try:
            yield IndexMessage.model_validate_json(record["body"])
        except ValidationError:
            continue


@tracer.capture_method
def record_handler(record: SQSRecord) -> None:
    message = _BODY.validate_json(record.body)
    plan = wiring.indexer_service().handle(message)
    if isinstance(message, ReleaseMessage):
        logger.info(
            "released", slug=message.release, at=message.at.isoformat(), outcome=plan.outcome
        )
        return
    key, action, sequencer = message.source_key, message.action, message.sequencer
    if plan.outcome == "conflict":
        # Not published until its author acts, as with a refused file: in the words `status` shows.
        errors = [issue.describe(key) for issue in plan.errors]
        logger.warning(
            "waiting for its slug", key=key, action=action, sequencer=sequencer, errors=errors
        )
    else:
        logger.info("indexed", key=key, action=action, outcome=plan.outcome, sequencer=sequencer)
    metrics.add_metric(name=f"Index{plan.outcome.capitalize()}", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
@processor.logs_batch_failure
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    metrics.add_metric(name="BatchRecords", unit=MetricUnit.Count, value=len(event["Records"]))
    try:
        wiring.indexer_service().read_ahead(_messages(event["Records"]))
    except Exception:
        # Reading ahead only saves requests; each message reads its own items without it.
        # One message's key that DynamoDB refuses must not fail the others with it.
        logger.warning("could not read the batch's items ahead", exc_info=True)
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
