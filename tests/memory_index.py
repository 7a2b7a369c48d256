"""An in-memory PostIndex for unit tests: the planner's rules without AWS.

It applies a plan the way the DynamoDB adapter's transaction does: all or
nothing, and only if every item the plan read is still as it was read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from pressroom.exceptions import ConcurrentWriteError
from pressroom.indexing import (
    IndexPlan,
    ItemKey,
    PostKey,
    PostRecord,
    Record,
    SourceKey,
    SourceStatus,
    TagEntry,
)
from pressroom.models import IndexMessage
from pressroom.services.indexer import IndexerService


@dataclass
class MemoryIndex:
    items: dict[ItemKey, Record] = field(default_factory=dict)
    tags: dict[tuple[str, str], TagEntry] = field(default_factory=dict)

    def read(self, keys: Iterable[ItemKey]) -> dict[ItemKey, Record | None]:
        return {key: self.items.get(key) for key in keys}

    def apply(self, plan: IndexPlan) -> None:
        if any(self.items.get(key) != value for key, value in plan.read.items()):
            raise ConcurrentWriteError("an item moved since it was read")
        for key, value in plan.writes.items():
            if value is None:
                self.items.pop(key, None)
            else:
                self.items[key] = value
        for entry in plan.tags_to_delete:
            del self.tags[(entry.tag, entry.slug)]
        for entry in plan.tags_to_put:
            self.tags[(entry.tag, entry.slug)] = entry

    def handle(self, *messages: IndexMessage) -> IndexPlan:
        service = IndexerService(index=self)
        plans = [service.handle(message) for message in messages]
        return plans[-1]

    def status(self, key: str) -> SourceStatus | None:
        found = self.items.get(SourceKey(key))
        return found if isinstance(found, SourceStatus) else None

    def post(self, slug: str) -> PostRecord | None:
        found = self.items.get(PostKey(slug))
        return found if isinstance(found, PostRecord) else None
