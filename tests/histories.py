"""Histories of uploads and deletes for property tests, and the messages the validator sends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from pressroom.events import normalize_sequencer
from pressroom.models import IndexMessage, PostDocument
from pressroom.validation import validate_post

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Upload:
    key: str
    slug: str
    version: int
    valid: bool = True
    draft: bool = False
    dated: bool = True
    tags: tuple[str, ...] = ()

    def body(self) -> bytes:
        if not self.valid:
            return f"---\ntitle: ''\nslug: {self.slug}\n---\nbroken\n".encode()
        lines = [f"title: {self.key} v{self.version}", f"slug: {self.slug}"]
        if self.dated:
            lines.append(f"date: 2025-0{1 + self.version % 3}-1{self.version % 10}")
        if self.draft:
            lines.append("draft: true")
        if self.tags:
            lines.append(f"tags: [{', '.join(self.tags)}]")
        return ("---\n" + "\n".join(lines) + f"\n---\n\nVersion {self.version}.\n").encode()


@dataclass(frozen=True)
class Delete:
    key: str


Operation = Upload | Delete


@dataclass(frozen=True)
class Population:
    """The files of a history, and the slugs they compete for."""

    keys: tuple[str, ...]
    slugs: tuple[str, ...]

    def histories(self) -> st.SearchStrategy[list[Operation]]:
        uploads = st.builds(
            Upload,
            key=st.sampled_from(self.keys),
            slug=st.sampled_from(self.slugs),
            version=st.integers(0, 3),
            valid=st.booleans().map(lambda broken: not broken) | st.just(True),
            draft=st.booleans(),
            dated=st.booleans() | st.just(True),
            tags=st.lists(st.sampled_from(("red", "blue")), max_size=2, unique=True).map(tuple),
        )
        deletes = st.builds(Delete, key=st.sampled_from(self.keys))
        return st.lists(st.one_of(uploads, uploads, deletes), min_size=1, max_size=9)


SPREAD = Population(keys=("a.md", "b.md", "c.md"), slugs=("x", "y"))
"""Three files, two slugs: moves, renames, and some contention."""
CONTENDED = Population(keys=("a.md", "b.md"), slugs=("x",))
"""Two files, one slug: every upload competes for it."""


def index_messages(history: list[Operation]) -> list[tuple[IndexMessage, PostDocument | None]]:
    """What the validator would send for each event, with the document it stored."""
    messages: list[tuple[IndexMessage, PostDocument | None]] = []
    for number, operation in enumerate(history, start=1):
        # Two events a second: some uploads of different files share an instant.
        event_time = START + timedelta(seconds=number // 2)
        common = {
            "source_key": operation.key,
            "sequencer": normalize_sequencer(f"{number:X}", event_time),
            "event_time": event_time,
        }
        if isinstance(operation, Delete):
            messages.append((IndexMessage(action="delete", **common), None))
            continue
        outcome = validate_post(operation.body(), operation.key, first_seen=event_time)
        if outcome.document is None:
            message = IndexMessage(action="invalid", errors=outcome.errors, **common)
        else:
            message = IndexMessage(
                action="upsert",
                post=outcome.document.summary(),
                warnings=outcome.warnings,
                **common,
            )
        messages.append((message, outcome.document))
    return messages


def draw_delivery(data: st.DataObject, count: int) -> list[list[int]]:
    """Positions of `count` messages as a delivery might bring them: every message at
    least once, some twice, in any order, in batches of one to four."""
    repeated = data.draw(st.lists(st.sampled_from(range(count)), max_size=count), label="repeats")
    order = data.draw(st.permutations([*range(count), *repeated]), label="order")
    sizes = data.draw(st.lists(st.integers(1, 4), min_size=len(order)), label="batch sizes")
    batches = []
    for size in sizes:
        if not order:
            break
        batches.append(order[:size])
        order = order[size:]
    return batches
