"""The indexer's decisions, as pure functions: what one event does to the index.

S3 delivers events at least once and in no particular order, so every rule
here gives the same index whatever order the events of a history arrive in:

1. Per source key, the newest S3 sequencer decides the file's status; an
   event already seen changes nothing.
2. The file's content is its newest upload or delete that is not invalid:
   an invalid upload records its errors and leaves the last valid version
   published, even when that version's event arrives after the invalid one.
3. A slug has one owner. Of the files whose content claims a slug, the one
   first uploaded owns it (ties go to the smaller key); the others wait with
   status `conflict` and an error naming the owner. When the owner is deleted
   or moves to another slug, the next claimant is published.
4. Every slug ever claimed has a post item. When no file claims it any more
   the item becomes a tombstone, and the renderer sees the page go.
5. Content that did not change writes no post item, so nothing is rendered
   again.
6. A post with no date is dated by its file's first upload, the same for
   every re-upload.

Each event reads a few items (its status, the claims and post items of the
slugs it touches, the listing-year counters), decides, and writes the
changed items in one transaction that is conditional on every item its
decision rests on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, TypeVar

from pressroom.models import Frozen, IndexMessage, Issue, PostSummary, UtcDatetime
from pressroom.slugs import tag_key

PostStatus = Literal["published", "draft", "deleted"]
SourceStatusName = Literal["published", "draft", "invalid", "deleted", "conflict"]
Outcome = Literal["applied", "unchanged", "stale", "duplicate", "conflict"]

_CLAIMING = frozenset({"published", "draft", "conflict"})
"""Statuses that mean the file's newest event is a valid upload, whose slug claim decides them."""


class SourceStatus(Frozen):
    """The source status item, `pk=SOURCE#<key>`, `sk=STATUS`: what happened to an upload."""

    source_key: str
    status: SourceStatusName
    sequencer: str
    """Sequencer of the newest event seen for this key."""
    event_time: UtcDatetime
    """When that newest event happened."""
    content_sequencer: str | None = None
    """Sequencer of the newest valid upload or delete: the version whose content counts."""
    first_seen: UtcDatetime | None = None
    """The earliest upload of this key: it ranks slug claims and dates undated posts."""
    slug: str | None = None
    """The slug this file's content claims, whether it owns it or waits for it."""
    errors: tuple[Issue, ...] = ()
    warnings: tuple[Issue, ...] = ()


class Claim(Frozen):
    """One file's claim on a slug: its current valid content."""

    source_key: str
    first_seen: UtcDatetime
    post: PostSummary

    @property
    def rank(self) -> tuple[datetime, str]:
        """Lower ranks first: the file uploaded first owns the slug."""
        return (self.first_seen, self.source_key)


class SlugClaims(Frozen):
    """The claims item, `pk=POST#<slug>`, `sk=CLAIMS`: every file that wants this slug."""

    slug: str
    claims: tuple[Claim, ...]
    """In rank order: the first is the owner."""

    @property
    def owner(self) -> Claim | None:
        return self.claims[0] if self.claims else None


class PostRecord(Frozen):
    """The post item, `pk=POST#<slug>`, `sk=POST`: what the slug's page shows."""

    slug: str
    status: PostStatus
    post: PostSummary | None = None
    """The owner's post; None for a tombstone."""

    @property
    def published(self) -> PostSummary | None:
        return self.post if self.status == "published" else None


class YearCount(Frozen):
    """A listing-shard counter, `pk=SITE`, `sk=YEAR#<yyyy>`: published posts dated that year."""

    year: int
    months: dict[int, int]
    """Published posts per month (1-12) of the year; months without posts are left out."""

    @property
    def posts(self) -> int:
        return sum(self.months.values())

    def counted(self, deltas: Mapping[int, int]) -> YearCount | None:
        """The counter after adding `deltas` per month; None when the year has no posts left."""
        months = {month: self.months.get(month, 0) + deltas.get(month, 0) for month in range(1, 13)}
        kept = {month: count for month, count in months.items() if count}
        return YearCount(year=self.year, months=kept) if kept else None


class TagEntry(Frozen):
    """A tag item, `pk=TAG#<tag>`, `sk=<iso date>#<slug>`: one line of a tag page."""

    tag: str
    slug: str
    title: str
    date: UtcDatetime
    description: str | None = None


Record = SourceStatus | SlugClaims | PostRecord | YearCount


@dataclass(frozen=True)
class SourceKey:
    key: str


@dataclass(frozen=True)
class ClaimsKey:
    slug: str


@dataclass(frozen=True)
class PostKey:
    slug: str


@dataclass(frozen=True)
class YearKey:
    year: int


ItemKey = SourceKey | ClaimsKey | PostKey | YearKey
_R = TypeVar("_R", SourceStatus, SlugClaims, PostRecord, YearCount)


