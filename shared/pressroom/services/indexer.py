"""The indexer's job: apply one index message, in order, once."""

from __future__ import annotations

from dataclasses import dataclass

from pressroom.indexing import IndexPlan, plan_index_write
from pressroom.models import IndexMessage
from pressroom.ports import PostIndex


@dataclass(frozen=True)
class IndexerService:
    index: PostIndex

    def handle(self, message: IndexMessage) -> IndexPlan:
        """Read, plan, write conditionally. A ConcurrentWriteError means: retry the message."""
        plan = plan_index_write(message, self.index.read_state(message))
        self.index.apply(plan)
        return plan
