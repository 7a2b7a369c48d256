"""Each invocation says it has arrived, then waits until another has arrived too."""

from __future__ import annotations

import os
import time
from typing import Any

import boto3

WAIT_SECONDS = 20.0


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    s3 = boto3.client("s3")
    bucket = os.environ["ARRIVALS_BUCKET"]
    s3.put_object(Bucket=bucket, Key=f"arrived/{context.aws_request_id}", Body=b"")
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if s3.list_objects_v2(Bucket=bucket, Prefix="arrived/")["KeyCount"] >= 2:
            return {}
        time.sleep(0.05)
    raise TimeoutError("no other invocation ran while this one waited")
