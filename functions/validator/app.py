"""Validator: S3 events (via the ingest queue) in; validated documents and index messages out."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import EventType
from aws_lambda_powertools.utilities.batch.types import (
    PartialItemFailureResponse,
    PartialItemFailures,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from pressroom.adapters import wiring
from pressroom.batches import FailureLoggingBatchProcessor, s3_keys
from pressroom.events import parse_s3_notification
from pressroom.models import IndexMessage
from pressroom.observability import logger, metrics, tracer

wiring.register_snapshot_hooks(wiring.validator_service)

processor = FailureLoggingBatchProcessor(EventType.SQS, logger, source_key=s3_keys)

_METRIC_BY_ACTION = {
    "upsert": "FilesAccepted",
    "invalid": "FilesRejected",
    "delete": "FilesRemoved",
}


@tracer.capture_method
def record_handler(record: SQSRecord) -> list[IndexMessage]:
    """Validate what the record's S3 notification names; the messages for the indexer."""
    service = wiring.validator_service()
    messages: list[IndexMessage] = []
    for event in parse_s3_notification(record.body):
        message = service.handle(event)
        if message is None:
            logger.info("object already gone; its removal event will follow", key=event.key)
            continue
        if message.action == "invalid":
            # A clean refusal, the author's to fix: in the words `status` and `publish` show.
            errors = [issue.describe(event.key) for issue in message.errors]
            logger.warning("refused", key=event.key, errors=errors)
        else:
            logger.info("validated", key=event.key, action=message.action)
        messages.append(message)
    return messages


@tracer.capture_method
def send_index_messages(validated: dict[str, list[IndexMessage]]) -> list[PartialItemFailures]:
    """One SendMessageBatch per ten messages of the whole batch; a record whose messages
    did not all go fails, so that it is validated and sent again."""
    unsent = wiring.validator_service().send(validated)
    for message_id, reason in unsent.items():
        keys = ", ".join(message.source_key for message in validated[message_id])
        logger.error(
            "index messages not sent; the record goes back to be retried",
            key=keys,
            message_id=message_id,
            reason=reason,
        )
    for message_id in validated.keys() - unsent.keys():
        for message in validated[message_id]:
            metrics.add_metric(
                name=_METRIC_BY_ACTION[message.action], unit=MetricUnit.Count, value=1
            )
    return [{"itemIdentifier": message_id} for message_id in unsent]


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
@processor.logs_batch_failure
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    metrics.add_metric(name="BatchRecords", unit=MetricUnit.Count, value=len(event["Records"]))
    with processor(records=event["Records"], handler=record_handler, lambda_context=context):
        results = processor.process()
    validated = {
        record["messageId"]: messages for status, messages, record in results if status == "success"
    }
    failed = processor.response()["batchItemFailures"] + send_index_messages(validated)
    return {"batchItemFailures": failed}
