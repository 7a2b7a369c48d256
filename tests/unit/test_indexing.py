"""The indexer's rules, decided without AWS: order, idempotency, ownership, deletes."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from pressroom.adapters.dynamodb import record_item, serialize
from pressroom.events import normalize_sequencer
from pressroom.indexing import (
    IndexPlan,
    ItemKey,
    ItemsNotReadError,
    MonthMarkerKey,
    PostKey,
    PostRecord,
    SeenPlace,
    Snapshot,
    SourceKey,
    SourceStatus,
    Stored,
    keys_to_read_first,
    plan_index_write,
    seen_places,
    with_current_owner,
)
from pressroom.limits import DEFAULT_LIMITS
from pressroom.models import MAX_FORMER_PLACES, IndexAction, IndexMessage, Issue, PostSummary
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


def test_first_upsert_writes_status_post_claim_tags_and_month_entry() -> None:
    index = MemoryIndex()

    plan = index.handle(event("upsert", 1, post(tags=("php", "PHP", "Open Source"))))

    assert plan.outcome == "applied"
    assert index.status("hello.md").status == "published"  # type: ignore[union-attr]
    assert published_slugs(index) == {"hello": "hello.md"}
    assert sorted(tag for tag, _ in index.tags) == ["open-source", "php"]
    assert index.month_slugs() == {(2025, 3): {"hello"}}
    assert MonthMarkerKey(2025, 3) in index.items


def test_a_plan_asks_for_what_it_has_not_read() -> None:
    with pytest.raises(ItemsNotReadError) as raised:
        plan_index_write(event("upsert", 1, post()), Snapshot())

    assert SourceKey("hello.md") in raised.value.keys


def test_a_plan_writes_only_what_it_read() -> None:
    with pytest.raises(ValueError, match="only write items it has read"):
        IndexPlan(outcome="applied", writes={SourceKey("x.md"): None})


def test_older_and_duplicate_events_change_nothing_but_the_newest_delete_seen() -> None:
    index = MemoryIndex()
    index.handle(event("upsert", 5, post()))
    state = dict(index.items)

    assert index.handle(event("upsert", 5, post(content="b"))).outcome == "duplicate"
    assert index.items == state
    assert index.handle(event("delete", 3)).outcome == "stale"
    # Remembered, as delivery in order would have it: no version before it left an old URL.
    status = index.status("hello.md")
    assert status is not None and status.deleted_at == seq(3)
    assert {**index.items, SourceKey("hello.md"): state[SourceKey("hello.md")]} == state


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
    assert "first.md" in with_current_owner(waiting, index.post("hello")).errors[0].message
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


def test_delete_tombstones_the_post_and_drops_its_tags_and_month_entry() -> None:
    index = MemoryIndex()
    index.handle(event("upsert", 1, post(tags=("php",))))

    index.handle(event("delete", 2))

    tombstone = index.post("hello")
    assert tombstone is not None and (tombstone.status, tombstone.post) == ("deleted", None)
    assert index.tags == {}
    assert index.months == {}
    assert index.all_claims("hello") == []
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
    assert index.months == {}


def test_publishing_a_draft_and_back_keeps_tags_and_months_in_step() -> None:
    index = MemoryIndex()
    index.handle(event("upsert", 1, post(tags=("php",), draft=True)))

    index.handle(event("upsert", 2, post(tags=("php",), content="b")))
    assert sorted(index.tags) == [("php", "hello")]
    assert index.month_slugs() == {(2025, 3): {"hello"}}

    index.handle(event("upsert", 3, post(tags=("php",), content="c", draft=True)))
    assert index.tags == {}
    assert index.months == {}


def test_a_date_change_moves_the_post_between_months() -> None:
    index = MemoryIndex()
    index.handle(event("upsert", 1, post()))

    index.handle(event("upsert", 2, post(date=datetime(2024, 5, 1, tzinfo=UTC), content="b")))

    assert index.month_slugs() == {(2024, 5): {"hello"}}
    assert MonthMarkerKey(2025, 3) in index.items, "a month keeps its marker once it had posts"


def _former_paths(index: MemoryIndex, slug: str = "hello") -> list[str | None]:
    record = index.post(slug)
    assert record is not None and isinstance(record.post, PostSummary)
    return [place.path for place in record.post.former_places]


def test_a_post_item_remembers_each_place_its_versions_put_its_page() -> None:
    index = MemoryIndex()
    index.handle(event("upsert", 1, post(path="one/", draft=True)))
    # A draft has no page: its path is no old URL.
    index.handle(event("upsert", 2, post(path="two/", content="b")))
    assert _former_paths(index) == []

    index.handle(event("upsert", 3, post(path="three/", content="c")))
    index.handle(event("upsert", 4, post(path="four/", content="d", draft=True)))
    index.handle(event("upsert", 5, post(path="two/", content="e")))

    # `two/` is its page again; `four/` was a draft's.
    assert _former_paths(index) == ["three/"]
    index.handle(event("upsert", 6, post(path="three/", content="f")))
    assert _former_paths(index) == ["two/"]
    # A new date moves a page whose place the site's URL style makes of it.
    moved = post(path="three/", content="g", date=datetime(2024, 5, 1, tzinfo=UTC))
    index.handle(event("upsert", 7, moved))
    record = index.post("hello")
    assert record is not None and isinstance(record.post, PostSummary)
    assert [place.date.year for place in record.post.former_places] == [2025, 2025]


def test_a_post_item_remembers_its_latest_places_only() -> None:
    index = MemoryIndex()
    for number in range(1, MAX_FORMER_PLACES + 4):
        index.handle(event("upsert", number, post(path=f"p{number}/", content=f"{number:x}")))

    latest = [f"p{number}/" for number in range(3, MAX_FORMER_PLACES + 3)]
    assert _former_paths(index) == latest
    # A deleted post's old URLs go with its page: its tombstone remembers none of them.
    index.handle(event("delete", MAX_FORMER_PLACES + 9))
    index.handle(event("upsert", MAX_FORMER_PLACES + 10, post(path="back/", content="e0")))
    assert _former_paths(index) == []


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

    def read(self, keys: Iterable[ItemKey]) -> dict[ItemKey, Stored | None]:
        self.reads.append(list(keys))
        return super().read(self.reads[-1])


def test_a_new_post_is_planned_from_one_read_its_month_marker_included() -> None:
    index = CountingIndex()
    index.handle(event("upsert", 1, post(date=datetime(2024, 5, 1, tzinfo=UTC))))

    plan = index.handle(event("upsert", 2, post(slug="second", source="second.md")))

    assert len(index.reads) == 2
    assert MonthMarkerKey(2025, 3) in index.reads[-1]
    assert [(m.year, m.month) for m in plan.markers_to_put] == [(2025, 3)]


def test_a_plan_rests_only_on_status_and_post_items() -> None:
    index = CountingIndex()
    index.handle(event("upsert", 1, post()))

    plan = index.handle(event("upsert", 2, post(slug="second", source="second.md")))

    assert set(plan.read) == {SourceKey("second.md"), PostKey("second")}
    assert plan.markers_to_put == (), "the month was marked by the first post"


def test_a_draft_does_not_read_a_month_marker_first() -> None:
    assert not any(
        isinstance(key, MonthMarkerKey)
        for key in keys_to_read_first(event("upsert", 1, post(draft=True)))
    )


def test_deleting_the_owner_restates_only_the_next_claimant() -> None:
    index = MemoryIndex()
    for number in range(1, 8):
        index.handle(event("upsert", number, post(source=f"copy-{number}.md", content="b")))

    plan = index.handle(event("delete", 20, source="copy-1.md"))

    assert set(plan.writes) == {SourceKey("copy-1.md"), SourceKey("copy-2.md"), PostKey("hello")}
    assert published_slugs(index) == {"hello": "copy-2.md"}
    assert index.status("copy-5.md").status == "conflict"  # type: ignore[union-attr]


def test_the_largest_plan_fits_one_transaction() -> None:
    """A file moving from a slug it owned, with the most tags and categories, to a slug it
    takes over from an owner with as many: two slugs, three statuses, every tag and
    category entry replaced."""
    half = DEFAULT_LIMITS.max_tags // 2

    def terms(prefix: str) -> dict[str, tuple[str, ...]]:
        return {
            "tags": tuple(f"{prefix}{n}" for n in range(half)),
            "categories": tuple(f"{prefix}c{n}" for n in range(DEFAULT_LIMITS.max_tags - half)),
        }

    index = MemoryIndex()
    index.handle(
        event("upsert", 2, post(slug="old", source="mover.md", **terms("a"))),  # type: ignore[arg-type]
        event("upsert", 3, post(slug="old", source="next.md", content="b", **terms("b"))),  # type: ignore[arg-type]
        event("upsert", 4, post(slug="new", source="owner.md", content="c", **terms("b"))),  # type: ignore[arg-type]
    )
    # Uploaded first of all (minute 1), so it takes "new" from its owner.
    moved = post(slug="new", source="mover.md", content="d", **terms("a"))  # type: ignore[arg-type]

    plan = index.handle(event("upsert", 5, moved, minute=1))

    assert published_slugs(index) == {"old": "next.md", "new": "mover.md"}
    assert index.status("owner.md").status == "conflict"  # type: ignore[union-attr]
    assert len(plan.tags_to_put) == len(plan.tags_to_delete) == 2 * DEFAULT_LIMITS.max_tags
    assert plan.transaction_items <= 100


def test_the_items_with_the_most_and_largest_places_fit_dynamodbs_item_limit() -> None:
    """Each place is at most a summary's size (its path, date and categories are the
    summary's): a post item (and a claim) holds a summary and MAX_FORMER_PLACES of them,
    a status one more."""
    limit = DEFAULT_LIMITS.max_summary_bytes
    categories = tuple(f"{n:02d}" + "x" * 700 for n in range(DEFAULT_LIMITS.max_tags))
    largest = post(categories=categories, path="p" * 200 + "/")
    assert len(largest.model_dump_json()) <= limit
    places = tuple(
        largest.place.model_copy(update={"path": f"{n}" + "p" * 200 + "/"})
        for n in range(MAX_FORMER_PLACES)
    )
    record = PostRecord(
        slug="hello", status="published", post=largest.model_copy(update={"former_places": places})
    )

    seen = tuple(
        SeenPlace.of(largest.model_copy(update={"path": f"{n}" + "p" * 200 + "/"}), seq(n))
        for n in range(MAX_FORMER_PLACES + 1)
    )
    status = SourceStatus(
        source_key="s" * DEFAULT_LIMITS.max_source_key_bytes,
        status="published",
        sequencer=seq(99),
        event_time=START,
        slug="hello",
        places=seen_places(seen, None),
    )
    assert len(status.places) == MAX_FORMER_PLACES + 1

    for key, stored in ((PostKey("hello"), record), (SourceKey("hello.md"), status)):
        item = serialize(record_item(key, stored, version=7))
        # DynamoDB counts names and values; their JSON is a little longer than that.
        assert len(json.dumps(item).encode()) < 400 * 1024


def test_a_category_is_listed_apart_from_a_tag_of_its_name() -> None:
    index = MemoryIndex()

    plan = index.handle(
        event("upsert", 1, post(tags=("News", "php"), categories=("news", "Open Source")))
    )

    assert [entry.tag for entry in plan.tags_to_put] == [
        "news",
        "php",
        "categories/news",
        "categories/open-source",
    ]
    assert plan.tags_to_put[3].name == "Open Source"


def test_status_names_the_owner_of_today_for_a_file_that_kept_waiting_through_a_change() -> None:
    index = MemoryIndex()
    for number in (1, 2, 3):
        index.handle(event("upsert", number, post(source=f"copy-{number}.md", content="b")))
    index.handle(event("delete", 9, source="copy-1.md"))
    waiting = index.status("copy-3.md")
    assert waiting is not None and "another file" in waiting.errors[0].message

    shown = with_current_owner(waiting, index.post("hello"))

    assert shown.status == "conflict"
    assert "copy-2.md" in shown.errors[0].message
