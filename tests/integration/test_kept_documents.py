"""A warm renderer reads a post's document once: the page written again when a post lands
beside it costs no GET (pressroom/documents.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from pressroom.adapters import wiring
from pressroom.adapters.s3 import S3DocumentStore
from pressroom.config import RendererSettings
from pressroom.documents import KeptDocuments, kept_weight
from pressroom.models import PostDocument, document_key
from pressroom_local.emulator import EmbeddedAws

BUCKET = "artifacts"


def _document(number: int, body: str = "The tide came in at noon.") -> PostDocument:
    return PostDocument(
        source_key=f"posts/tide-{number}.md",
        slug=f"tide-{number}",
        title=f"Tide table, week {number}",
        date=datetime(2025, 3, number, tzinfo=UTC),
        content_hash=f"{number:064x}",
        body_markdown=body,
    )


@pytest.fixture
def store(aws: EmbeddedAws) -> tuple[S3DocumentStore, list[str]]:
    """The artifacts bucket's document store, and the keys each GetObject it makes asks for."""
    client = aws.session.client("s3")
    client.create_bucket(Bucket=BUCKET)
    fetched: list[str] = []

    def note(params: dict[str, Any], **_: Any) -> None:
        fetched.append(params["Key"])

    client.meta.events.register("provide-client-params.s3.GetObject", note)
    return S3DocumentStore(client, BUCKET), fetched


def test_a_document_is_read_from_s3_once_and_the_least_recently_used_goes_past_the_budget(
    store: tuple[S3DocumentStore, list[str]],
) -> None:
    s3, fetched = store
    documents = [_document(number, "Low water. " * 200) for number in (1, 2, 3)]
    for document in documents:
        s3.put(document)
    one, two, three = (document_key(document.content_hash) for document in documents)
    # Room for two of these documents, not three.
    kept = KeptDocuments(s3, budget_bytes=2 * kept_weight(documents[0]) + 1)

    assert kept.get(one) == documents[0]
    assert kept.get(two) == documents[1]
    assert kept.get(one) == documents[0]
    assert fetched == [one, two]

    assert kept.get(three) == documents[2]  # the second, least recently used, goes
    assert kept.get(one) == documents[0]
    assert kept.get(two) == documents[1]
    assert fetched == [one, two, three, two]
    assert len(kept) == 2


def test_a_document_larger_than_the_budget_is_read_each_time_and_keeps_nothing_out(
    store: tuple[S3DocumentStore, list[str]],
) -> None:
    s3, fetched = store
    small, large = _document(1), _document(2, "Spring tide. " * 5_000)
    s3.put(small)
    s3.put(large)
    kept = KeptDocuments(s3, budget_bytes=16 * 1024)

    for _ in range(2):
        kept.get(document_key(small.content_hash))
        kept.get(document_key(large.content_hash))

    assert fetched == [document_key(small.content_hash), *[document_key(large.content_hash)] * 2]
    assert len(kept) == 1


def test_writes_go_straight_to_the_store(store: tuple[S3DocumentStore, list[str]]) -> None:
    s3, fetched = store
    kept = KeptDocuments(s3)
    document = _document(4)

    kept.put(document)

    assert s3.get(document_key(document.content_hash)) == document
    assert fetched == [document_key(document.content_hash)]


def test_the_renderer_keeps_the_documents_it_reads(aws: EmbeddedAws) -> None:
    settings = RendererSettings.model_validate(
        {
            "TABLE_NAME": "index",
            "ARTIFACTS_BUCKET": BUCKET,
            "SITE_BUCKET": "site",
            "LISTING_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/listings",
            "SITE_URL": "https://tides.example.org/",
        }
    )
    s3, dynamodb = aws.session.client("s3"), aws.session.client("dynamodb")

    renderer = wiring.build_renderer(settings, s3, dynamodb)

    assert isinstance(renderer.documents, KeptDocuments)
    assert isinstance(renderer.documents.store, S3DocumentStore)
