"""What `pressroom check` accepts, the pipeline publishes: the same verdict from the same code,
then every hop a post takes after the validator (the index message's JSON, the indexer's
plan, the index items as DynamoDB stores them, the document in the artifacts bucket)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from pressroom.adapters.dynamodb import post_record, record_item, source_status
from pressroom.events import ContentEvent
from pressroom.indexing import PostKey, PostRecord, SourceKey, SourceStatus
from pressroom.limits import DEFAULT_LIMITS
from pressroom.models import IndexMessage, PostDocument, format_instant
from pressroom.ports import SourceObject
from pressroom.services.validator import ValidatorService
from pressroom.sources import read_source
from pressroom_local.cli import main
from tests.memory_index import MemoryIndex

UPLOADED = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@dataclass
class FileContent:
    """The content bucket, as one local file."""

    path: Path

    def fetch(
        self, key: str, *, max_bytes: int, version_id: str | None = None, whole: bool = True
    ) -> SourceObject:
        return read_source(self.path, key, max_bytes=max_bytes, whole=whole)


@dataclass
class Documents:
    stored: dict[str, str] = field(default_factory=dict)

    def put(self, document: PostDocument) -> None:
        self.stored[document.document_key] = document.model_dump_json()

    def get(self, key: str) -> PostDocument:
        return PostDocument.model_validate_json(self.stored[key])


def through_dynamodb(item: dict[str, object]) -> dict[str, object]:
    serialized = {name: TypeSerializer().serialize(value) for name, value in item.items()}
    return {name: TypeDeserializer().deserialize(value) for name, value in serialized.items()}


def published_by_the_pipeline(path: Path, key: str) -> PostRecord:
    """The validator, the index queue's JSON, the indexer, and the index's items read back."""
    documents = Documents()
    service = ValidatorService(FileContent(path), documents, None, DEFAULT_LIMITS)  # type: ignore[arg-type]
    event = ContentEvent(
        action="created", bucket="content", key=key, sequencer="0" * 32, event_time=UPLOADED
    )
    sent = service.handle(event)
    assert sent is not None
    assert sent.action == "upsert", sent.errors
    received = IndexMessage.model_validate_json(sent.model_dump_json())
    index = MemoryIndex()
    index.handle(received)
    status = index.status(key)
    assert status is not None
    stored_status = source_status(through_dynamodb(record_item(SourceKey(key), status)))
    assert stored_status == status
    assert isinstance(stored_status, SourceStatus)
    post = index.post(received.post.slug if received.post else "")
    assert post is not None and post.post is not None
    stored = post_record(through_dynamodb(record_item(PostKey(post.slug), post)))
    assert stored == post
    assert stored.post is not None
    assert documents.get(stored.post.document_key).date == stored.post.date
    return stored


@pytest.mark.parametrize(
    "date",
    [
        "0999-05-04",
        "0001-01-01 00:00:00",
        "9999-12-31T23:59:59Z",
        "2020-10-10t16:30:15z",
        "1602347415",
        '"0999-05-04T10:00:00+01:00"',
    ],
)
def test_every_date_check_accepts_is_published_with_the_date_check_printed(
    date: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "ferry-times.md"
    path.write_text(f"---\ntitle: Ferry times\ndate: {date}\n---\nThe ferry was late.\n")

    exit_code = main(["check", "--json", str(path)])
    (checked,) = json.loads(capsys.readouterr().out)

    if exit_code != 0:
        assert checked["errors"], "refused without a reason"
        return
    published = published_by_the_pipeline(path, "posts/ferry-times.md")
    assert published.post is not None
    assert format_instant(published.post.date) == checked["date"]
    assert datetime.fromisoformat(checked["date"]) == published.post.date
