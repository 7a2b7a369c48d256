"""The indexer's rules, decided without AWS: order, idempotency, ownership, deletes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from pressroom.events import normalize_sequencer
from pressroom.indexing import (
    IndexPlan,
    ItemKey,
    ItemsNotReadError,
    PostKey,
    Record,
    Snapshot,
    SourceKey,
    YearCount,
    YearKey,
    keys_to_read_first,
    plan_index_write,
)
from pressroom.models import IndexAction, IndexMessage, Issue, PostSummary
from tests.memory_index import MemoryIndex

START = datetime(2026, 1, 1, tzinfo=UTC)


def seq(number: int) -> str:
    return normalize_sequencer(f"{number:X}", START)


def post(
    slug: str = "hello",
    source: str = "hello.md",
    content: str = "a",
    tags: tuple[str, ...] = (),
    date: datetime = datetime(2025, 3, 1, tzinfo=UTC),
    **fields: object,
) -> PostSummary:
    return PostSummary(
        source_key=source,
        slug=slug,
        title="Hello",
        date=date,
        tags=tags,
        content_hash=content * 64,
        **fields,  # type: ignore[arg-type]
    )


def event(
    action: IndexAction,
    number: int,
    summary: PostSummary | None = None,
    source: str = "hello.md",
    minute: int | None = None,
) -> IndexMessage:
    """An event on `source`; its time follows its sequencer unless `minute` says otherwise."""
    return IndexMessage(
        action=action,
        source_key=summary.source_key if summary else source,
        sequencer=seq(number),
        event_time=START + timedelta(minutes=number if minute is None else minute),
        post=summary,
        errors=(Issue(field="title", message="required"),) if action == "invalid" else (),
    )


def published_slugs(index: MemoryIndex) -> dict[str, str]:
    """slug -> source key of every live, published post."""
    return {
        key.slug: record.post.source_key
        for key, record in index.items.items()
        if isinstance(key, PostKey) and record.published is not None  # type: ignore[union-attr]
    }


def test_first_upsert_writes_status_post_claim_tags_and_year() -> None:
    index = MemoryIndex()

    plan = index.handle(event("upsert", 1, post(tags=("php", "PHP", "Open Source"))))

    assert plan.outcome == "applied"
    assert index.status("hello.md").status == "published"  # type: ignore[union-attr]
    assert published_slugs(index) == {"hello": "hello.md"}
    assert sorted(tag for tag, _ in index.tags) == ["open-source", "php"]
    assert index.items[YearKey(2025)] == YearCount(year=2025, months={3: 1})


def test_a_plan_asks_for_what_it_has_not_read() -> None:
    with pytest.raises(ItemsNotReadError) as raised:
        plan_index_write(event("upsert", 1, post()), Snapshot())

    assert SourceKey("hello.md") in raised.value.keys


def test_a_plan_writes_only_what_it_read() -> None:
    with pytest.raises(ValueError, match="only write items it has read"):
        IndexPlan(outcome="applied", writes={SourceKey("x.md"): None})


def test_older_and_duplicate_events_change_nothing() -> None:
    index = MemoryIndex()
    index.handle(event("upsert", 5, post()))
    state = dict(index.items)

    assert index.handle(event("upsert", 5, post(content="b"))).outcome == "duplicate"
    assert index.handle(event("delete", 3)).outcome == "stale"
    assert index.items == state


def test_an_older_upload_only_moves_the_first_upload_time() -> None:
    index = MemoryIndex()
    index.handle(event("upsert", 5, post()))

    assert index.handle(event("upsert", 4, post(content="b"))).outcome == "stale"

    status = index.status("hello.md")
    assert status is not None
    assert (status.sequencer, status.first_seen) == (seq(5), START + timedelta(minutes=4))
    assert index.post("hello").post.content_hash == "a" * 64  # type: ignore[union-attr]


def test_same_content_only_moves_the_status_sequencer() -> None:
    index = MemoryIndex()
    index.handle(event("upsert", 1, post()))

    plan = index.handle(event("upsert", 2, post()))

    assert plan.outcome == "unchanged"
    assert plan.posts == ()
    assert index.status("hello.md").sequencer == seq(2)  # type: ignore[union-attr]


def test_a_second_file_waits_with_an_error_naming_the_owner() -> None:
    index = MemoryIndex()
    index.handle(event("upsert", 1, post(source="first.md")))

    plan = index.handle(event("upsert", 2, post(source="second.md", content="b")))

    assert plan.outcome == "conflict"
    waiting = index.status("second.md")
    assert waiting is not None and waiting.status == "conflict"
    assert "first.md" in waiting.errors[0].message
    assert published_slugs(index) == {"hello": "first.md"}


def test_the_first_uploaded_file_owns_the_slug_whatever_the_delivery_order() -> None:
    index = MemoryIndex()
    index.handle(event("upsert", 2, post(source="second.md", content="b")))
    assert published_slugs(index) == {"hello": "second.md"}

    index.handle(event("upsert", 1, post(source="first.md")))

    assert published_slugs(index) == {"hello": "first.md"}
    assert index.status("second.md").status == "conflict"  # type: ignore[union-attr]
    assert index.status("first.md").status == "published"  # type: ignore[union-attr]


def test_deleting_the_owner_publishes_the_next_claimant() -> None:
    index = MemoryIndex()
    index.handle(
        event("upsert", 1, post(source="first.md")),
        event("upsert", 2, post(source="second.md", content="b")),
    )

    index.handle(event("delete", 3, source="first.md"))

    assert published_slugs(index) == {"hello": "second.md"}
    assert index.status("second.md").status == "published"  # type: ignore[union-attr]
    assert index.status("second.md").errors == ()  # type: ignore[union-attr]


def test_a_rename_delivered_create_first_ends_with_the_new_file_published() -> None:
    index = MemoryIndex()
    index.handle(event("upsert", 1, post(source="old.md")))

    index.handle(
        event("upsert", 3, post(source="new.md", content="b")),
        event("delete", 2, source="old.md"),
    )

    assert published_slugs(index) == {"hello": "new.md"}
    assert index.status("new.md").status == "published"  # type: ignore[union-attr]


def test_delete_tombstones_the_post_and_drops_its_tags_and_year() -> None:
    index = MemoryIndex()
    index.handle(event("upsert", 1, post(tags=("php",))))

    index.handle(event("delete", 2))

    tombstone = index.post("hello")
    assert tombstone is not None and (tombstone.status, tombstone.post) == ("deleted", None)
    assert index.tags == {}
    assert YearKey(2025) not in index.items
    assert index.status("hello.md").status == "deleted"  # type: ignore[union-attr]


def test_a_late_older_create_cannot_bring_a_deleted_post_back() -> None:
    index = MemoryIndex()
    index.handle(event("delete", 2), event("upsert", 1, post()))

    assert index.post("hello") is not None
    assert published_slugs(index) == {}
    assert index.status("hello.md").status == "deleted"  # type: ignore[union-attr]


def test_changing_the_slug_moves_the_post_and_its_tags() -> None:
    index = MemoryIndex()
    index.handle(event("upsert", 1, post(slug="old", tags=("a", "b"))))

    index.handle(event("upsert", 2, post(slug="new", content="b", tags=("b",))))

    assert published_slugs(index) == {"new": "hello.md"}
    assert index.post("old").status == "deleted"  # type: ignore[union-attr]
    assert sorted(index.tags) == [("b", "new")]


def test_an_invalid_upload_keeps_the_published_version() -> None:
    index = MemoryIndex()
    index.handle(event("upsert", 1, post()))

    index.handle(event("invalid", 2))

    status = index.status("hello.md")
    assert status is not None and (status.status, status.slug) == ("invalid", "hello")
    assert published_slugs(index) == {"hello": "hello.md"}


def test_a_valid_version_arriving_after_a_newer_invalid_one_is_published() -> None:
    index = MemoryIndex()

    index.handle(event("invalid", 2), event("upsert", 1, post()))

    assert index.status("hello.md").status == "invalid"  # type: ignore[union-attr]
    assert published_slugs(index) == {"hello": "hello.md"}


def test_drafts_are_indexed_without_tags_or_listing() -> None:
    index = MemoryIndex()

    index.handle(event("upsert", 1, post(tags=("php",), draft=True)))

    assert index.post("hello").status == "draft"  # type: ignore[union-attr]
    assert index.tags == {}
    assert YearKey(2025) not in index.items


def test_publishing_a_draft_and_back_keeps_tags_and_years_in_step() -> None:
    index = MemoryIndex()
    index.handle(event("upsert", 1, post(tags=("php",), draft=True)))

    index.handle(event("upsert", 2, post(tags=("php",), content="b")))
    assert sorted(index.tags) == [("php", "hello")]
    assert index.items[YearKey(2025)] == YearCount(year=2025, months={3: 1})

    index.handle(event("upsert", 3, post(tags=("php",), content="c", draft=True)))
    assert index.tags == {}
    assert YearKey(2025) not in index.items


def test_a_date_change_moves_the_post_between_years() -> None:
    index = MemoryIndex()
    index.handle(event("upsert", 1, post()))

    index.handle(event("upsert", 2, post(date=datetime(2024, 5, 1, tzinfo=UTC), content="b")))

    assert YearKey(2025) not in index.items
    assert index.items[YearKey(2024)] == YearCount(year=2024, months={5: 1})


def test_an_undated_post_keeps_the_date_of_its_first_upload() -> None:
    index = MemoryIndex()
    undated = post(dated_by_upload=True, date=START + timedelta(minutes=5))
    index.handle(event("upsert", 5, undated))

    index.handle(event("upsert", 9, undated.model_copy(update={"date": START})))
    assert index.post("hello").post.date == START + timedelta(minutes=5)  # type: ignore[union-attr]

    index.handle(event("invalid", 2))
    assert index.post("hello").post.date == START + timedelta(minutes=2)  # type: ignore[union-attr]


@dataclass
class CountingIndex(MemoryIndex):
    reads: list[list[ItemKey]] = field(default_factory=list)

    def read(self, keys: Iterable[ItemKey]) -> dict[ItemKey, Record | None]:
        self.reads.append(list(keys))
        return super().read(self.reads[-1])


def test_a_new_post_is_planned_from_one_read_its_year_counter_included() -> None:
    index = CountingIndex()
    index.handle(event("upsert", 1, post(date=datetime(2024, 5, 1, tzinfo=UTC))))

    index.handle(event("upsert", 2, post(slug="second", source="second.md")))

    assert len(index.reads) == 2
    assert YearKey(2025) in index.reads[-1]
    assert index.items[YearKey(2025)] == YearCount(year=2025, months={3: 1})


def test_a_plan_rests_only_on_the_items_it_consulted() -> None:
    index = CountingIndex()
    index.handle(event("upsert", 1, post()))

    plan = index.handle(event("upsert", 2, post()))

    assert plan.outcome == "unchanged"
    assert YearKey(2025) in index.reads[-1], "read on the chance the post counts in it"
    assert YearKey(2025) not in plan.read, "but no condition on it: its count did not change"


def test_a_draft_does_not_read_a_year_counter_first() -> None:
    assert not any(
        isinstance(key, YearKey) for key in keys_to_read_first(event("upsert", 1, post(draft=True)))
    )
