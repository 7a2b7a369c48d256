"""Pieces of output that many listings share, rendered once per version of a post.

A post shows up on the home page, its month's archive, sitemap and search
shard, the feed and each of its tags' pages, and every change re-renders
those listings whole. Rendering each post's piece once and joining the
pieces makes a listing of 100 posts cost little more than one post's piece.
The pieces live as long as the warm Lambda container does, within a budget.
"""

from __future__ import annotations

import sys
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=tuple[object, ...])
Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


class Kept(Generic[Key, Value]):
    """Values made from a key and kept within a budget of bytes, least recently used
    dropped first. A value must depend on its key alone: a key is never made again."""

    def __init__(
        self, make: Callable[[Key], Value], weigh: Callable[[Key, Value], int], budget_bytes: int
    ) -> None:
        self._make = make
        self._weigh = weigh
        self._budget = budget_bytes
        self._size = 0
        self._values: OrderedDict[Key, tuple[Value, int]] = OrderedDict()
        """Each value with its weight, which eviction takes back."""

    def __getitem__(self, key: Key) -> Value:
        values = self._values
        kept = values.get(key)
        if kept is not None:
            values.move_to_end(key)
            return kept[0]
        value = self._make(key)
        size = self._weigh(key, value)
        if size <= self._budget:
            values[key] = value, size
            self._size += size
            while self._size > self._budget:
                self._size -= values.popitem(last=False)[1][1]
        return value

    def clear(self) -> None:
        self._values.clear()
        self._size = 0

    @property
    def size(self) -> int:
        """Bytes kept, about, as the values were weighed."""
        return self._size

    def __len__(self) -> int:
        return len(self._values)


class Fragments(Kept[K, str]):
    """Text rendered from a key, least recently used dropped first.

    The text is rendered from the key alone, so the key holds everything the text
    depends on: a post that changes is a new key, and its old text ages out. The
    budget counts the memory of each text and of its key's fields, so a post with a
    huge description cannot grow the renderer past its memory.
    """

    def __init__(self, render: Callable[[K], str], budget_bytes: int) -> None:
        super().__init__(render, _weight, budget_bytes)


def _weight(key: tuple[object, ...], text: str) -> int:
    return sys.getsizeof(text) + sys.getsizeof(key) + sum(map(sys.getsizeof, key))
