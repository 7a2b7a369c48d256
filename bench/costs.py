"""What a published post costs on AWS, from the requests counted during a batch.

Prices: us-east-1 list prices, on-demand, without free tiers, as published on
the AWS pricing pages as of early 2025 (DynamoDB on-demand after its
1 November 2024 price cut). They are written down from knowledge, not fetched:
this machine has no network. Check them before quoting.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from bench.aws_calls import AUTHOR, Calls

PRICES_AS_OF = "us-east-1 list prices as of early 2025, not re-checked online"
LAMBDA_ARM_GB_SECOND = 0.0000133334
LAMBDA_REQUEST = 0.20 / 1e6
S3_PUT = 0.005 / 1000
"""PUT, COPY, POST, LIST requests (S3 Standard)."""
S3_GET = 0.0004 / 1000
"""GET and all other requests (DELETE is free)."""
SQS_REQUEST = 0.40 / 1e6
"""Standard queue, per 64 KB request."""
DYNAMODB_WRITE_UNIT = 0.625 / 1e6
DYNAMODB_READ_UNIT = 0.125 / 1e6

PRICE_TABLE = [
    ("Lambda, arm64, duration", "$0.0000133334 per GB-second"),
    ("Lambda, requests", "$0.20 per million"),
    ("S3 Standard, PUT/COPY/POST/LIST", "$0.005 per 1,000"),
    ("S3 Standard, GET", "$0.0004 per 1,000"),
    ("SQS standard queue", "$0.40 per million requests"),
    ("DynamoDB on-demand, write request units", "$0.625 per million"),
    ("DynamoDB on-demand, read request units", "$0.125 per million"),
    ("DynamoDB Streams read by Lambda", "free"),
]

FREE_OR_LOCAL = {
    ("sqs", "GetQueueAttributes"),
    ("dynamodbstreams", "GetRecords"),
    ("dynamodbstreams", "DescribeStream"),
    ("dynamodbstreams", "GetShardIterator"),
}
"""The local router's look at queue depth, and Lambda's own reads of the stream (free):
not requests Pressroom makes or pays for."""


def pipeline_requests(calls: Calls) -> Counter[str]:
    """Requests Pressroom makes or has made for it (Lambda's SQS polls), by service:API."""
    counts: Counter[str] = Counter()
    for (caller, service, operation), number in calls.requests.items():
        if caller == AUTHOR or (service, operation) in FREE_OR_LOCAL:
            continue
        counts[f"{service}:{operation}"] += number
    return counts


@dataclass(frozen=True)
class PostCost:
    posts: int
    requests: Counter[str]
    """Per batch, by service:API (pipeline only)."""
    lambda_dollars: float
    s3_dollars: float
    sqs_dollars: float
    dynamodb_dollars: float

    @property
    def requests_per_post(self) -> float:
        return sum(self.requests.values()) / self.posts

    @property
    def dollars_per_million(self) -> float:
        per_batch = self.lambda_dollars + self.s3_dollars + self.sqs_dollars + self.dynamodb_dollars
        return per_batch / self.posts * 1e6


def post_cost(calls: Calls, posts: int, memory_mb: dict[str, int]) -> PostCost:
    """The batch's cost; the S3 event sent to the ingest queue counts as one SQS request."""
    requests = pipeline_requests(calls)
    gb_seconds = sum(
        seconds * memory_mb[name] / 1024 for name, seconds in calls.handler_seconds.items()
    )
    invocations = sum(calls.invocations.values())
    s3_put = sum(n for api, n in requests.items() if api in {"s3:PutObject", "s3:ListObjectsV2"})
    s3_get = sum(n for api, n in requests.items() if api.startswith("s3:Get"))
    sqs = sum(n for api, n in requests.items() if api.startswith("sqs:")) + posts
    return PostCost(
        posts=posts,
        requests=requests,
        lambda_dollars=gb_seconds * LAMBDA_ARM_GB_SECOND + invocations * LAMBDA_REQUEST,
        s3_dollars=s3_put * S3_PUT + s3_get * S3_GET,
        sqs_dollars=sqs * SQS_REQUEST,
        dynamodb_dollars=calls.write_units * DYNAMODB_WRITE_UNIT
        + calls.read_units * DYNAMODB_READ_UNIT,
    )
