"""The embedded AWS frees what moto lets go of: `scale.live_models_only` keeps moto's register
of model instances (`instances_tracked`) to the live ones, and moto answers as before."""

from __future__ import annotations

import gc
from collections.abc import Iterable
from typing import Any

import boto3
from moto import mock_aws
from moto.dynamodb.models.dynamo_type import Item
from moto.s3.models import FakeKey
from moto.sqs.models import Message

from pressroom_local.scale import LiveInstances, live_models_only

REWRITES = 30


def used_over_and_over() -> dict[str, Any]:
    """One index item, one page and one queue, each written many times, as the functions
    write a listing; what a reader then gets of them."""
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    dynamodb.create_table(
        TableName="posts",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="site")
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="listings")["QueueUrl"]
    for number in range(REWRITES):
        dynamodb.put_item(
            TableName="posts", Item={"pk": {"S": "tag#news"}, "count": {"N": str(number)}}
        )
        dynamodb.update_item(
            TableName="posts",
            Key={"pk": {"S": "tag#news"}},
            UpdateExpression="SET seen = :number",
            ExpressionAttributeValues={":number": {"N": str(number)}},
        )
        s3.put_object(Bucket="site", Key="tags/news/index.html", Body=f"page {number}".encode())
        sqs.send_message(QueueUrl=url, MessageBody=f"listing {number}")
        for message in sqs.receive_message(QueueUrl=url)["Messages"]:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    sqs.send_message(QueueUrl=url, MessageBody="waiting")
    return {
        "item": dynamodb.get_item(TableName="posts", Key={"pk": {"S": "tag#news"}})["Item"],
        "page": s3.get_object(Bucket="site", Key="tags/news/index.html")["Body"].read(),
        "keys": [entry["Key"] for entry in s3.list_objects_v2(Bucket="site")["Contents"]],
        "waiting": sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"],
    }


def live(model: type) -> int:
    gc.collect()
    tracked: Iterable[Any] = model.instances_tracked  # type: ignore[attr-defined]
    return len(list(tracked))


def test_the_answers_are_moto_s_own() -> None:
    with mock_aws():
        expected = used_over_and_over()
    with mock_aws(), live_models_only():
        answered = used_over_and_over()

    assert answered == expected
    assert expected["item"] == {"pk": {"S": "tag#news"}, "count": {"N": "29"}, "seen": {"N": "29"}}


def test_moto_keeps_every_copy_and_the_embedded_aws_only_the_live_ones() -> None:
    with mock_aws():
        used_over_and_over()
        kept_by_moto = {model: live(model) for model in (Item, FakeKey, Message)}
    with mock_aws(), live_models_only():
        used_over_and_over()
        kept = {model: live(model) for model in (Item, FakeKey, Message)}

    assert all(count >= REWRITES for count in kept_by_moto.values())
    # The table's one item, the bucket's one page, the queue's one waiting message.
    assert kept == {Item: 1, FakeKey: 1, Message: 1}


def test_moto_s_reset_still_closes_every_live_object() -> None:
    with mock_aws(), live_models_only():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="site")
        s3.put_object(Bucket="site", Key="index.html", Body=b"home")
        (page,) = FakeKey.instances_tracked  # type: ignore[attr-defined]
    assert page.disposed


def test_the_register_lists_in_order_and_drops_the_dead() -> None:
    class Model:
        pass

    first, second, third = Model(), Model(), Model()
    register = LiveInstances([first, second])
    register.append(third)
    del second
    gc.collect()

    assert list(register) == [first, third]
