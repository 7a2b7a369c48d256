"""The local runtime runs functions as Lambda does: each in sandboxes of its own (its own
environment, its own Powertools service name), several invocations of one function at once,
and a record that fails leaves an ERROR line that names what it was about."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest

from pressroom_local.emulator import EmbeddedAws
from pressroom_local.mappings import StreamEventSourceMapping
from pressroom_local.sandbox import FunctionError
from pressroom_local.stack import LocalStack
from tests.corpus import SEED
from tests.events import load_event
from tests.integration.conftest import SITE_URL

RENDEZVOUS_STACK = Path(__file__).parent / "rendezvous_stack"
SEED_KEY = "posts/armenia-azerbaijan-truce.md"


def _log_lines(log: io.StringIO) -> list[dict[str, Any]]:
    lines = []
    for line in log.getvalue().splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def test_two_invocations_of_one_function_run_at_the_same_time(aws: EmbeddedAws) -> None:
    # Given a function whose invocation ends only once another one has started too
    with LocalStack.create(
        aws.session,
        project_root=RENDEZVOUS_STACK,
        site_url=SITE_URL,
        endpoint_url=aws.endpoint_url,
    ) as stack:
        queue = stack.resources.queues["WorkQueue"].url
        sqs = aws.session.client("sqs")
        # When two messages wait on its queue (MaximumConcurrency 2, one message a batch)
        for number in range(2):
            sqs.send_message(QueueUrl=queue, MessageBody=str(number))
        stack.router.drain(timeout_seconds=60)

        # Then both ran at once, each in a sandbox of its own, and neither failed
        invocations = stack.functions["RendezvousFunction"].invocations
        first, second = sorted(invocations, key=lambda invocation: invocation.started)
        assert second.started < first.ended
        assert first.sandbox != second.sandbox
        attributes = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])
        assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "0"


def test_each_function_logs_as_its_own_service(
    stack: LocalStack, function_log: io.StringIO
) -> None:
    stack.upload([(SEED_KEY, SEED)])
    stack.router.drain()

    services = {
        (line["function_name"], line["service"])
        for line in _log_lines(function_log)
        if "function_name" in line
    }
    assert services == {
        ("ValidatorFunction", "validator"),
        ("IndexerFunction", "indexer"),
        ("RendererFunction", "renderer"),
    }


def _validator_event(stack: LocalStack) -> dict[str, Any]:
    """A notification whose object has a size that is not a number."""
    event = load_event("validator-object-created.json")
    notification = json.loads(event["Records"][0]["body"])
    notification["Records"][0]["s3"]["object"].update(key="posts/lost.md", size="large")
    event["Records"][0]["body"] = json.dumps(notification)
    return event


def _indexer_event(stack: LocalStack) -> dict[str, Any]:
    """A message whose action no indexer knows."""
    event = load_event("indexer-upsert.json")
    message = json.loads(event["Records"][0]["body"])
    message.update(action="explode", source_key="posts/lost.md")
    event["Records"][0]["body"] = json.dumps(message)
    return event


def _renderer_event(stack: LocalStack) -> dict[str, Any]:
    """A post item whose image is not a post's."""
    event = copy.deepcopy(load_event("renderer-post-published.json"))
    record = event["Records"][0]
    record["dynamodb"]["Keys"]["pk"] = {"S": "POST#lost"}
    record["dynamodb"]["NewImage"] = {"pk": {"S": "POST#lost"}, "sk": {"S": "POST"}}
    return event


@pytest.mark.parametrize(
    ("function", "event", "key"),
    [
        ("ValidatorFunction", _validator_event, "posts/lost.md"),
        ("IndexerFunction", _indexer_event, "posts/lost.md"),
        ("RendererFunction", _renderer_event, "POST#lost/POST"),
    ],
    ids=["validator", "indexer", "renderer"],
)
def test_a_failed_record_is_logged_at_error_with_its_key_and_traceback(
    stack: LocalStack,
    function_log: io.StringIO,
    function: str,
    event: Any,
    key: str,
) -> None:
    # Its one record failed, so the whole batch did, as Powertools has it.
    with pytest.raises(FunctionError, match="All records failed"):
        stack.functions[function].invoke(event(stack))

    errors = [line for line in _log_lines(function_log) if line.get("level") == "ERROR"]
    assert [line["key"] for line in errors] == [key]
    assert "Traceback" in errors[0]["exception"]


def test_a_stream_read_whose_answer_was_lost_goes_on_from_the_last_record_read(
    in_process_stack: LocalStack,
) -> None:
    # Given a stream read that DynamoDB answers but whose answer is lost on the way back (a
    # timeout), so that botocore sends the same request, with the same iterator, again
    stack = in_process_stack
    (stream,) = [m for m in stack.router.mappings if isinstance(m, StreamEventSourceMapping)]
    lost: list[int] = []

    def lose_the_first_answer(response: Any, attempts: int, **_: Any) -> int | None:
        if not lost and response is not None and response[0].status_code == 200:
            lost.append(attempts)
            return 0  # retry at once
        return None

    stream.streams.meta.events.register_first(
        "needs-retry.dynamodbstreams.GetRecords", lose_the_first_answer
    )
    s3 = stack.session.client("s3")

    # When posts are uploaded before and after it
    for name in ("before", "after"):
        body = f"---\ntitle: Tide table {name}\n---\n\nHigh water at noon.\n".encode()
        s3.put_object(Bucket=stack.content_bucket, Key=f"{name}.md", Body=body)
        stack.router.drain(timeout_seconds=60)

    # Then the stream goes on, as Lambda's poller does: both pages are written
    assert lost
    site = {o["Key"] for o in s3.list_objects_v2(Bucket=stack.site_bucket)["Contents"]}
    assert {"posts/before/index.html", "posts/after/index.html"} <= site
