"""Find a running stack's resources: the local one (`.pressroom/local.json`) or a deployed one."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import boto3

from pressroom.adapters.dynamodb import DynamoPostIndex
from pressroom.adapters.wiring import CLIENT_CONFIG
from pressroom.exceptions import ConfigurationError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

LOCAL_STACK_FILE = Path(".pressroom") / "local.json"


@dataclass(frozen=True)
class StackResources:
    """What the commands that talk to a stack need to know about it."""

    region: str
    endpoint_url: str | None
    table_name: str
    content_bucket: str
    site_bucket: str

    @classmethod
    def from_local_file(cls, path: Path) -> StackResources:
        try:
            local = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                region=local["region"],
                endpoint_url=local.get("endpoint_url"),
                table_name=local["tables"]["PostsTable"]["name"],
                content_bucket=local["buckets"]["ContentBucket"],
                site_bucket=local["buckets"]["SiteBucket"],
            )
        except (OSError, ValueError, KeyError) as error:
            raise ConfigurationError(f"{path} does not describe a local stack: {error}") from None

    @classmethod
    def from_cloudformation(
        cls, stack_name: str, *, region: str | None, endpoint_url: str | None
    ) -> StackResources:
        client = boto3.client("cloudformation", region_name=region, endpoint_url=endpoint_url)
        stacks = client.describe_stacks(StackName=stack_name)["Stacks"]
        outputs = {
            output["OutputKey"]: output["OutputValue"] for output in stacks[0].get("Outputs", [])
        }
        try:
            return cls(
                region=client.meta.region_name,
                endpoint_url=endpoint_url,
                table_name=outputs["PostsTableName"],
                content_bucket=outputs["ContentBucketName"],
                site_bucket=outputs["SiteBucketName"],
            )
        except KeyError as missing:
            raise ConfigurationError(f"stack {stack_name} has no output {missing}") from None

    def dynamodb(self) -> DynamoDBClient:
        return boto3.client(
            "dynamodb",
            region_name=self.region,
            endpoint_url=self.endpoint_url,
            config=CLIENT_CONFIG,
        )

    def index(self) -> DynamoPostIndex:
        return DynamoPostIndex(self.dynamodb(), self.table_name)


def locate_stack(
    *, stack_name: str | None, endpoint_url: str | None, region: str | None
) -> StackResources:
    """`--stack` names a deployed stack; otherwise the local stack of this folder."""
    endpoint_url = endpoint_url or os.environ.get("AWS_ENDPOINT_URL")
    if stack_name:
        return StackResources.from_cloudformation(
            stack_name, region=region, endpoint_url=endpoint_url
        )
    if LOCAL_STACK_FILE.is_file():
        resources = StackResources.from_local_file(LOCAL_STACK_FILE)
        if endpoint_url:
            return StackResources(
                region=resources.region,
                endpoint_url=endpoint_url,
                table_name=resources.table_name,
                content_bucket=resources.content_bucket,
                site_bucket=resources.site_bucket,
            )
        return resources
    raise ConfigurationError(
        f"no stack to talk to: run `pressroom local` here (it writes {LOCAL_STACK_FILE}), "
        "or name a deployed stack with --stack"
    )
