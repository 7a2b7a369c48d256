"""Validator: S3 events (via the ingest queue) in; validated documents and index messages out."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from pressroom.adapters import wiring
from pressroom.events import parse_s3_notification
from pressroom.observability import logger, metrics, tracer

processor = BatchProcessor(event_type=EventType.SQS)

_METRIC_BY_ACTION = {
    "upsert": "FilesAccepted",
    "invalid": "FilesRejected",
    "delete": "FilesRemoved",
}


@tracer.capture_method
def record_handler(record: SQSRecord) -> None:
    service = wiring.validator_service()
    for event in parse_s3_notification(record.body):
        message = service.handle(event)
        if message is None:
            logger.info("object already gone; its removal event will follow", key=event.key)
            continue
        logger.info(
            "validated",
            key=event.key,
            action=message.action,
            errors=[issue.describe(event.key) for issue in message.errors],
        )
        metrics.add_metric(name=_METRIC_BY_ACTION[message.action], unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    metrics.add_metric(name="BatchRecords", unit=MetricUnit.Count, value=len(event["Records"]))
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
