"""Partial batch failures: one bad record never fails its batch-mates."""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from dataclasses import replace

import pytest

from pressroom.adapters import wiring
from pressroom.models import IndexMessage
from pressroom.ports import IndexQueue
from pressroom_local.stack import LocalStack
from tests.corpus import SEED
from tests.events import load_event


def test_validator_reports_only_the_malformed_message(stack: LocalStack) -> None:
    s3 = stack.session.client("s3")
    s3.put_object(Bucket=stack.content_bucket, Key="posts/seed.md", Body=SEED.read_bytes())
    stack.router.drain()
    event = load_event("validator-object-created.json")
    good = event["Records"][0]
    notification = json.loads(good["body"])
    notification["Records"][0]["s3"]["bucket"]["name"] = stack.content_bucket
    notification["Records"][0]["s3"]["object"].update(key="posts/seed.md", versionId=None)
    notification["Records"][0]["s3"]["object"]["sequencer"] = "00FFFFFFFFFFFFFFFF"
    good["body"] = json.dumps(notification)
    poison = copy.deepcopy(good) | {"messageId": "poison-1", "body": "this is not an S3 event"}
    event["Records"] = [poison, good]

    response = stack.functions["ValidatorFunction"].invoke(event)

    assert response == {"batchItemFailures": [{"itemIdentifier": "poison-1"}]}
    stack.router.drain()
    status = stack.index.source_status("posts/seed.md")
    assert status is not None
    assert status.sequencer.endswith("FFFFFFFFFFFFFFFF")


def test_indexer_reports_only_the_message_it_cannot_parse(stack: LocalStack) -> None:
    valid = {
        "action": "invalid",
        "source_key": "posts/x.md",
        "sequencer": "0" * 32,
        "event_time": "2026-11-24T10:00:00Z",
        "errors": [{"field": "title", "message": "must not be blank", "line": 2}],
    }
    records = [
        {"messageId": "ok-1", "body": json.dumps(valid)},
        {"messageId": "bad-1", "body": json.dumps({"action": "explode"})},
    ]
    event = {
        "Records": [
            record
            | {
                "receiptHandle": "handle",
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": "1795558530123",
                    "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                    "ApproximateFirstReceiveTimestamp": "1795558530130",
                },
                "messageAttributes": {},
                "md5OfBody": "0" * 32,
                "eventSource": "aws:sqs",
                "eventSourceARN": stack.resources.queues["IndexQueue"].arn,
                "awsRegion": "us-east-1",
            }
            for record in records
        ]
    }

    response = stack.functions["IndexerFunction"].invoke(event)

    assert response == {"batchItemFailures": [{"itemIdentifier": "bad-1"}]}
    status = stack.index.source_status("posts/x.md")
    assert status is not None
    assert status.status == "invalid"


class RefusingQueue:
    """The real index queue, except that it never sends the messages of one source key."""

    def __init__(self, queue: IndexQueue, refused_key: str) -> None:
        self.queue = queue
        self.refused_key = refused_key

    def send(self, messages: Sequence[IndexMessage]) -> dict[int, str]:
        kept = [p for p, message in enumerate(messages) if message.source_key != self.refused_key]
        unsent = self.queue.send([messages[position] for position in kept])
        refused = {p: "refused" for p in range(len(messages)) if p not in kept}
        return refused | {kept[position]: reason for position, reason in unsent.items()}


def test_validator_fails_only_the_record_whose_index_message_was_not_sent(
    in_process_stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The handler runs in this process, so that the test can replace its index queue.
    stack = in_process_stack
    s3 = stack.session.client("s3")
    template = load_event("validator-object-created.json")["Records"][0]
    records = []
    for number, key in enumerate(["posts/sent.md", "posts/refused.md"]):
        s3.put_object(Bucket=stack.content_bucket, Key=key, Body=SEED.read_bytes())
        notification = json.loads(template["body"])
        notification["Records"][0]["s3"]["bucket"]["name"] = stack.content_bucket
        notification["Records"][0]["s3"]["object"].update(key=key, versionId=None)
        notification["Records"][0]["s3"]["object"]["sequencer"] = f"00FFFFFFFFFFFFFF{number:02d}"
        records.append(template | {"messageId": key, "body": json.dumps(notification)})
    stack.router.drain()
    with monkeypatch.context() as patched:
        service = wiring.validator_service()  # as the drain built it, from the function's settings
        refusing = replace(
            service, index_queue=RefusingQueue(service.index_queue, records[1]["messageId"])
        )
        patched.setattr(wiring, "validator_service", lambda: refusing)

        response = stack.functions["ValidatorFunction"].invoke({"Records": records})

    assert response == {"batchItemFailures": [{"itemIdentifier": "posts/refused.md"}]}
    stack.router.drain()
    sent, refused = (
        stack.index.source_status(key) for key in ("posts/sent.md", "posts/refused.md")
    )
    assert sent is not None
    assert sent.sequencer.endswith("FFFFFFFFFFFFFF00")
    assert refused is None or not refused.sequencer.endswith("FFFFFFFFFFFFFF01")
