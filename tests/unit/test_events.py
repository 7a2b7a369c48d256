"""S3 notifications as real S3 and moto deliver them through SQS."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from pressroom.events import (
    SEQUENCER_WIDTH,
    MalformedEventError,
    normalize_sequencer,
    parse_s3_notification,
)
from tests.events import s3_notification


def test_real_s3_put_event_gives_a_created_event_with_its_sequencer() -> None:
    (event,) = parse_s3_notification(s3_notification("validator-object-created.json"))

    assert event.action == "created"
    assert event.key == "posts/armenia-azerbaijan-truce.md"
    assert event.bucket == "pressroom-contentbucket"
    assert event.version_id is None
    assert event.sequencer == "0055AED6DCD90281E5".rjust(SEQUENCER_WIDTH, "0")
    assert event.event_time == datetime(2026, 11, 24, 10, 15, 30, 123000, tzinfo=UTC)


def test_version_id_is_kept_for_an_exact_read() -> None:
    notification = json.loads(s3_notification("validator-object-created.json"))
    notification["Records"][0]["s3"]["object"]["versionId"] = "096fKKXTRTtl3on89fVO.nfljtsv6qko"

    (event,) = parse_s3_notification(json.dumps(notification))

    assert event.version_id == "096fKKXTRTtl3on89fVO.nfljtsv6qko"


def test_removal_sorts_after_the_creation_it_follows() -> None:
    (created,) = parse_s3_notification(s3_notification("validator-object-created.json"))
    (removed,) = parse_s3_notification(s3_notification("validator-object-removed.json"))

    assert removed.action == "removed"
    assert created.sequencer < removed.sequencer


def test_s3_test_event_is_skipped() -> None:
    assert parse_s3_notification(s3_notification("validator-s3-test-event.json")) == []


def test_moto_shaped_record_with_encoded_key_and_no_sequencer() -> None:
    # moto encodes `/` as %2F and spaces as `+`, and sends no sequencer.
    body = json.dumps(
        {
            "Records": [
                {
                    "eventVersion": "2.1",
                    "eventSource": "aws:s3",
                    "eventTime": "2026-11-24T10:15:30.123Z",
                    "eventName": "ObjectCreated:Put",
                    "s3": {
                        "bucket": {"name": "content"},
                        "object": {"key": "posts%2Fmy+first+post%C3%A9.md", "size": 10},
                    },
                }
            ]
        }
    )

    (event,) = parse_s3_notification(body)

    assert event.key == "posts/my first postñ.md".replace("ñ", "é")
    assert event.sequencer == normalize_sequencer(None, event.event_time)


def test_sequencers_of_different_widths_compare_as_numbers() -> None:
    moment = datetime(2026, 1, 1, tzinfo=UTC)

    assert normalize_sequencer("FF", moment) < normalize_sequencer("100", moment)
    assert normalize_sequencer("0a", moment) == normalize_sequencer("A", moment)


@pytest.mark.parametrize(
    "body",
    ["not json", "[]", json.dumps({"Records": "x"}), json.dumps({"Records": [{"eventName": 1}]})],
)
def test_a_message_that_is_no_s3_notification_is_refused(body: str) -> None:
    with pytest.raises(MalformedEventError):
        parse_s3_notification(body)
