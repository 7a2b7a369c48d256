"""moto's server, as `pressroom local` runs it, sends the S3 events real S3 sends.

The server answers from threads of the process that started it, so the patch
that gives events a sequencer and a versionId, and announces delete markers,
applies to what it receives over HTTP as it does under mock_aws.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from pressroom_local.emulator import HOST, embedded_aws
from tests.e2e.conftest import free_port


@pytest.fixture
def endpoint_url() -> Iterator[str]:
    with embedded_aws(HOST, free_port()) as aws:
        yield aws.endpoint_url


def _records(sqs: Any, queue_url: str) -> list[dict[str, Any]]:
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    for message in messages:
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return [record for m in messages for record in json.loads(m["Body"]).get("Records", [])]


def test_s3_events_over_http_carry_sequencers_and_delete_markers(endpoint_url: str) -> None:
    session = boto3.Session(region_name="us-east-1")
    s3 = session.client("s3", endpoint_url=endpoint_url)
    sqs = session.client("sqs", endpoint_url=endpoint_url)
    queue_url = sqs.create_queue(QueueName="events")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    s3.create_bucket(Bucket="content")
    s3.put_bucket_versioning(Bucket="content", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_notification_configuration(
        Bucket="content",
        NotificationConfiguration={
            "QueueConfigurations": [
                {"QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]}
            ]
        },
    )
    _records(sqs, queue_url)  # the s3:TestEvent

    s3.put_object(Bucket="content", Key="posts/a.md", Body=b"one")
    s3.put_object(Bucket="content", Key="posts/a.md", Body=b"two")
    s3.delete_object(Bucket="content", Key="posts/a.md")
    records = _records(sqs, queue_url)

    assert [record["eventName"] for record in records] == [
        "ObjectCreated:Put",
        "ObjectCreated:Put",
        "ObjectRemoved:DeleteMarkerCreated",
    ]
    sequencers = [int(record["s3"]["object"]["sequencer"], 16) for record in records]
    assert sequencers == sorted(set(sequencers))
    assert all(record["s3"]["object"].get("versionId") for record in records[:2])
