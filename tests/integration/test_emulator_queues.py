"""The embedded AWS's queues answer as moto's own do, with `scale.cheap_queue_counts`
counting their messages against one clock read."""

from __future__ import annotations

from typing import Any

import boto3
from moto import mock_aws

from pressroom_local.scale import cheap_queue_counts

COUNTS = [
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesDelayed",
    "ApproximateNumberOfMessagesNotVisible",
]


def queue_as_used() -> dict[str, Any]:
    """A queue with messages waiting, delayed and in flight; what it says of them, and
    what a receive then gets."""
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="uploads", Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
    for number in range(6):
        sqs.send_message(QueueUrl=url, MessageBody=f"waiting {number}")
    sqs.send_message(QueueUrl=url, MessageBody="delayed", DelaySeconds=60)
    taken = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2)["Messages"]
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=COUNTS)["Attributes"]
    rest = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    return {
        "counts": counts,
        "taken": len(taken),
        "rest": sorted(message["Body"] for message in rest),
    }


def test_the_counts_and_receives_are_moto_s_own() -> None:
    with mock_aws():
        expected = queue_as_used()
    with mock_aws(), cheap_queue_counts():
        answered = queue_as_used()

    assert answered == expected
    assert expected["counts"] == {
        "ApproximateNumberOfMessages": "4",
        "ApproximateNumberOfMessagesDelayed": "1",
        "ApproximateNumberOfMessagesNotVisible": "2",
    }
