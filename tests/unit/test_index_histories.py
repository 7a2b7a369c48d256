"""The indexer's rules converge: any delivery of a history leaves the index of the in-order one.

The same property as tests/integration/test_index_histories.py, on the
in-memory index: many more histories per run, so a rule that depends on
arrival order shows up here first, with a small counterexample.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.histories import CONTENDED, SPREAD, Population, draw_delivery, index_messages
from tests.memory_index import MemoryIndex


@pytest.mark.parametrize("population", [SPREAD, CONTENDED], ids=["spread", "contended"])
@settings(max_examples=1000, deadline=None)
@given(data=st.data())
def test_any_delivery_of_a_history_leaves_the_index_of_the_in_order_one(
    population: Population, data: st.DataObject
) -> None:
    history = data.draw(population.histories(), label="history")
    messages = [message for message, _ in index_messages(history)]
    batches = draw_delivery(data, len(messages))

    in_order, shuffled = MemoryIndex(), MemoryIndex()
    in_order.handle(*messages)
    shuffled.handle(*(messages[position] for batch in batches for position in batch))

    assert shuffled.content() == in_order.content()
    assert shuffled.tags == in_order.tags
    assert shuffled.months == in_order.months
