"""The indexer's rules, decided without AWS: order, idempotency, ownership, deletes."""

from __future__ import annotations

from datetime import UTC, datetime

from pressroom.events import normalize_sequencer
from pressroom.indexing import IndexState, PostRecord, SourceStatus, plan_index_write
from pressroom.models import IndexAction, IndexMessage, PostSummary

WHEN = datetime(2026, 1, 1, tzinfo=UTC)


def seq(number: int) -> str:
    return normalize_sequencer(f"{number:X}", WHEN)


def post(
    slug: str = "hello", source: str = "hello.md", content: str = "a", tags: tuple[str, ...] = ()
) -> PostSummary:
    return PostSummary(
        source_key=source,
        slug=slug,
        title="Hello",
        date=datetime(2025, 3, 1, tzinfo=UTC),
        tags=tags,
        content_hash=content * 64,
    )


def message(action: IndexAction, number: int, summary: PostSummary | None = None) -> IndexMessage:
    source = summary.source_key if summary else "hello.md"
    return IndexMessage(
        action=action, source_key=source, sequencer=seq(number), event_time=WHEN, post=summary
    )


def status(number: int, slug: str | None = "hello", source: str = "hello.md") -> SourceStatus:
    return SourceStatus(
        source_key=source, status="published", sequencer=seq(number), event_time=WHEN, slug=slug
    )


def record(summary: PostSummary, number: int, status: str = "published") -> PostRecord:
    return PostRecord(post=summary, status=status, sequencer=seq(number), revision=number)  # type: ignore[arg-type]


def test_first_upsert_writes_status_post_tags_and_year() -> None:
    plan = plan_index_write(
        message("upsert", 1, post(tags=("php", "PHP", "Open Source"))), IndexState()
    )

    assert plan.outcome == "applied"
    assert plan.source is not None and plan.source.status == "published"
    assert [record.status for record in plan.posts] == ["published"]
    assert [entry.tag for entry in plan.tags_to_put] == ["php", "open-source"]
    assert plan.new_year == 2025


def test_older_and_duplicate_events_change_nothing() -> None:
    state = IndexState(source=status(5), claimed=record(post(), 5))

    assert plan_index_write(message("upsert", 4, post(content="b")), state).outcome == "stale"
    assert plan_index_write(message("upsert", 5, post(content="b")), state).outcome == "duplicate"
    assert not plan_index_write(message("delete", 3), state).writes_anything


def test_same_content_only_moves_the_status_sequencer() -> None:
    state = IndexState(source=status(1), claimed=record(post(), 1), years=frozenset({2025}))

    plan = plan_index_write(message("upsert", 2, post()), state)

    assert plan.outcome == "unchanged"
    assert plan.source is not None and plan.source.sequencer == seq(2)
    assert plan.posts == ()


def test_a_second_file_cannot_take_a_live_slug() -> None:
    owner = record(post(source="first.md"), 1)
    intruder = post(source="second.md")

    plan = plan_index_write(message("upsert", 2, intruder), IndexState(claimed=owner))

    assert plan.outcome == "conflict"
    assert plan.source is not None and plan.source.status == "conflict"
    assert "first.md" in plan.source.errors[0].message
    assert plan.posts == ()


def test_a_tombstone_frees_its_slug() -> None:
    tombstone = record(post(source="first.md"), 3, status="deleted")

    plan = plan_index_write(
        message("upsert", 4, post(source="second.md")), IndexState(claimed=tombstone)
    )

    assert plan.outcome == "applied"
    assert plan.posts[0].post.source_key == "second.md"
    assert plan.posts[0].revision == tombstone.revision + 1


def test_delete_tombstones_the_post_and_drops_its_tags() -> None:
    live = record(post(tags=("php",)), 1)
    state = IndexState(source=status(1), previous=live)

    plan = plan_index_write(message("delete", 2), state)

    assert plan.source is not None and plan.source.status == "deleted"
    assert [(record.slug, record.status) for record in plan.posts] == [("hello", "deleted")]
    assert [entry.tag for entry in plan.tags_to_delete] == ["php"]


def test_changing_the_slug_moves_the_post() -> None:
    old = record(post(slug="old", tags=("a", "b")), 1)
    state = IndexState(source=status(1, slug="old"), previous=old)

    plan = plan_index_write(message("upsert", 2, post(slug="new", content="b", tags=("b",))), state)

    assert [(record.slug, record.status) for record in plan.posts] == [
        ("new", "published"),
        ("old", "deleted"),
    ]
    assert {(entry.tag, entry.slug) for entry in plan.tags_to_delete} == {
        ("a", "old"),
        ("b", "old"),
    }
    assert [(entry.tag, entry.slug) for entry in plan.tags_to_put] == [("b", "new")]


def test_invalid_upload_keeps_the_published_version() -> None:
    state = IndexState(source=status(1), claimed=None)

    plan = plan_index_write(message("invalid", 2), state)

    assert plan.source is not None and plan.source.status == "invalid"
    assert plan.source.slug == "hello"
    assert plan.posts == ()


def test_drafts_are_indexed_without_tags_or_listing() -> None:
    draft = post(tags=("php",)).model_copy(update={"draft": True})

    plan = plan_index_write(message("upsert", 1, draft), IndexState())

    assert plan.posts[0].status == "draft"
    assert plan.tags_to_put == ()
    assert plan.new_year is None
