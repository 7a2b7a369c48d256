"""AWS that throttles, fails and crashes handlers: the site and the index end as without faults."""

from __future__ import annotations

from pressroom.local.faults import FaultPlan
from reliability.harness import differences, lost_posts
from tests.reliability.conftest import History

TEN_PERCENT = FaultPlan(rate=0.10, surfaced=0.1, crash_rate=0.1, seed=8, backoff_scale=0.01)


def test_ten_percent_of_calls_failing_changes_nothing(history: History) -> None:
    run = history.pipelines.publish(history.captured, plan=TEN_PERCENT)
    state = run.state()

    assert differences(history.expected, state) == []
    assert lost_posts(history.posts, state, history.deleted) == []
    assert not any(run.dead_letters_after.values()), run.dead_letters_after
    faults = run.faults
    assert faults is not None
    # The faults reached the handlers, not only the clients' retries.
    assert faults.absorbed > 0
    assert sum(faults.calls_failed.values()) > 0
    assert sum(faults.crashes.values()) > 0
    assert sum(faults.failed_invocations.values()) > 0
    assert sum(faults.redelivered.values()) > 0


def test_the_fault_free_run_loses_nothing(history: History) -> None:
    assert lost_posts(history.posts, history.expected, history.deleted) == []


HARSH = FaultPlan(rate=0.3, surfaced=0.5, crash_rate=0.3, seed=3, backoff_scale=0.01)
"""Enough failures that retries run out: messages reach every dead-letter queue."""


def test_messages_parked_by_faults_are_redriven_to_the_same_site(history: History) -> None:
    run = history.pipelines.publish(history.captured, plan=HARSH)

    assert all(run.dead_letters.values()), run.dead_letters
    assert run.redriven == run.dead_letters
    assert not any(run.dead_letters_after.values())
    state = run.state()
    assert differences(history.expected, state) == []
    assert lost_posts(history.posts, state, history.deleted) == []
