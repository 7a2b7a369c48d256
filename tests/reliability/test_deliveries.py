"""S3's events duplicated and out of order, through the validator, indexer and renderer."""

from __future__ import annotations

import pytest

from reliability.harness import differences, shuffled_with_duplicates
from tests.reliability.conftest import History


@pytest.mark.parametrize("seed", [1, 2])
def test_shuffled_and_repeated_events_end_with_the_same_site(history: History, seed: int) -> None:
    deliveries = shuffled_with_duplicates(history.captured.notifications, seed=seed)
    assert len(deliveries) > len(history.captured.notifications)

    run = history.pipelines.publish(history.captured, deliveries=deliveries, chunk=7)

    assert differences(history.expected, run.state()) == []
    assert not any(run.dead_letters_after.values())
