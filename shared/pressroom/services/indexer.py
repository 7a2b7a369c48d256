"""The indexer's job: apply one index message, in order, once."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from pressroom.exceptions import ConcurrentWriteError
from pressroom.indexing import (
    IndexPlan,
    ItemsNotReadError,
    Snapshot,
    keys_to_read_first,
    plan_index_write,
)
from pressroom.models import IndexMessage
from pressroom.ports import PostIndex

READ_ROUNDS = 4
"""A plan reads its status and slug, then at most: the old slug (and a stale event's claim),
then the slug's old and new owners."""


@dataclass(frozen=True)
class IndexerService:
    index: PostIndex
    write_attempts: int = 4
    """Concurrent writers to one slug or year re-plan this many times before the message
    goes back to its queue."""

    def handle(self, message: IndexMessage) -> IndexPlan:
        """Read, plan, write conditionally; re-plan when another writer got there first."""
        for attempt in range(self.write_attempts):
            plan = self._plan(message)
            try:
                self.index.apply(plan)
            except ConcurrentWriteError:
                if attempt == self.write_attempts - 1:
                    raise
                time.sleep(random.uniform(0, 0.02 * 2**attempt))  # noqa: S311 # nosec B311 - jitter, not secrets
            else:
                return plan
        raise AssertionError("unreachable")

    def _plan(self, message: IndexMessage) -> IndexPlan:
        snapshot = Snapshot()
        keys = keys_to_read_first(message)
        for _ in range(READ_ROUNDS):
            snapshot.add(self.index.read(keys))
            try:
                return plan_index_write(message, snapshot)
            except ItemsNotReadError as missing:
                keys = list(missing.keys)
        raise ConcurrentWriteError(f"the plan for {message.source_key!r} kept needing more items")
