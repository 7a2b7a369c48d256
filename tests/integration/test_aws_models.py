"""Each call the adapters make, through a client of the functions' trimmed models
(`wiring.aws_session`), on the embedded AWS: the models hold what each request and its
answer need, and botocore's customisations (S3's endpoint rules, its copy source) still
find what they read."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from pressroom.adapters import wiring


@pytest.fixture
def embedded_aws() -> Iterator[None]:
    # Fake credentials and the region come from tests/conftest.py.
    wiring.reset(session=True)
    with mock_aws():
        yield
    wiring.reset(session=True)


@pytest.mark.usefixtures("embedded_aws")
def test_each_s3_call_of_the_adapters_goes_through_a_trimmed_client() -> None:
    boto3.client("s3").create_bucket(Bucket="content")
    s3 = wiring.aws_session().client("s3")
    s3.put_object(Bucket="content", Key="posts/a.md", Body=b"# A\n", ContentType="text/markdown")
    s3.copy_object(
        Bucket="content", Key="posts/b.md", CopySource={"Bucket": "content", "Key": "posts/a.md"}
    )
    assert (
        s3.get_object(Bucket="content", Key="posts/b.md", Range="bytes=0-2")["Body"].read()
        == b"# A"
    )
    s3.delete_object(Bucket="content", Key="posts/a.md")
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket="content", Prefix="posts/")
    assert [item["Key"] for page in pages for item in page.get("Contents", [])] == ["posts/b.md"]


@pytest.mark.usefixtures("embedded_aws")
def test_each_dynamodb_call_of_the_adapters_goes_through_a_trimmed_client() -> None:
    boto3.client("dynamodb").create_table(
        TableName="index",
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    table = wiring.aws_session().client("dynamodb")
    key = {"pk": {"S": "POST#a"}, "sk": {"S": "POST"}}
    table.put_item(
        TableName="index",
        Item=key | {"title": {"S": "A"}},
        ConditionExpression="attribute_not_exists(pk)",
    )
    table.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": "index", "Item": {"pk": {"S": "POST#b"}, "sk": {"S": "POST"}}}}
        ]
    )
    assert table.get_item(TableName="index", Key=key, ConsistentRead=True)["Item"]["title"] == {
        "S": "A"
    }
    found = table.query(
        TableName="index",
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "POST#b"}},
    )
    assert found["Count"] == 1
    assert table.batch_get_item(RequestItems={"index": {"Keys": [key]}})["Responses"]["index"]
    scanned = table.get_paginator("scan").paginate(TableName="index")
    assert sum(page["Count"] for page in scanned) == 2
    with pytest.raises(table.exceptions.ConditionalCheckFailedException):
        table.put_item(TableName="index", Item=key, ConditionExpression="attribute_not_exists(pk)")
