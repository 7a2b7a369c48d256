"""The indexer's job: apply one index message, in order, once; and release a scheduled
post at its time."""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pressroom.exceptions import ConcurrentWriteError, TransientStoreError
from pressroom.indexing import (
    IndexPlan,
    ItemKey,
    ItemsNotReadError,
    LeadingClaimsKey,
    MonthMarkerKey,
    PostKey,
    SiteZone,
    Snapshot,
    Stored,
    in_utc,
    keys_to_read_first,
    plan_index_write,
    plan_release,
)
from pressroom.models import IndexMessage, ReleaseMessage
from pressroom.ports import PostIndex, ReleaseSchedule

READ_ROUNDS = 4
"""A plan reads its status and slug, then at most: the old slug (and a stale event's claim),
then the slug's old and new owners."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class IndexerService:
    index: PostIndex
    schedules: ReleaseSchedule
    """Where the moments a post is published or expired by itself are kept (rule 8)."""
    clock: Callable[[], datetime] = _utc_now
    site_zone: SiteZone = in_utc
    """The site's time zone, read only by a plan that meets a time written without one."""
    write_attempts: int = 4
    """Concurrent writers to one slug or year re-plan this many times before the message
    goes back to its queue."""
    _read_ahead: dict[tuple[str, str], dict[ItemKey, Stored | None]] = field(
        default_factory=dict, repr=False, compare=False
    )
    """What `read_ahead` read for each message of the batch (by source key and sequencer)
    and no write of the batch has touched since."""

    def read_ahead(self, messages: Iterable[IndexMessage]) -> None:
        """Read what a batch's messages will first need in one request, not one each.

        A message planned from this read is as safe as one planned from its own: its write
        is conditional on the versions read, and a write that finds them moved is planned
        again from a new read. So that a batch's own writes cause no such retry, a message
        whose items an earlier message of the batch wrote reads them again
        (`_forget_touched`)."""
        # Before reading: if the read fails, nothing of an earlier batch is left to use.
        self._read_ahead.clear()
        wanted = {_identity(message): keys_to_read_first(message) for message in messages}
        found = self.index.read(key for keys in wanted.values() for key in keys)
        for identity, keys in wanted.items():
            self._read_ahead[identity] = {key: found[key] for key in keys}

    def handle(self, message: IndexMessage | ReleaseMessage) -> IndexPlan:
        """Read, plan, write conditionally; re-plan when another writer got there first."""
        identity = _identity(message) if isinstance(message, IndexMessage) else None
        first_read = self._read_ahead.pop(identity, None) if identity else None
        for attempt in range(self.write_attempts):
            plan = self._plan(message, first_read)
            first_read = None
            # Before the write: a committed state whose time comes is never without its
            # schedule, even if this invocation ends right after the transaction.
            for release in plan.releases:
                self.schedules.schedule(release)
            try:
                self.index.apply(plan)
            except ConcurrentWriteError:
                if attempt == self.write_attempts - 1:
                    raise
                time.sleep(random.uniform(0, 0.02 * 2**attempt))  # noqa: S311 # nosec B311 - jitter, not secrets
            else:
                self._forget_touched(plan)
                self._cancel(plan)
                return plan
        raise AssertionError("unreachable")

    def _cancel(self, plan: IndexPlan) -> None:
        """Remove the schedules of the states the plan replaced. Only tidiness: a schedule
        left behind fires a release that changes nothing, so a failure here fails nothing."""
        for release in plan.releases_to_cancel:
            # Imported here: the function's logger is made by its handler, with its output.
            from pressroom.observability import logger

            try:
                self.schedules.cancel(release)
            except TransientStoreError:
                logger.warning(
                    "could not cancel a schedule; it will fire and change nothing",
                    slug=release.slug,
                    at=release.at.isoformat(),
                    exc_info=True,
                )

    def _plan(
        self,
        message: IndexMessage | ReleaseMessage,
        first_read: dict[ItemKey, Stored | None] | None = None,
    ) -> IndexPlan:
        snapshot = Snapshot()
        if isinstance(message, ReleaseMessage):
            keys: list[ItemKey] = [PostKey(message.release), LeadingClaimsKey(message.release)]
            name = f"the release of {message.release!r}"
        else:
            keys = keys_to_read_first(message)
            name = f"the plan for {message.source_key!r}"
        zone = functools.cache(self.site_zone)  # read once a plan, if at all
        for _ in range(READ_ROUNDS):
            snapshot.add(first_read if first_read is not None else self.index.read(keys))
            first_read = None
            now = self.clock()
            try:
                if isinstance(message, ReleaseMessage):
                    return plan_release(message, snapshot, now, zone)
                return plan_index_write(message, snapshot, now, zone)
            except ItemsNotReadError as missing:
                keys = list(missing.keys)
        raise ConcurrentWriteError(f"{name} kept needing more items")

    def _forget_touched(self, plan: IndexPlan) -> None:
        """Drop what was read ahead for messages whose items `plan` wrote or checked (a
        slug's claims go with its post item, which every claim's write moves), and note the
        month markers it put."""
        if not plan.writes_anything:
            return
        touched: set[ItemKey] = set(plan.read)
        touched |= {LeadingClaimsKey(key.slug) for key in plan.read if isinstance(key, PostKey)}
        marked = {MonthMarkerKey(m.year, m.month): m for m in plan.markers_to_put}
        for identity, items in list(self._read_ahead.items()):
            if not touched.isdisjoint(items):
                del self._read_ahead[identity]
                continue
            # A marker is only a hint, but one the batch has just put need not be put again.
            for key in marked.keys() & items.keys():
                items[key] = Stored(marked[key], 0)


def _identity(message: IndexMessage) -> tuple[str, str]:
    return (message.source_key, message.sequencer)
