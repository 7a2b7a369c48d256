"""Renderer: post-index stream records in, post pages out and their listings asked for;
listing requests in, listings out (two event sources, one function)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import EventType
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from pressroom.adapters import wiring
from pressroom.adapters.dynamodb import (
    ASSET_SORT_KEY,
    CONFIG_SORT_KEY,
    POST_SORT_KEY,
    post_record,
)
from pressroom.batches import (
    FailureLoggingBatchProcessor,
    listing_message_key,
    receive_count,
    stream_item_key,
)
from pressroom.listing_messages import read_listing_message
from pressroom.listings import AssetChange, PostChange, SiteChange
from pressroom.observability import logger, metrics, tracer
from pressroom.services.renderer import ListingBatch, StreamBatch

wiring.register_snapshot_hooks(wiring.renderer_service, wiring.listing_queue)

stream_processor = FailureLoggingBatchProcessor(
    EventType.DynamoDBStreams, logger, source_key=stream_item_key
)
listing_processor = FailureLoggingBatchProcessor(
    EventType.SQS, logger, source_key=listing_message_key
)


Change = PostChange | AssetChange | SiteChange
_CHANGES: dict[str, type[Change]] = {
    POST_SORT_KEY: PostChange,
    ASSET_SORT_KEY: AssetChange,
    CONFIG_SORT_KEY: SiteChange,
}


def post_change(record: DynamoDBRecord) -> Change | None:
    """The post, asset or settings change a stream record carries; None for tag, status
    and site items."""
    stream = record.dynamodb
    sort_key = stream.keys.get("sk") if stream is not None else None
    if stream is None or sort_key not in _CHANGES:
        return None
    old, new = stream.old_image, stream.new_image
    kind = _CHANGES[sort_key]
    return kind(
        old=post_record(old) if old else None,
        new=post_record(new) if new else None,
    )


@tracer.capture_method
def record_handler(record: DynamoDBRecord, batch: StreamBatch) -> Change | None:
    """Render what the record changed; the change, whose listings the batch asks for."""
    change = post_change(record)
    batch.render(change)
    if change is not None:
        metrics.add_metric(
            name=f"{type(change).__name__.removesuffix('Change')}ChangesRendered",
            unit=MetricUnit.Count,
            value=1,
        )
    return change


@stream_processor.logs_batch_failure
def render_stream_batch(
    event: dict[str, Any], context: LambdaContext
) -> PartialItemFailureResponse:
    batch = StreamBatch(
        wiring.renderer_service().configured(), context.get_remaining_time_in_millis
    )
    with stream_processor(
        records=event["Records"],
        handler=lambda record: record_handler(record, batch),
        lambda_context=context,
    ):
        results = stream_processor.process()
    # The listings of the records whose pages are done, asked for once a batch; a failure
    # to ask fails the batch, whose pages are then written again.
    changes = [change for status, change, _ in results if status == "success" and change]
    requests = batch.finish(changes)
    wiring.listing_queue().request(requests)
    logger.info(
        "rendered",
        changes=len(changes),
        pages_deferred=len(batch.deferred),
        listings=len(requests),
        failed=len(stream_processor.fail_messages),
    )
    return stream_processor.response()


@listing_processor.logs_batch_failure
def render_listing_batch(
    event: dict[str, Any], context: LambdaContext
) -> PartialItemFailureResponse:
    records = event["Records"]
    messages = {record["messageId"]: read_listing_message(record["body"]) for record in records}
    batch = ListingBatch(
        wiring.renderer_service().configured(),
        wiring.listing_queue(),
        context.get_remaining_time_in_millis,
        # Every message's listings first, so that each listing is rendered once, from the
        # earliest place any message asks; a message that names none fails on its own.
        requests=[
            request for message in messages.values() if message for request in message.requests
        ],
        retried=any(receive_count(record) > 1 for record in records)
        or any(message and message.failures for message in messages.values()),
    )

    def render(record: SQSRecord) -> None:
        message = messages[record.message_id]
        if message is None:
            raise ValueError(f"a listing-queue message that asks for no listing: {record.body!r}")
        batch.render_message(message)

    with listing_processor(records=records, handler=render, lambda_context=context):
        listing_processor.process()
    for request, (failures, error) in batch.asked_again.items():
        logger.error(
            "listing failed; asked for again", key=request, failures=failures, exc_info=error
        )
    batch.finish()
    metrics.add_metric(name="ListingsRendered", unit=MetricUnit.Count, value=len(batch.rendered))
    logger.info(
        "listings rendered",
        requests=len(records),
        rendered=len(batch.rendered),
        deferred=len(batch.deferred),
        failed=len(batch.failed),
    )
    return listing_processor.response()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    records = event["Records"]
    metrics.add_metric(name="BatchRecords", unit=MetricUnit.Count, value=len(records))
    if records and records[0].get("eventSource") == "aws:sqs":
        return render_listing_batch(event, context)
    return render_stream_batch(event, context)
