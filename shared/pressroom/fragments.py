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
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K", bound=tuple[object, ...])


class Fragments(Generic[K]):
    """Text rendered from a key, least recently used dropped first.

    The text is rendered from the key alone, so the key holds everything the text
    depends on: a post that changes is a new key, and its old text ages out. The
    budget counts the memory of each text and of its key's fields, so a post with a
    huge description cannot grow the renderer past its memory.
    """

    def __init__(self, render: Callable[[K], str], budget_bytes: int) -> None:
        self._render = render
        self._budget = budget_bytes
        self._size = 0
        self._texts: OrderedDict[K, tuple[str, int]] = OrderedDict()
        """Each text with its weight, which eviction takes back."""

    def __getitem__(self, key: K) -> str:
        texts = self._texts
        kept = texts.get(key)
        if kept is not None:
            texts.move_to_end(key)
            return kept[0]
        text = self._render(key)
        size = _weight(key, text)
        if size <= self._budget:
            texts[key] = text, size
            self._size += size
            while self._size > self._budget:
                self._size -= texts.popitem(last=False)[1][1]
        return text

    def clear(self) -> None:
        self._texts.clear()
        self._size = 0

    @property
    def size(self) -> int:
        """Bytes kept, about: the texts and their keys' fields."""
        return self._size

    def __len__(self) -> int:
        return len(self._texts)


def _weight(key: tuple[object, ...], text: str) -> int:
    return sys.getsizeof(text) + sys.getsizeof(key) + sum(map(sys.getsizeof, key))