def record_digest(record: Record) -> str:
    """A fingerprint of an item's content; writes are conditional on the one they read."""
    encoded = json.dumps(record.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()[:32]


class ItemsNotReadError(Exception):
    """The plan needs items that have not been read yet; read them and plan again."""

    def __init__(self, keys: Iterable[ItemKey]) -> None:
        self.keys = frozenset(keys)
        super().__init__(f"{len(self.keys)} items not read yet")


@dataclass
class Snapshot:
    """The items read from the index so far; None for an item that does not exist."""

    items: dict[ItemKey, Record | None] = field(default_factory=dict)
    consulted: dict[ItemKey, None] = field(default_factory=dict)
    """The keys a plan has asked for, in order: what it rests on, of all that was read."""

    def add(self, items: Mapping[ItemKey, Record | None]) -> None:
        self.items.update(items)

    def require(self, keys: Iterable[ItemKey]) -> None:
        keys = list(keys)
        self.consulted.update(dict.fromkeys(keys))
        missing = [key for key in keys if key not in self.items]
        if missing:
            raise ItemsNotReadError(missing)

    def consulted_items(self) -> dict[ItemKey, Record | None]:
        # `require` has checked that each was read.
        return {key: self.items[key] for key in self.consulted}

    def source(self, key: str) -> SourceStatus | None:
        return self._get(SourceKey(key), SourceStatus)

    def claims(self, slug: str) -> SlugClaims | None:
        return self._get(ClaimsKey(slug), SlugClaims)

    def post(self, slug: str) -> PostRecord | None:
        return self._get(PostKey(slug), PostRecord)

    def year(self, year: int) -> YearCount | None:
        return self._get(YearKey(year), YearCount)

    def _get(self, key: ItemKey, kind: type[_R]) -> _R | None:
        self.require([key])
        value = self.items[key]
        if value is not None and not isinstance(value, kind):
            raise TypeError(f"{key} holds a {type(value).__name__}, not a {kind.__name__}")
        return value


def keys_to_read_first(message: IndexMessage) -> list[ItemKey]:
    """What a plan for `message` most likely reads: its status, the slug it claims, and,
    for a post to publish, the listing year it counts in. A new post is planned from this
    one read; a plan that needs more asks for it, and one that needs less is not
    conditional on the rest (see `Snapshot.consulted`)."""
    keys: list[ItemKey] = [SourceKey(message.source_key)]
    if message.post is not None:
        keys += [ClaimsKey(message.post.slug), PostKey(message.post.slug)]
        if not message.post.draft:
            keys.append(YearKey(message.post.date.year))
    return keys


@dataclass(frozen=True)
class IndexPlan:
    """The writes that apply one event: one transaction, conditional on every item read."""

    outcome: Outcome
    read: Mapping[ItemKey, Record | None] = field(default_factory=dict)
    """The items the plan was made from, as they were read."""
    writes: Mapping[ItemKey, Record | None] = field(default_factory=dict)
    """The items that change: their new content, or None to delete them."""
    tags_to_put: tuple[TagEntry, ...] = ()
    tags_to_delete: tuple[TagEntry, ...] = ()

    def __post_init__(self) -> None:
        unread = [key for key in self.writes if key not in self.read]
        if unread:
            raise ValueError(f"a plan may only write items it has read: {unread}")

    @property
    def writes_anything(self) -> bool:
        return bool(self.writes or self.tags_to_put or self.tags_to_delete)

    @property
    def posts(self) -> tuple[PostRecord, ...]:
        return tuple(value for value in self.writes.values() if isinstance(value, PostRecord))


def plan_index_write(message: IndexMessage, snapshot: Snapshot) -> IndexPlan:
    """Decide what `message` does to the index, given the items read so far.

    Raises ItemsNotReadError, naming every item still needed, when the
    snapshot lacks one; the caller reads them and plans again.
    """
    # A fresh view of the same items, so that the plan's reads are the ones it consulted.
    return _Planner(message, Snapshot(snapshot.items)).plan()


@dataclass
class _Changes:
    """What one plan writes, gathered slug by slug."""

    writes: dict[ItemKey, Record | None] = field(default_factory=dict)
    tags_to_put: list[TagEntry] = field(default_factory=list)
    tags_to_delete: list[TagEntry] = field(default_factory=list)
    month_deltas: dict[int, dict[int, int]] = field(default_factory=dict)
    """Change in published posts, per year, per month."""
    claimants_to_restate: set[str] = field(default_factory=set)
    """Files whose status depends on an owner that changed."""

    def set_post(self, before: PostRecord | None, after: PostRecord) -> None:
        """Change a post item, and its tag items and year counts with it."""
        self.writes[PostKey(after.slug)] = after
        old_tags = {_tag_item_key(entry): entry for entry in _tag_entries(before)}
        new_tags = {_tag_item_key(entry): entry for entry in _tag_entries(after)}
        self.tags_to_delete += [entry for key, entry in old_tags.items() if key not in new_tags]
        self.tags_to_put += [entry for key, entry in new_tags.items() if old_tags.get(key) != entry]
        for record, delta in ((before, -1), (after, +1)):
            post = record.published if record else None
            if post is not None:
                months = self.month_deltas.setdefault(post.date.year, {})
                months[post.date.month] = months.get(post.date.month, 0) + delta

    @property
    def changed_years(self) -> list[int]:
        return sorted(year for year, months in self.month_deltas.items() if any(months.values()))


class _Planner:
    def __init__(self, message: IndexMessage, snapshot: Snapshot) -> None:
        self.message = message
        self.snapshot = snapshot
        self.key = message.source_key

    def plan(self) -> IndexPlan:
        message, before = self.message, self.snapshot.source(self.key)
        if before is not None and message.sequencer in {
            before.sequencer,
            before.content_sequencer,
        }:
            return IndexPlan(outcome="duplicate", read=self.snapshot.consulted_items())

        is_newest = before is None or message.sequencer > before.sequencer
        is_new_content = message.action != "invalid" and (
            before is None
            or before.content_sequencer is None
            or message.sequencer > before.content_sequencer
        )
        first_seen = _earliest(
            before.first_seen if before else None,
            message.event_time if message.action != "delete" else None,
        )
        old_slug = before.slug if before else None
        self.snapshot.require(self._slug_keys(old_slug, self._message_slug()))
        claim = self._claim_after(before, is_new_content, first_seen)

        changes = _Changes()
        # The message's own slug is touched even when its content is stale: every
        # slug ever claimed keeps a post item, live or tombstone.
        for slug in _unique(old_slug, claim.post.slug if claim else None, self._message_slug()):
            self._reclaim(slug, claim, changes)

        others = sorted(changes.claimants_to_restate - {self.key})
        self.snapshot.require(
            [SourceKey(key) for key in others] + [YearKey(year) for year in changes.changed_years]
        )
        status_after = self._restate(
            self._source_after(before, is_newest, is_new_content, first_seen, claim), changes
        )
        if status_after != before:
            changes.writes[SourceKey(self.key)] = status_after
        for other in others:
            other_before = self.snapshot.source(other)
            other_after = self._restate(other_before, changes) if other_before else None
            if other_after != other_before:
                changes.writes[SourceKey(other)] = other_after
        for year in changes.changed_years:
            counter = self.snapshot.year(year) or YearCount(year=year, months={})
            changes.writes[YearKey(year)] = counter.counted(changes.month_deltas[year])

        return IndexPlan(
            outcome=self._outcome(is_newest, is_new_content, status_after, changes.writes),
            read=self.snapshot.consulted_items(),
            writes=changes.writes,
            tags_to_put=tuple(changes.tags_to_put),
            tags_to_delete=tuple(changes.tags_to_delete),
        )

    def _reclaim(self, slug: str, claim: Claim | None, changes: _Changes) -> None:
        """Put this file's claim (or its absence) on `slug`, and project the slug's owner."""
        claims_before = self.snapshot.claims(slug)
        claims_after = _with_claim(claims_before, slug, self.key, claim)
        if claims_after != claims_before:
            changes.writes[ClaimsKey(slug)] = claims_after
        post_before = self.snapshot.post(slug)
        post_after = _project(slug, claims_after)
        if post_after != post_before:
            changes.set_post(post_before, post_after)
        owner_before = claims_before.owner if claims_before else None
        owner_after = claims_after.owner if claims_after else None
        if claims_after and _owner_key(owner_before) != _owner_key(owner_after):
            # Every claimant's status names the owner: all of them change.
            changes.claimants_to_restate |= {c.source_key for c in claims_after.claims}

    def _restate(self, status: SourceStatus, changes: _Changes) -> SourceStatus:
        """The status with its slug's ownership as this plan leaves it."""
        if status.slug is None:
            return status
        key = ClaimsKey(status.slug)
        claims = changes.writes[key] if key in changes.writes else self.snapshot.claims(status.slug)
        return _with_ownership(status, claims if isinstance(claims, SlugClaims) else None)

    def _message_slug(self) -> str | None:
        return self.message.post.slug if self.message.post is not None else None

    @staticmethod
    def _slug_keys(*slugs: str | None) -> list[ItemKey]:
        keys: list[ItemKey] = []
        for slug in _unique(*slugs):
            keys += [ClaimsKey(slug), PostKey(slug)]
        return keys

    def _claim_after(
        self, before: SourceStatus | None, is_new_content: bool, first_seen: datetime | None
    ) -> Claim | None:
        """This file's claim once the event is applied: its content's slug, or none."""
        if is_new_content:
            post = self.message.post
        else:
            if before is None or before.slug is None:
                return None
            current = _claim_of(self.snapshot.claims(before.slug), self.key)
            if current is None:
                return None
            post = current.post
        if post is None or first_seen is None:
            return None
        if post.dated_by_upload:
            post = post.model_copy(update={"date": first_seen})
        return Claim(source_key=self.key, first_seen=first_seen, post=post)

    def _source_after(
        self,
        before: SourceStatus | None,
        is_newest: bool,
        is_new_content: bool,
        first_seen: datetime | None,
        claim: Claim | None,
    ) -> SourceStatus:
        message = self.message
        fields = {
            "first_seen": first_seen,
            "slug": claim.post.slug if claim else None,
            "content_sequencer": message.sequencer
            if is_new_content
            else (before.content_sequencer if before else None),
        }
        if is_newest or before is None:
            status: SourceStatusName
            if message.action == "invalid":
                status = "invalid"
            elif message.action == "delete":
                status = "deleted"
            else:
                status = "draft" if message.post and message.post.draft else "published"
            return SourceStatus(
                source_key=self.key,
                status=status,
                sequencer=message.sequencer,
                event_time=message.event_time,
                errors=message.errors,
                warnings=message.warnings,
                **fields,
            )
        return before.model_copy(update=fields)

    def _outcome(
        self,
        is_newest: bool,
        is_new_content: bool,
        status_after: SourceStatus,
        writes: Mapping[ItemKey, Record | None],
    ) -> Outcome:
        if not is_newest and not is_new_content:
            return "stale"
        if is_newest and status_after.status == "conflict":
            return "conflict"
        if self.message.action == "upsert" and not any(isinstance(k, PostKey) for k in writes):
            return "unchanged"
        return "applied"


def _earliest(*instants: datetime | None) -> datetime | None:
    present = [instant for instant in instants if instant is not None]
    return min(present) if present else None


def _unique(*slugs: str | None) -> list[str]:
    return list(dict.fromkeys(slug for slug in slugs if slug is not None))


def _claim_of(claims: SlugClaims | None, source_key: str) -> Claim | None:
    if claims is None:
        return None
    return next((claim for claim in claims.claims if claim.source_key == source_key), None)


def _owner_key(claim: Claim | None) -> str | None:
    return claim.source_key if claim else None


def _with_claim(
    claims: SlugClaims | None, slug: str, source_key: str, claim: Claim | None
) -> SlugClaims | None:
    """The slug's claims with this file's claim replaced (or removed); None when none are left."""
    kept = [c for c in (claims.claims if claims else ()) if c.source_key != source_key]
    if claim is not None and claim.post.slug == slug:
        kept.append(claim)
    if not kept:
        return None
    return SlugClaims(slug=slug, claims=tuple(sorted(kept, key=lambda c: c.rank)))


def _project(slug: str, claims: SlugClaims | None) -> PostRecord:
    """The post item a slug's claims make: its owner's post, or a tombstone."""
    owner = claims.owner if claims else None
    if owner is None:
        return PostRecord(slug=slug, status="deleted")
    status: PostStatus = "draft" if owner.post.draft else "published"
    return PostRecord(slug=slug, status=status, post=owner.post)


def _with_ownership(status: SourceStatus, claims: SlugClaims | None) -> SourceStatus:
    """A file whose newest event is a valid upload is published, a draft, or in conflict."""
    if status.status not in _CLAIMING or status.slug is None:
        return status
    owner = claims.owner if claims else None
    mine = _claim_of(claims, status.source_key)
    if owner is None or mine is None:
        return status
    if owner.source_key == status.source_key:
        state: SourceStatusName = "draft" if mine.post.draft else "published"
        return status.model_copy(update={"status": state, "errors": ()})
    error = Issue(
        field="slug",
        message=f"the slug {status.slug!r} belongs to {owner.source_key!r}, uploaded first; "
        "give this post another `slug:` or delete the other file",
    )
    return status.model_copy(update={"status": "conflict", "errors": (error,)})


def _tag_entries(record: PostRecord | None) -> tuple[TagEntry, ...]:
    """Tag items exist for published posts only; one per tag key (`PHP` and `php` are one tag)."""
    post = record.published if record else None
    if post is None:
        return ()
    entries = {
        tag_key(tag): TagEntry(
            tag=tag_key(tag),
            slug=post.slug,
            title=post.title,
            date=post.date,
            description=post.description,
        )
        for tag in reversed(post.tags)
    }
    return tuple(reversed(entries.values()))


def _tag_item_key(entry: TagEntry) -> tuple[str, datetime, str]:
    return (entry.tag, entry.date, entry.slug)
