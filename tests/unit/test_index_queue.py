"""Index messages leave the validator ten to a request, and a record whose message did not
go is known by name: it must fail, to be validated and sent again."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from pressroom.adapters.sqs import SqsIndexQueue
from pressroom.limits import Limits
from pressroom.models import IndexMessage, Issue
from pressroom.services.validator import ValidatorService

QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/index"


def message(key: str, note: str = "") -> IndexMessage:
    return IndexMessage(
        action="invalid",
        source_key=key,
        sequencer="0" * 32,
        event_time=datetime(2026, 11, 24, tzinfo=UTC),
        errors=(Issue(field="title", message=note or "required"),),
    )


class FakeSqs:
    """SendMessageBatch that records each request; named entries fail, numbered calls raise."""

    def __init__(
        self, failing_ids: frozenset[str] = frozenset(), raising_calls: frozenset[int] = frozenset()
    ) -> None:
        self.requests: list[list[dict[str, str]]] = []
        self.failing_ids = failing_ids
        self.raising_calls = raising_calls

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, str]]) -> dict[str, Any]:
        assert QueueUrl == QUEUE_URL
        self.requests.append(Entries)
        if len(self.requests) - 1 in self.raising_calls:
            raise ClientError(
                {"Error": {"Code": "InternalError", "Message": "down"}}, "SendMessageBatch"
            )
        failed = [entry["Id"] for entry in Entries if entry["Id"] in self.failing_ids]
        return {
            "Successful": [{"Id": entry["Id"]} for entry in Entries if entry["Id"] not in failed],
            "Failed": [
                {"Id": id_, "Code": "InternalError", "SenderFault": False} for id_ in failed
            ],
        }


def test_messages_go_ten_to_a_request_in_order() -> None:
    sqs = FakeSqs()
    messages = [message(f"posts/{number}.md") for number in range(23)]

    unsent = SqsIndexQueue(sqs, QUEUE_URL).send(messages)  # type: ignore[arg-type]

    assert unsent == {}
    assert [len(entries) for entries in sqs.requests] == [10, 10, 3]
    sent = [IndexMessage.model_validate_json(e["MessageBody"]) for r in sqs.requests for e in r]
    assert sent == messages


def test_a_request_stays_within_256_kib() -> None:
    sqs = FakeSqs()
    messages = [message(f"posts/{number}.md", note="x" * 100_000) for number in range(3)]

    SqsIndexQueue(sqs, QUEUE_URL).send(messages)  # type: ignore[arg-type]

    assert [len(entries) for entries in sqs.requests] == [2, 1]
    for entries in sqs.requests:
        assert sum(len(entry["MessageBody"].encode()) for entry in entries) <= 256 * 1024


def test_entries_the_queue_refused_and_requests_that_failed_are_reported_by_position() -> None:
    sqs = FakeSqs(failing_ids=frozenset({"3"}), raising_calls=frozenset({1}))
    messages = [message(f"posts/{number}.md") for number in range(25)]

    unsent = SqsIndexQueue(sqs, QUEUE_URL).send(messages)  # type: ignore[arg-type]

    assert sorted(unsent) == [3, *range(10, 20)]
    assert "InternalError" in unsent[3]
    assert len(sqs.requests) == 3, "a failed request does not stop the ones after it"


class FailingQueue:
    """An index queue that sends nothing for the keys it is told to fail."""

    def __init__(self, failing_keys: set[str]) -> None:
        self.failing_keys = failing_keys
        self.sent: list[IndexMessage] = []

    def send(self, messages: list[IndexMessage]) -> dict[int, str]:
        unsent = {}
        for position, each in enumerate(messages):
            if each.source_key in self.failing_keys:
                unsent[position] = "refused"
            else:
                self.sent.append(each)
        return unsent


def test_the_validator_names_each_record_whose_messages_did_not_all_go() -> None:
    queue = FailingQueue({"posts/b2.md"})
    service = ValidatorService(
        content=None,  # type: ignore[arg-type]
        documents=None,  # type: ignore[arg-type]
        index_queue=queue,
        limits=Limits(),
    )
    batch = {
        "record-a": [message("posts/a.md")],
        "record-b": [message("posts/b1.md"), message("posts/b2.md")],
        "record-c": [],
        "record-d": [message("posts/d.md")],
    }

    unsent = service.send(batch)

    assert unsent == {"record-b": "refused"}
    assert [each.source_key for each in queue.sent] == ["posts/a.md", "posts/b1.md", "posts/d.md"]
