"""The indexer's decisions, as pure functions: what one event does to the index.

The rules, in the order they are applied:
1. Per source key, the newest S3 sequencer wins. An event older than the one
   the key's status item holds is stale; an equal one is a duplicate. Either
   changes nothing.
2. A slug has one owner. A file that claims a slug whose live post belongs to
   another file gets status `conflict`; the owner's post is untouched. A
   tombstone (a deleted post) frees its slug.
3. An invalid upload records its errors and leaves the last valid version of
   the post as it was: a typo never takes a page down.
4. A delete turns the post into a tombstone, so a late, older create of the
   same file cannot bring it back (rule 1 refuses it) and the renderer sees
   the page go.
5. Content that did not change (same content hash) is not written again, so
   it is not rendered again; the status item still takes the new sequencer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pressroom.models import Frozen, IndexMessage, Issue, PostSummary, UtcDatetime
from pressroom.slugs import tag_key

PostStatus = Literal["published", "draft", "deleted"]
SourceStatusName = Literal["published", "draft", "invalid", "deleted", "conflict"]
Outcome = Literal["applied", "unchanged", "stale", "duplicate", "conflict"]


class PostRecord(Frozen):
    """The post item: `pk=POST#<slug>`, `sk=POST`."""

    post: PostSummary
    status: PostStatus
    sequencer: str
    """Sequencer of the event that last wrote this item."""
    revision: int = 0
    """Bumped on every write; writes are conditional on the revision they read."""

    @property
    def slug(self) -> str:
        return self.post.slug

    @property
    def live(self) -> bool:
        """A live post owns its slug; a tombstone does not."""
        return self.status != "deleted"


class SourceStatus(Frozen):
    """The source status item, `pk=SOURCE#<key>`, `sk=STATUS`: what happened to an upload."""

    source_key: str
    status: SourceStatusName
    sequencer: str
    event_time: UtcDatetime
    slug: str | None = None
    """The slug this file's live post is published under, if any."""
    errors: tuple[Issue, ...] = ()
    warnings: tuple[Issue, ...] = ()


class TagEntry(Frozen):
    """A tag item, `pk=TAG#<tag>`, `sk=<iso date>#<slug>`: one line of a tag page."""

    tag: str
    slug: str
    title: str
    date: UtcDatetime
    description: str | None = None


@dataclass(frozen=True)
class IndexState:
    """What the index holds that one event may change, read before the write."""

    source: SourceStatus | None = None
    """The status item of the event's source key."""
    claimed: PostRecord | None = None
    """The post item of the slug the event claims (upserts only)."""
    previous: PostRecord | None = None
    """The post item of the slug the source published before, when that is another slug."""
    years: frozenset[int] = frozenset()
    """Years that have (or had) published posts: the shards of the listing index."""


@dataclass(frozen=True)
class IndexPlan:
    """The writes that apply one event. Applied in one transaction, conditional on IndexState."""

    outcome: Outcome
    source: SourceStatus | None = None
    posts: tuple[PostRecord, ...] = ()
    tags_to_put: tuple[TagEntry, ...] = ()
    tags_to_delete: tuple[TagEntry, ...] = ()
    new_year: int | None = None
    """A year to add to the listing shards."""
    read: IndexState = field(default_factory=IndexState)
    """The state the plan was made from: every write is conditional on it still holding."""

    @property
    def writes_anything(self) -> bool:
        return self.source is not None


def plan_index_write(message: IndexMessage, state: IndexState) -> IndexPlan:
    """Decide what `message` does to the index, given what the index holds."""
    if state.source is not None:
        if message.sequencer == state.source.sequencer:
            return IndexPlan(outcome="duplicate", read=state)
        if message.sequencer < state.source.sequencer:
            return IndexPlan(outcome="stale", read=state)
    if message.action == "invalid":
        return _plan_invalid(message, state)
    if message.action == "delete":
        return _plan_delete(message, state)
    return _plan_upsert(message, state)


def _status(
    message: IndexMessage,
    status: SourceStatusName,
    slug: str | None,
    errors: tuple[Issue, ...] = (),
) -> SourceStatus:
    return SourceStatus(
        source_key=message.source_key,
        status=status,
        sequencer=message.sequencer,
        event_time=message.event_time,
        slug=slug,
        errors=errors or message.errors,
        warnings=message.warnings,
    )


def _owned_live_post(state: IndexState, source_key: str) -> PostRecord | None:
    """The live post this source publishes now: the one at the slug its status item names."""
    slug = state.source.slug if state.source is not None else None
    for record in (state.previous, state.claimed):
        if (
            record is not None
            and record.slug == slug
            and record.live
            and record.post.source_key == source_key
        ):
            return record
    return None


def _plan_invalid(message: IndexMessage, state: IndexState) -> IndexPlan:
    current = state.source.slug if state.source else None
    return IndexPlan(outcome="applied", source=_status(message, "invalid", current), read=state)


def _plan_delete(message: IndexMessage, state: IndexState) -> IndexPlan:
    owned = _owned_live_post(state, message.source_key)
    source = _status(message, "deleted", None)
    if owned is None:
        return IndexPlan(outcome="applied", source=source, read=state)
    return IndexPlan(
        outcome="applied",
        source=source,
        posts=(_tombstone(owned, message.sequencer),),
        tags_to_delete=_tag_entries(owned),
        read=state,
    )


def _plan_upsert(message: IndexMessage, state: IndexState) -> IndexPlan:
    post = message.post
    if post is None:
        raise ValueError("an upsert message carries its post")
    claimed = state.claimed
    if claimed is not None and claimed.live and claimed.post.source_key != message.source_key:
        error = Issue(
            field="slug",
            message=f"the slug {post.slug!r} is already published by {claimed.post.source_key!r}; "
            "give this post another `slug:` or delete the other file",
        )
        current = state.source.slug if state.source else None
        return IndexPlan(
            outcome="conflict",
            source=_status(message, "conflict", current, (error,)),
            read=state,
        )

    status: PostStatus = "draft" if post.draft else "published"
    source = _status(message, status, post.slug)
    unchanged = (
        claimed is not None
        and claimed.live
        and claimed.post.content_hash == post.content_hash
        and claimed.status == status
    )
    if unchanged:
        return IndexPlan(outcome="unchanged", source=source, read=state)

    revision = claimed.revision + 1 if claimed is not None else 1
    record = PostRecord(post=post, status=status, sequencer=message.sequencer, revision=revision)
    posts = [record]
    old_tags = _tag_entries(claimed) if claimed is not None else ()
    previous = state.previous
    if previous is not None and previous.live and previous.post.source_key == message.source_key:
        # The file moved to a new slug: its old page goes.
        posts.append(_tombstone(previous, message.sequencer))
        old_tags += _tag_entries(previous)
    new_tags = _tag_entries(record)
    new_keys = {_tag_item_key(entry) for entry in new_tags}
    year = post.date.year
    return IndexPlan(
        outcome="applied",
        source=source,
        posts=tuple(posts),
        tags_to_put=new_tags,
        tags_to_delete=tuple(entry for entry in old_tags if _tag_item_key(entry) not in new_keys),
        new_year=year if status == "published" and year not in state.years else None,
        read=state,
    )


def _tombstone(record: PostRecord, sequencer: str) -> PostRecord:
    return record.model_copy(
        update={"status": "deleted", "sequencer": sequencer, "revision": record.revision + 1}
    )


def _tag_entries(record: PostRecord) -> tuple[TagEntry, ...]:
    """Tag items exist for published posts only; one per tag key (`PHP` and `php` are one tag)."""
    if record.status != "published":
        return ()
    post = record.post
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
