"""AWS that throttles, fails and crashes handlers: the site and the index end as without faults."""

from __future__ import annotations

from reliability.harness import HARSH, TEN_PERCENT, differences, lost_posts
from tests.reliability.conftest import History


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


def test_messages_parked_by_faults_are_redriven_to_the_same_site(history: History) -> None:
    run = history.pipelines.publish(history.captured, plan=HARSH)

    assert all(run.dead_letters.values()), run.dead_letters
    assert run.redriven == run.dead_letters
    assert not any(run.dead_letters_after.values())
    state = run.state()
    assert differences(history.expected, state) == []
    assert lost_posts(history.posts, state, history.deleted) == []
