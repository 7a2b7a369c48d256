"""The renderer keeps the documents it read: a page written again for a post that joins
beside it reads no document a warm renderer already holds."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest

from pressroom.adapters.s3 import S3DocumentStore
from pressroom.adapters.wiring import KEPT_DOCUMENTS_BYTES
from pressroom.models import PostDocument, document_key
from pressroom_local.emulator import EmbeddedAws

BUCKET = "pressroom-artifacts"


def _document(title: str, body: str) -> PostDocument:
    return PostDocument(
        source_key="posts/night-ferry.md",
        slug="night-ferry",
        title=title,
        date=datetime(2024, 3, 2, tzinfo=UTC),
        content_hash=hashlib.sha256(f"{title}\n{body}".encode()).hexdigest(),
        body_markdown=body,
    )


@pytest.fixture
def reads(aws: EmbeddedAws) -> tuple[Any, list[str]]:
    """An S3 client on the embedded AWS with a bucket, and the keys it has read."""
    s3 = aws.session.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    read: list[str] = []
    s3.meta.events.register(
        "provide-client-params.s3.GetObject", lambda params, **_: read.append(params["Key"])
    )
    return s3, read


def test_a_renderers_store_reads_each_document_once(reads: tuple[Any, list[str]]) -> None:
    s3, read = reads
    writer = S3DocumentStore(s3, BUCKET)
    renderer = S3DocumentStore(s3, BUCKET, kept_bytes=KEPT_DOCUMENTS_BYTES)
    first = _document("The night ferry", "Eleven hours to the island.")
    writer.put(first)

    assert renderer.get(first.document_key) == first
    assert renderer.get(first.document_key) == first
    assert read == [document_key(first.content_hash)]


def test_an_edited_post_is_another_document_and_is_read(reads: tuple[Any, list[str]]) -> None:
    s3, read = reads
    writer = S3DocumentStore(s3, BUCKET)
    renderer = S3DocumentStore(s3, BUCKET, kept_bytes=KEPT_DOCUMENTS_BYTES)
    first = _document("The night ferry", "Eleven hours to the island.")
    edited = _document("The night ferry", "Twelve hours, with the storm.")
    writer.put(first)
    renderer.get(first.document_key)

    writer.put(edited)

    assert renderer.get(edited.document_key).body_markdown == "Twelve hours, with the storm."
    assert read == [first.document_key, edited.document_key]


def test_a_document_given_out_can_be_changed_without_changing_the_kept_one(
    reads: tuple[Any, list[str]],
) -> None:
    s3, _ = reads
    document = _document("The night ferry", "Eleven hours to the island.")
    S3DocumentStore(s3, BUCKET).put(document)
    renderer = S3DocumentStore(s3, BUCKET, kept_bytes=KEPT_DOCUMENTS_BYTES)

    renderer.get(document.document_key).extra["changed"] = True

    assert renderer.get(document.document_key).extra == {}


def test_a_store_without_a_budget_reads_every_time(reads: tuple[Any, list[str]]) -> None:
    s3, read = reads
    document = _document("The night ferry", "Eleven hours to the island.")
    store = S3DocumentStore(s3, BUCKET)
    store.put(document)

    store.get(document.document_key)
    store.get(document.document_key)

    assert len(read) == 2
