"""Make moto's S3 event notifications what real S3 sends: a sequencer, a versionId, and an
`ObjectRemoved:DeleteMarkerCreated` event when a versioned bucket's object is deleted.

moto's records have no sequencer or versionId, and a delete in a versioned
bucket sends nothing. Real S3 gives every PUT and DELETE a sequencer
that grows per key, and names the object version when the bucket is
versioned; the indexer orders events by the first and the validator reads
exactly the second. A sequencer drawn from a process-wide clock that never
goes backwards grows per key too.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
from moto.s3 import notifications
from moto.s3.models import S3Backend

_lock = threading.Lock()
_state = {"last": 0}


def next_sequencer() -> str:
    """Upper-case hex, strictly increasing within the process, shaped like S3's (16+ digits)."""
    with _lock:
        value = max(time.time_ns(), _state["last"] + 1)
        _state["last"] = value
    return f"{value:016X}"


def _with_sequencer(original: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    def build(event_name: str, bucket: Any, key: Any, notification_id: str) -> dict[str, Any]:
        event = original(event_name, bucket, key, notification_id)
        for record in event["Records"]:
            target = record["s3"]["object"]
            target["sequencer"] = next_sequencer()
            if getattr(bucket, "is_versioned", False) and getattr(key, "version_id", None):
                target["versionId"] = key.version_id
        return event

    build.pressroom_patched = True  # type: ignore[attr-defined]
    return build


def _announcing_delete_markers(original: Callable[..., Any]) -> Callable[..., Any]:
    def delete_object(
        backend: S3Backend,
        bucket_name: str,
        key_name: str,
        version_id: str | None = None,
        bypass: bool = False,
    ) -> Any:
        bucket = backend.get_bucket(bucket_name)
        current = bucket.keys.get(key_name)
        result = original(backend, bucket_name, key_name, version_id, bypass)
        if bucket.is_versioned and version_id is None and current is not None:
            notifications.send_event(
                backend.account_id,
                notifications.S3NotificationEvent.OBJECT_REMOVED_DELETE_MARKER_CREATED_EVENT,
                bucket,
                current,
            )
        return result

    return delete_object


@contextlib.contextmanager
def realistic_s3_events() -> Iterator[None]:
    """While active, moto's S3 notifications are shaped and sent as real S3's are."""
    original_event = notifications._get_s3_event
    if getattr(original_event, "pressroom_patched", False):
        yield
        return
    original_delete = S3Backend.delete_object
    notifications._get_s3_event = _with_sequencer(original_event)
    S3Backend.delete_object = _announcing_delete_markers(original_delete)  # type: ignore[method-assign]
    try:
        yield
    finally:
        notifications._get_s3_event = original_event
        S3Backend.delete_object = original_delete  # type: ignore[method-assign]


@contextlib.contextmanager
def in_process_aws(region: str = "us-east-1") -> Iterator[boto3.Session]:
    """The embedded AWS (`pressroom_local.emulator`) and a session that reaches it in this
    process, for stacks whose functions run here too."""
    from pressroom_local.emulator import embedded_aws  # it builds on this module

    with embedded_aws(region=region) as aws:
        yield aws.session
