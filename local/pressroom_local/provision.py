"""Create the template's buckets, queues and table on an embedded AWS (moto)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from pressroom.exceptions import ConfigurationError
from pressroom_local.template import StackTemplate

if TYPE_CHECKING:
    import boto3
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_scheduler import EventBridgeSchedulerClient
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.literals import QueueAttributeNameType

ACCOUNT_ID = "123456789012"
"""moto's default account."""

# Queue attributes that mean something to the embedded AWS; the rest
# (encryption, for one) only matter on the real one.
_QUEUE_ATTRIBUTES: tuple[QueueAttributeNameType, ...] = (
    "VisibilityTimeout",
    "MessageRetentionPeriod",
    "DelaySeconds",
    "ReceiveMessageWaitTimeSeconds",
    "MaximumMessageSize",
)


@dataclass(frozen=True)
class QueueInfo:
    name: str
    url: str
    arn: str
    max_receive_count: int | None = None
    dead_letter_queue: str | None = None
    """Logical id of the queue's dead-letter queue."""


@dataclass(frozen=True)
class TableInfo:
    name: str
    arn: str
    stream_arn: str | None


@dataclass
class LocalResources:
    """Names of everything provisioned, by the template's logical ids.

    Filled in as provisioning goes: a queue's redrive policy and a bucket's
    notifications resolve against what was created before them.
    """

    stack_name: str
    region: str
    buckets: dict[str, str] = field(default_factory=dict)
    queues: dict[str, QueueInfo] = field(default_factory=dict)
    tables: dict[str, TableInfo] = field(default_factory=dict)
    schedule_groups: dict[str, str] = field(default_factory=dict)
    """EventBridge Scheduler groups, by logical id: their names."""
    roles: dict[str, str] = field(default_factory=dict)
    """IAM roles, by logical id: their ARNs. Nothing local checks them, but a function's
    environment and a schedule's target name them."""

    def attribute(self, logical_id: str, name: str) -> str:
        """What `!Ref` / `!GetAtt` give for a resource the local stack created."""
        pseudo = {
            "AWS::Region": self.region,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::Partition": "aws",
            "AWS::StackName": self.stack_name,
            "AWS::URLSuffix": "amazonaws.com",
        }
        if logical_id in pseudo:
            return pseudo[logical_id]
        if logical_id in self.buckets:
            bucket = self.buckets[logical_id]
            values = {"Ref": bucket, "Arn": f"arn:aws:s3:::{bucket}"}
        elif logical_id in self.queues:
            queue = self.queues[logical_id]
            values = {"Ref": queue.url, "Arn": queue.arn, "QueueName": queue.name}
        elif logical_id in self.tables:
            table = self.tables[logical_id]
            values = {"Ref": table.name, "Arn": table.arn, "StreamArn": table.stream_arn or ""}
        elif logical_id in self.schedule_groups:
            group = self.schedule_groups[logical_id]
            arn = f"arn:aws:scheduler:{self.region}:{ACCOUNT_ID}:schedule-group/{group}"
            values = {"Ref": group, "Arn": arn}
        elif logical_id in self.roles:
            arn = self.roles[logical_id]
            values = {"Ref": arn.rpartition("/")[2], "Arn": arn}
        else:
            values = {}
        if name not in values:
            raise ConfigurationError(
                f"the local stack has no value for {logical_id}.{name}; "
                "give it as a parameter or an environment override"
            )
        return values[name]

    def to_json(
        self,
        endpoint_url: str | None,
        functions: Mapping[str, Mapping[str, str]] | None = None,
        **extra: Any,
    ) -> str:
        """What `.pressroom/local.json` holds: the endpoint, every resource and, by logical id,
        each function's environment."""
        described = {
            "endpoint_url": endpoint_url,
            **asdict(self),
            "functions": {
                logical_id: {"environment": dict(environment)}
                for logical_id, environment in (functions or {}).items()
            },
            **extra,
        }
        return json.dumps(described, indent=2, sort_keys=True)


def provision(
    template: StackTemplate,
    session: boto3.Session,
    stack_name: str,
    *,
    endpoint_url: str | None = None,
) -> LocalResources:
    """Create the template's queues, tables and buckets where `session` (at `endpoint_url`,
    if given) reaches."""
    resources = LocalResources(stack_name=stack_name, region=session.region_name or "us-east-1")
    _create_queues(template, session.client("sqs", endpoint_url=endpoint_url), resources)
    _create_tables(template, session.client("dynamodb", endpoint_url=endpoint_url), resources)
    _create_buckets(template, session.client("s3", endpoint_url=endpoint_url), resources)
    _create_schedule_groups(
        template, session.client("scheduler", endpoint_url=endpoint_url), resources
    )
    for logical_id in template.of_type("AWS::IAM::Role"):
        name = _physical_name(stack_name, logical_id)
        resources.roles[logical_id] = f"arn:aws:iam::{ACCOUNT_ID}:role/{name}"
    return resources


