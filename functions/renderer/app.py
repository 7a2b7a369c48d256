"""Renderer: post-index stream records in, pages in the site bucket out."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import EventType
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from pressroom.adapters import wiring
from pressroom.adapters.dynamodb import post_record
from pressroom.batches import FailureLoggingBatchProcessor, stream_item_key
from pressroom.listings import PostChange
from pressroom.observability import logger, metrics, tracer

processor = FailureLoggingBatchProcessor(
    EventType.DynamoDBStreams, logger, source_key=stream_item_key
)


def post_change(record: DynamoDBRecord) -> PostChange | None:
    """The post change a stream record carries; None for tag, status and site items."""
    stream = record.dynamodb
    if stream is None or stream.keys.get("sk") != "POST":
        return None
    old, new = stream.old_image, stream.new_image
    return PostChange(
        old=post_record(old) if old else None,
        new=post_record(new) if new else None,
    )


@tracer.capture_method
def record_handler(record: DynamoDBRecord) -> PostChange | None:
    change = post_change(record)
    if change is not None:
        wiring.renderer_service().render_post(change)
        metrics.add_metric(name="PostChangesRendered", unit=MetricUnit.Count, value=1)
    return change


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
@processor.logs_batch_failure
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    metrics.add_metric(name="BatchRecords", unit=MetricUnit.Count, value=len(event["Records"]))
    with processor(records=event["Records"], handler=record_handler, lambda_context=context):
        results = processor.process()
    # Listings are rendered once per batch, from the records whose pages are done.
    changes = [change for status, change, _ in results if status == "success" and change]
    wiring.renderer_service().render_listings(changes)
    logger.info("rendered", posts=len(changes), failed=len(processor.fail_messages))
    return processor.response()
