"""An in-memory PostIndex for unit tests: the planner's rules without AWS.

It applies a plan the way the DynamoDB adapter's transaction does: all or
nothing, and only if every status and post item the plan read is still at
the version it was read at.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from pressroom.exceptions import ConcurrentWriteError
from pressroom.indexing import (
    LEADING_CLAIMS,
    Claim,
    ClaimKey,
    IndexPlan,
    ItemKey,
    LeadingClaims,
    LeadingClaimsKey,
    Month,
    MonthMarkerKey,
    PostKey,
    PostRecord,
    Record,
    Release,
    SourceKey,
    SourceStatus,
    Stored,
    TagEntry,
    month_of,
)
from pressroom.models import IndexMessage, PostSummary
from pressroom.services.indexer import IndexerService


@dataclass
class MemorySchedules:
    """The release schedules (`ports.ReleaseSchedule`) as a set: what would fire, and when."""

    waiting: set[Release] = field(default_factory=set)

    def schedule(self, release: Release) -> None:
        self.waiting.add(release)

    def cancel(self, release: Release) -> None:
        self.waiting.discard(release)


@dataclass
class MemoryIndex:
    items: dict[ItemKey, Record] = field(default_factory=dict)
    versions: dict[ItemKey, int] = field(default_factory=dict)
    tags: dict[tuple[str, str], TagEntry] = field(default_factory=dict)
    months: dict[Month, dict[tuple[datetime, str], PostSummary]] = field(default_factory=dict)
    """Month entries, by month, then by (date, slug)."""
    schedules: MemorySchedules = field(default_factory=MemorySchedules)
    claim_keys: dict[str, set[ClaimKey]] = field(default_factory=dict)
    """Each slug's claim keys, as the adapter's query finds them in the slug's partition:
    a benchmark of 10,000 posts must not pass over every item for each plan."""

    def read(self, keys: Iterable[ItemKey]) -> dict[ItemKey, Stored | None]:
        found: dict[ItemKey, Stored | None] = {}
        for key in keys:
            if isinstance(key, LeadingClaimsKey):
                found[key] = Stored(LeadingClaims(slug=key.slug, claims=self.claims(key.slug)), 0)
            else:
                record = self.items.get(key)
                found[key] = Stored(record, self.versions.get(key, 0)) if record else None
        return found

    def apply(self, plan: IndexPlan) -> None:
        for key, version in plan.read.items():
            current = self.versions.get(key) if key in self.items else None
            if current != version:
                raise ConcurrentWriteError(f"{key} moved since it was read")
        for marker in plan.markers_to_put:
            self.items[MonthMarkerKey(marker.year, marker.month)] = marker
        for key, value in plan.writes.items():
            if value is None:
                self.items.pop(key, None)
                self.versions.pop(key, None)
            else:
                self.items[key] = value
                self.versions[key] = self.versions.get(key, 0) + 1
            if isinstance(key, ClaimKey):
                self._file_claim(key, present=value is not None)
        for claim_key in plan.claims_to_delete:
            self.items.pop(claim_key, None)
            self._file_claim(claim_key, present=False)
        for claim in plan.claims_to_put:
            key = ClaimKey(claim.post.slug, claim.first_seen, claim.source_key)
            self.items[key] = claim
            self._file_claim(key, present=True)
        for entry in plan.tags_to_delete:
            del self.tags[(entry.tag, entry.slug)]
        for entry in plan.tags_to_put:
            self.tags[(entry.tag, entry.slug)] = entry
        for post in plan.month_entries_to_delete:
            del self.months[month_of(post)][(post.date, post.slug)]
        for post in plan.month_entries_to_put:
            self.months.setdefault(month_of(post), {})[(post.date, post.slug)] = post
        self.months = {month: entries for month, entries in self.months.items() if entries}

    def claims(self, slug: str) -> tuple[Claim, ...]:
        """The slug's leading claims, as the adapter's query returns them."""
        ranked = sorted(self.all_claims(slug), key=lambda claim: claim.rank)
        return tuple(ranked[:LEADING_CLAIMS])

    def all_claims(self, slug: str) -> list[Claim]:
        keys = self.claim_keys.get(slug, set())
        return [record for key in keys if isinstance(record := self.items.get(key), Claim)]

    def _file_claim(self, key: ClaimKey, *, present: bool) -> None:
        keys = self.claim_keys.setdefault(key.slug, set())
        if present:
            keys.add(key)
        else:
            keys.discard(key)

    def content(self) -> dict[ItemKey, Record]:
        """The items, less month markers: hints that stay once any order published a month."""
        return {
            key: value for key, value in self.items.items() if not isinstance(key, MonthMarkerKey)
        }

    def month_slugs(self) -> dict[Month, set[str]]:
        return {month: {slug for _, slug in entries} for month, entries in self.months.items()}

    def handle(self, *messages: IndexMessage) -> IndexPlan:
        service = IndexerService(index=self, schedules=self.schedules)
        plans = [service.handle(message) for message in messages]
        return plans[-1]

    def status(self, key: str) -> SourceStatus | None:
        found = self.items.get(SourceKey(key))
        return found if isinstance(found, SourceStatus) else None

    def post(self, slug: str) -> PostRecord | None:
        found = self.items.get(PostKey(slug))
        return found if isinstance(found, PostRecord) else None
