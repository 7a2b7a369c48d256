"""Find a running stack's resources: the local one (`.pressroom/local.json`) or a deployed one."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import boto3

from pressroom.adapters.dead_letters import DeadLetterQueue, SqsDeadLetters, dead_letter_queues
from pressroom.adapters.dynamodb import DynamoPostIndex
from pressroom.adapters.wiring import CLIENT_CONFIG
from pressroom.config import RendererSettings
from pressroom.exceptions import ConfigurationError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

LOCAL_STACK_FILE = Path(".pressroom") / "local.json"
RENDERER_FUNCTION = "RendererFunction"
STACK_OUTPUTS = ("PostsTableName", "ContentBucketName", "SiteBucketName", "RendererFunctionName")
"""The deployed stack's outputs that every command needs (template.yaml must declare them)."""

# moto's placeholder credentials: the local stack never reaches AWS.
LOCAL_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",  # nosec B105
    "AWS_SESSION_TOKEN": "testing",  # nosec B105
}
"""What the local stack is reached with: the embedded AWS accepts any credentials, and a
profile's real ones (or an expired SSO session) have no business there."""


@dataclass(frozen=True)
class StackResources:
    """What the commands that talk to a stack need to know about it."""

    region: str
    endpoint_url: str | None
    table_name: str
    content_bucket: str
    site_bucket: str
    functions: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Each function's environment by logical id (known for the local stack only)."""
    local: bool = False
    """The local stack: reached with LOCAL_CREDENTIALS."""
    dead_letter_queues: tuple[DeadLetterQueue, ...] = ()

    @classmethod
    def from_local_file(cls, path: Path) -> StackResources:
        try:
            local = json.loads(path.read_text(encoding="utf-8"))
            resources = cls(
                region=local["region"],
                endpoint_url=local.get("endpoint_url"),
                table_name=local["tables"]["PostsTable"]["name"],
                content_bucket=local["buckets"]["ContentBucket"],
                site_bucket=local["buckets"]["SiteBucket"],
                functions={
                    logical_id: dict(function["environment"])
                    for logical_id, function in local.get("functions", {}).items()
                },
                local=True,
                dead_letter_queues=dead_letter_queues(
                    {name: queue["url"] for name, queue in local.get("queues", {}).items()}
                ),
            )
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ConfigurationError(f"{path} does not describe a local stack: {error}") from None
        pid = local.get("pid")
        if isinstance(pid, int) and not process_running(pid):
            raise ConfigurationError(
                f"the local stack in {path} is not running (its process {pid} is gone): "
                "start it again with `pressroom local`"
            )
        return resources

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
            table, content, site, renderer = (outputs[name] for name in STACK_OUTPUTS)
        except KeyError as missing:
            raise ConfigurationError(f"stack {stack_name} has no output {missing}") from None
        return cls(
            region=client.meta.region_name,
            endpoint_url=endpoint_url,
            table_name=table,
            content_bucket=content,
            site_bucket=site,
            functions=_function_environments(client.meta.region_name, endpoint_url, renderer),
            dead_letter_queues=dead_letter_queues(
                {
                    logical_id: outputs[output]
                    for logical_id, output in QUEUE_OUTPUTS.items()
                    if output in outputs
                }
            ),
        )

    def dynamodb(self) -> DynamoDBClient:
        session = local_session(self.region) if self.local else boto3.Session()
        return session.client(
            "dynamodb",
            region_name=self.region,
            endpoint_url=self.endpoint_url,
            config=CLIENT_CONFIG,
        )

    def index(self) -> DynamoPostIndex:
        return DynamoPostIndex(self.dynamodb(), self.table_name)

    def dead_letters(self) -> SqsDeadLetters:
        client = self.session().client(
            "sqs", region_name=self.region, endpoint_url=self.endpoint_url, config=CLIENT_CONFIG
        )
        return SqsDeadLetters(client, self.dead_letter_queues)

    def session(self) -> boto3.Session:
        return local_session(self.region) if self.local else boto3.Session(region_name=self.region)

    def renderer_settings(self) -> RendererSettings:
        """The deployed (or local) renderer's own settings: a rebuild renders as it does."""
        environment = self.functions.get(RENDERER_FUNCTION)
        if environment is None:
            raise ConfigurationError("the stack does not say how its renderer is configured")
        return RendererSettings.from_environment(environment)


QUEUE_OUTPUTS = {
    "IngestQueue": "IngestQueueUrl",
    "IngestDLQ": "IngestDeadLetterQueueUrl",
    "IndexQueue": "IndexQueueUrl",
    "IndexDLQ": "IndexDeadLetterQueueUrl",
    "RenderDLQ": "RenderDeadLetterQueueUrl",
    "ListingQueue": "ListingQueueUrl",
    "ListingDLQ": "ListingDeadLetterQueueUrl",
}
"""The deployed stack's outputs that name its queues, by the template's logical ids."""


def _function_environments(
    region: str, endpoint_url: str | None, renderer_name: str
) -> dict[str, dict[str, str]]:
    client = boto3.client("lambda", region_name=region, endpoint_url=endpoint_url)
    configuration = client.get_function_configuration(FunctionName=renderer_name)
    return {RENDERER_FUNCTION: dict(configuration.get("Environment", {}).get("Variables", {}))}


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
            resources = replace(resources, endpoint_url=endpoint_url)
        if resources.endpoint_url:
            _require_listening(resources.endpoint_url)
        return resources
    raise ConfigurationError(
        f"no stack to talk to: run `pressroom local` here (it writes {LOCAL_STACK_FILE}), "
        "or name a deployed stack with --stack"
    )


def _require_listening(endpoint_url: str) -> None:
    """A clear word, rather than a connection traceback, when the local stack is not there."""
    address = urlsplit(endpoint_url)
    port = address.port or (443 if address.scheme == "https" else 80)
    try:
        socket.create_connection((address.hostname or "", port), timeout=2).close()
    except OSError:
        raise ConfigurationError(
            f"nothing answers at {endpoint_url}: is `pressroom local` running in this folder?"
        ) from None


def local_session(region: str) -> boto3.Session:
    """A session that reaches the local stack, with LOCAL_CREDENTIALS."""
    return boto3.Session(
        region_name=region,
        aws_access_key_id=LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=LOCAL_CREDENTIALS["AWS_SESSION_TOKEN"],
    )


def process_running(pid: int) -> bool:
    """Whether the process that wrote a local stack file is still alive (on this machine)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process, but alive
    return True