def _physical_name(stack_name: str, logical_id: str) -> str:
    return f"{stack_name}-{logical_id}".lower()


def _create_queues(template: StackTemplate, sqs: SQSClient, out: LocalResources) -> None:
    pending = dict(template.of_type("AWS::SQS::Queue"))
    # Dead-letter queues first: a redrive policy names an existing queue's ARN.
    while pending:
        ready = [
            logical_id
            for logical_id, properties in pending.items()
            if _redrive_target(properties) is None or _redrive_target(properties) in out.queues
        ]
        if not ready:
            raise ConfigurationError(f"queues redrive into each other: {sorted(pending)}")
        for logical_id in ready:
            properties = pending.pop(logical_id)
            attributes: dict[QueueAttributeNameType, str] = {
                name: str(properties[name]) for name in _QUEUE_ATTRIBUTES if name in properties
            }
            policy = properties.get("RedrivePolicy")
            if policy is not None:
                resolved = template.resolve(policy, out.attribute)
                attributes["RedrivePolicy"] = json.dumps(resolved)
            name = _physical_name(out.stack_name, logical_id)
            url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
                "QueueArn"
            ]
            out.queues[logical_id] = QueueInfo(
                name=name,
                url=url,
                arn=arn,
                max_receive_count=int(policy["maxReceiveCount"]) if policy else None,
                dead_letter_queue=_redrive_target(properties),
            )


def _create_schedule_groups(
    template: StackTemplate, scheduler: EventBridgeSchedulerClient, out: LocalResources
) -> None:
    for logical_id in template.of_type("AWS::Scheduler::ScheduleGroup"):
        name = _physical_name(out.stack_name, logical_id)
        scheduler.create_schedule_group(Name=name)
        out.schedule_groups[logical_id] = name


def _redrive_target(properties: dict[str, Any]) -> str | None:
    policy = properties.get("RedrivePolicy")
    if policy is None:
        return None
    target: str = policy["deadLetterTargetArn"]["Fn::GetAtt"][0]
    return target


def _create_tables(template: StackTemplate, dynamodb: DynamoDBClient, out: LocalResources) -> None:
    for logical_id, properties in template.of_type("AWS::DynamoDB::Table").items():
        name = _physical_name(out.stack_name, logical_id)
        request: dict[str, Any] = {
            "TableName": name,
            "AttributeDefinitions": properties["AttributeDefinitions"],
            "KeySchema": properties["KeySchema"],
            "BillingMode": properties.get("BillingMode", "PAY_PER_REQUEST"),
        }
        if "GlobalSecondaryIndexes" in properties:
            request["GlobalSecondaryIndexes"] = properties["GlobalSecondaryIndexes"]
        stream = properties.get("StreamSpecification")
        if stream is not None:
            request["StreamSpecification"] = {
                "StreamEnabled": True,
                "StreamViewType": stream["StreamViewType"],
            }
        description = dynamodb.create_table(**request)["TableDescription"]
        out.tables[logical_id] = TableInfo(
            name=name, arn=description["TableArn"], stream_arn=description.get("LatestStreamArn")
        )


def _create_buckets(template: StackTemplate, s3: S3Client, out: LocalResources) -> None:
    buckets = template.of_type("AWS::S3::Bucket")
    for logical_id in buckets:
        name = _physical_name(out.stack_name, logical_id)
        if out.region == "us-east-1":
            s3.create_bucket(Bucket=name)
        else:
            s3.create_bucket(
                Bucket=name,
                CreateBucketConfiguration={"LocationConstraint": out.region},  # type: ignore[typeddict-item]
            )
        out.buckets[logical_id] = name
    for logical_id, properties in buckets.items():
        name = out.buckets[logical_id]
        versioning = properties.get("VersioningConfiguration")
        if versioning is not None:
            s3.put_bucket_versioning(
                Bucket=name, VersioningConfiguration={"Status": versioning["Status"]}
            )
        notifications = properties.get("NotificationConfiguration", {})
        queue_configurations = [
            {
                "QueueArn": template.resolve(entry["Queue"], out.attribute),
                "Events": [entry["Event"]],
            }
            for entry in notifications.get("QueueConfigurations", [])
        ]
        if queue_configurations:
            s3.put_bucket_notification_configuration(
                Bucket=name,
                NotificationConfiguration={"QueueConfigurations": queue_configurations},  # type: ignore[typeddict-item]
            )
