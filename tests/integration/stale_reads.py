"""A renderer overtaken: its catalog's first call of one read answers what the index held
before a commit, as when another renderer's commit lands between its read and its write."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pressroom.adapters.dynamodb import DynamoPostIndex


@dataclass
class FirstReadBeforeTheCommit:
    """The index as a renderer's catalog, whose first call of `read` (`window`,
    `newest_posts`, `tag_tail`) gives `before_the_commit`; every later call, and every
    other read, asks the index."""

    index: DynamoPostIndex
    read: str
    before_the_commit: object
    reads: int = 0

    def __getattr__(self, name: str) -> Any:
        answer = getattr(self.index, name)
        if name != self.read:
            return answer

        def first_read_before_the_commit(*arguments: object, **keywords: object) -> object:
            self.reads += 1
            return self.before_the_commit if self.reads == 1 else answer(*arguments, **keywords)

        return first_read_before_the_commit
