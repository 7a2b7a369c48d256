"""Rendered pieces are kept by what they were rendered from, within a memory budget."""

from __future__ import annotations

from pressroom.fragments import Fragments


class CountingRender:
    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []

    def __call__(self, key: tuple[str, int]) -> str:
        self.calls.append(key)
        name, size = key
        return name * size


def test_a_piece_is_rendered_once_and_then_reused() -> None:
    render = CountingRender()
    pieces = Fragments(render, budget_bytes=100_000)

    first = pieces["a", 3]
    second = pieces["a", 3]

    assert first == second == "aaa"
    assert render.calls == [("a", 3)]


def test_a_new_key_is_a_new_piece() -> None:
    render = CountingRender()
    pieces = Fragments(render, budget_bytes=100_000)

    assert (pieces["a", 1], pieces["a", 2]) == ("a", "aa")
    assert render.calls == [("a", 1), ("a", 2)]


def test_the_least_recently_used_piece_goes_first_when_the_budget_is_full() -> None:
    render = CountingRender()
    room_for_three = 3 * _weight_of(("a", 1000))
    pieces = Fragments(render, budget_bytes=room_for_three)
    for name in "abc":
        pieces[name, 1000]
    pieces["a", 1000]  # a is now the most recently used, b the least
    pieces["d", 1000]
    render.calls.clear()

    pieces["a", 1000]
    pieces["b", 1000]

    assert render.calls == [("b", 1000)]
    assert len(pieces) == 3
    assert pieces.size <= room_for_three


def test_a_piece_over_the_whole_budget_is_returned_but_not_kept() -> None:
    render = CountingRender()
    pieces = Fragments(render, budget_bytes=1_000)

    assert pieces["x", 5_000] == "x" * 5_000
    assert len(pieces) == 0
    assert pieces.size == 0


def _weight_of(key: tuple[str, int]) -> int:
    pieces = Fragments(CountingRender(), budget_bytes=10**9)
    pieces[key]
    return pieces.size
