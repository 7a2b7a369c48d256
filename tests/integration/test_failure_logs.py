"""Every refused or failed record leaves a line in its function's log, naming the source key
and the reason that `pressroom status` and `publish` show (#11): a refused file at WARNING,
a failure at ERROR."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from pressroom.adapters import wiring
from pressroom_local.emulator import EmbeddedAws
from pressroom_local.runtime import RuntimeMode
from pressroom_local.stack import LocalStack
from tests.corpus import PROJECT_ROOT
from tests.events import load_event
from tests.integration.conftest import SITE_URL
from tests.integration.test_batches import RefusingQueue

FERRY = b"---\ntitle: The ferry\nslug: ferry\ndate: 2021-03-14\n---\nThe ferry was late again.\n"
UNTITLED = b"---\ndate: 2021-03-14\n---\nThe ferry was late again, and nobody said why.\n"


def log_lines(log: io.StringIO, level: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in log.getvalue().splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("level") == level]


@pytest.fixture
def logged_in_process_stack(aws: EmbeddedAws, function_log: io.StringIO) -> Iterator[LocalStack]:
    with LocalStack.create(
        aws.session,
        project_root=PROJECT_ROOT,
        site_url=SITE_URL,
        runtime=RuntimeMode.deterministic(),
        log=function_log,
    ) as local:
        local.router.drain()
        yield local


def test_a_refused_file_is_logged_at_warning_with_the_errors_status_shows(
    stack: LocalStack, function_log: io.StringIO
) -> None:
    key = "posts/ferry.md"
    stack.session.client("s3").put_object(Bucket=stack.content_bucket, Key=key, Body=UNTITLED)
    stack.router.drain()

    status = stack.index.source_status(key)
    assert status is not None and status.status == "invalid"
    (refusal,) = [line for line in log_lines(function_log, "WARNING") if line.get("key") == key]
    assert refusal["errors"] == [issue.describe(key) for issue in status.errors]


def test_a_file_waiting_for_a_slug_is_logged_at_warning_with_the_error_status_shows(
    stack: LocalStack, function_log: io.StringIO
) -> None:
    s3 = stack.session.client("s3")
    # The second key sorts after the first: two uploads in one second rank by key (rule 3).
    first, second = "posts/ferry.md", "reposts/ferry-again.md"
    s3.put_object(Bucket=stack.content_bucket, Key=first, Body=FERRY)
    stack.router.drain()
    s3.put_object(Bucket=stack.content_bucket, Key=second, Body=FERRY.replace(b"late", b"early"))
    stack.router.drain()

    status = stack.index.source_status(second)
    assert status is not None and status.status == "conflict"
    (waiting,) = [line for line in log_lines(function_log, "WARNING") if line.get("key") == second]
    shown = stack.index.shown(status)
    assert waiting["errors"] == [issue.describe(second) for issue in shown.errors]
    assert repr(first) in waiting["errors"][0]  # the slug's owner, as `status` names it


def test_index_messages_not_sent_are_logged_at_error_naming_the_file(
    logged_in_process_stack: LocalStack, function_log: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = logged_in_process_stack
    key = "posts/refused.md"
    stack.session.client("s3").put_object(
        Bucket=stack.content_bucket, Key=key, Body=b"---\ntitle: Ferry\n---\nLate.\n"
    )
    template = load_event("validator-object-created.json")["Records"][0]
    notification = json.loads(template["body"])
    notification["Records"][0]["s3"]["bucket"]["name"] = stack.content_bucket
    notification["Records"][0]["s3"]["object"].update(key=key, versionId=None)
    record = template | {"messageId": "m-1", "body": json.dumps(notification)}
    stack.router.drain()
    with monkeypatch.context() as patched:
        service = wiring.validator_service()
        refusing = replace(service, index_queue=RefusingQueue(service.index_queue, key))
        patched.setattr(wiring, "validator_service", lambda: refusing)

        stack.functions["ValidatorFunction"].invoke({"Records": [record]})

    errors = log_lines(function_log, "ERROR")
    assert any(line.get("key") == key and "refused" in json.dumps(line) for line in errors), errors


def test_a_function_logs_to_its_log_as_itself_whatever_made_the_logger_first(
    logged_in_process_stack: LocalStack, function_log: io.StringIO
) -> None:
    """In one process the product's logger is made once: here by something outside any
    invocation (a tool, a test, the indexer's service warning), with its own stream and no
    service name. A function's lines still reach the function's log, under its name."""
    from pressroom import observability

    elsewhere = io.StringIO()
    observability.logger.registered_handler.setStream(elsewhere)  # type: ignore[attr-defined]
    observability.logger.append_keys(service="service_undefined")
    key = "posts/untitled.md"
    stack = logged_in_process_stack

    stack.session.client("s3").put_object(Bucket=stack.content_bucket, Key=key, Body=UNTITLED)
    stack.router.drain()

    (refusal,) = [line for line in log_lines(function_log, "WARNING") if line.get("key") == key]
    assert refusal["service"] == "validator"
    assert key not in elsewhere.getvalue()
