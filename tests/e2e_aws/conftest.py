"""A deployed stack, as authors and operators drive it: `PRESSROOM_STACK=<name> make e2e-aws`.

Real AWS, with the caller's own credentials: tests/conftest.py swaps them for
fakes before anything loads, so this suite builds its clients, and runs
`pressroom`, with the environment it was started with. Without PRESSROOM_STACK
every test here skips (in `make test` too, CI included: a deployed stack is
something to be given, not a tool to install). What the suite uploads goes
under one folder of the content bucket, `e2e/<run>/`, and is deleted at the
end, so it can run against a stack in use, such as the pipeline's dev stack.
"""

from __future__ import annotations

import http.client
import os
import secrets
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.conftest import CALLERS_AWS_ENVIRONMENT
from tests.tools import eventually

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

STACK_VARIABLE = "PRESSROOM_STACK"
DEADLINE_SECONDS = float(os.environ.get("PRESSROOM_E2E_DEADLINE", "180"))
"""How long a change may take to reach the site bucket: the stream, the listing queue's
gathering and a cold start or two take seconds; minutes mean something is stuck."""
POLL_SECONDS = 3.0
PRESSROOM = Path(sys.executable).parent / "pressroom"

T = TypeVar("T")


@dataclass(frozen=True)
class Served:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class DeployedStack:
    """The stack under test, found from its CloudFormation outputs, and this run's folder."""

    name: str
    region: str
    content_bucket: str
    site_bucket: str
    site_url: str
    s3: S3Client
    environment: dict[str, str]
    """The caller's environment, for `pressroom` commands."""
    folder: str
    """Where this run's uploads go (and its pages, for the posts give it as their URL)."""

    def put(self, name: str, body: bytes, content_type: str = "text/markdown") -> str:
        key = f"{self.folder}{name}"
        self.s3.put_object(Bucket=self.content_bucket, Key=key, Body=body, ContentType=content_type)
        return key

    def delete(self, key: str) -> None:
        self.s3.delete_object(Bucket=self.content_bucket, Key=key)

    def site_object(self, key: str) -> tuple[bytes, str] | None:
        """A site bucket object's bytes and Content-Type, or None where there is none."""
        try:
            found = self.s3.get_object(Bucket=self.site_bucket, Key=key)
        except ClientError as error:
            if error.response["Error"]["Code"] in ("NoSuchKey", "404"):
                return None
            raise
        return found["Body"].read(), found.get("ContentType", "")

    def fetch(self, path: str) -> Served:
        """GET a path of the site as readers get it (through CloudFront), redirects unfollowed."""
        address = urlsplit(self.site_url)
        connection = http.client.HTTPSConnection(address.netloc, timeout=30)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            headers = {name.lower(): value for name, value in response.getheaders()}
            return Served(response.status, headers, response.read())
        finally:
            connection.close()

    def pressroom(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        command = [str(PRESSROOM), *arguments, "--stack", self.name, "--region", self.region]
        return subprocess.run(
            command, env=self.environment, capture_output=True, text=True, timeout=120, check=False
        )

    def eventually(self, check: Callable[[], T | None]) -> T:
        return eventually(check, deadline=DEADLINE_SECONDS, interval=POLL_SECONDS)


def callers_environment() -> dict[str, str]:
    """This process's environment with the AWS settings it was started with, fakes removed."""
    environment = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    environment.update(CALLERS_AWS_ENVIRONMENT)
    return environment


@pytest.fixture(scope="session")
def deployed() -> Iterator[DeployedStack]:
    name = os.environ.get(STACK_VARIABLE)
    if not name:
        pytest.skip(
            f"{STACK_VARIABLE} names no deployed stack: "
            f"`{STACK_VARIABLE}=<stack name> make e2e-aws` runs this suite against one"
        )
    # Clients resolve their credentials when they are made: make them in the caller's
    # environment, then give the fakes back to every other test.
    with pytest.MonkeyPatch.context() as patch:
        for variable in [variable for variable in os.environ if variable.startswith("AWS_")]:
            patch.delenv(variable)
        for variable, value in CALLERS_AWS_ENVIRONMENT.items():
            patch.setenv(variable, value)
        session = boto3.Session()
        cloudformation = session.client("cloudformation")
        s3 = session.client("s3")
    stack = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
    outputs = {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}
    found = DeployedStack(
        name=name,
        region=cloudformation.meta.region_name,
        content_bucket=outputs["ContentBucketName"],
        site_bucket=outputs["SiteBucketName"],
        site_url=outputs["SiteUrl"],
        s3=s3,
        environment=callers_environment(),
        folder=f"e2e/{secrets.token_hex(4)}/",
    )
    yield found
    # The uploads go; the pipeline takes their pages with them.
    listed = s3.get_paginator("list_objects_v2").paginate(
        Bucket=found.content_bucket, Prefix=found.folder
    )
    for page in listed:
        for uploaded in page.get("Contents", []):
            found.delete(uploaded["Key"])
