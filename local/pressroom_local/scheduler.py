"""EventBridge Scheduler's deliveries, which moto stores but never makes.

moto keeps the stack's schedules (create, get, list, delete) and runs none of them. The
local stack runs them here, as one more event source upstream of the indexer: each one-time
schedule of the stack's group whose moment has come sends its target's input to its target
queue and, as `ActionAfterCompletion: DELETE` asks, deletes itself. Its clock is the wall
clock; a test moves it on with `fire_due(moment)` to see a post published in 2031 now.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_scheduler import EventBridgeSchedulerClient
    from mypy_boto3_sqs import SQSClient

LOOK_EVERY_SECONDS = 0.5
"""How often `poll` lists the group's schedules: a second is Scheduler's resolution."""


@dataclass(frozen=True)
class _Schedule:
    """What a delivery needs of a one-time schedule, read once: Pressroom never updates one."""

    at: datetime
    target_arn: str
    body: str
    deletes_itself: bool


@dataclass(frozen=True)
class Delivery:
    """A message a schedule sent: its moment, and where it went."""

    at: datetime
    queue_url: str
    body: str


def moment_of(expression: str) -> datetime | None:
    """The moment of a one-time schedule, `at(2031-05-04T09:30:00)` in UTC; None for a
    recurring one, which Pressroom never makes."""
    if not (expression.startswith("at(") and expression.endswith(")")):
        return None
    return datetime.fromisoformat(expression[3:-1]).replace(tzinfo=UTC)


class LocalScheduler:
    def __init__(
        self,
        client: EventBridgeSchedulerClient,
        sqs: SQSClient,
        group: str,
        queue_urls: Mapping[str, str],
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.client = client
        self.sqs = sqs
        self.group = group
        self.queue_urls = dict(queue_urls)
        """The stack's queues' URLs by ARN: where a target's ARN sends."""
        self.clock = clock
        self.sent: list[Delivery] = []
        self._looked_at = float("-inf")
        self._due = 0
        self._known: dict[str, _Schedule | None] = {}
        """Each schedule of the group as read (None: a recurring one, never sent here)."""

    # As an event source of the router (`mappings.EventSourceMapping`).

    def poll(self) -> int:
        if time.monotonic() - self._looked_at < LOOK_EVERY_SECONDS:
            return 0
        return self.fire_due(self.clock())

    def gathering(self) -> int:
        return 0

    def flush(self) -> int:
        return 0

    def pending(self) -> int:
        """Schedules found due and not yet sent: none once `poll` has sent them. One that
        is still to come is not pending, or nothing would ever be quiet."""
        return self._due

    # For tests and the command.

    def fire_due(self, moment: datetime) -> int:
        """Send every schedule whose moment is `moment` or before, as Scheduler would at that
        time; return how many were sent."""
        self._looked_at = time.monotonic()
        due = sorted(
            (schedule.at, name)
            for name, schedule in self._schedules().items()
            if schedule.at <= moment
        )
        self._due = len(due)
        for _, name in due:
            schedule = self._known[name]
            assert schedule is not None
            delivery = Delivery(schedule.at, self.queue_urls[schedule.target_arn], schedule.body)
            self.sqs.send_message(QueueUrl=delivery.queue_url, MessageBody=delivery.body)
            self.sent.append(delivery)
            if schedule.deletes_itself:
                self.client.delete_schedule(Name=name, GroupName=self.group)
            self._due -= 1
        return len(due)

    def waiting(self) -> list[datetime]:
        """The moments of the schedules still to fire, soonest first."""
        return sorted(schedule.at for schedule in self._schedules().values())

    def release_again(self, at: datetime) -> int:
        """Send again what was sent for moment `at`: Scheduler delivers at least once."""
        again = [delivery for delivery in self.sent if delivery.at == at]
        for delivery in again:
            self.sqs.send_message(QueueUrl=delivery.queue_url, MessageBody=delivery.body)
        return len(again)

    def _schedules(self) -> dict[str, _Schedule]:
        """The group's one-time schedules by name (each read once: a listing holds no
        expression or input)."""
        pages = self.client.get_paginator("list_schedules").paginate(GroupName=self.group)
        names = [summary["Name"] for page in pages for summary in page["Schedules"]]
        self._known = {
            name: self._known[name] if name in self._known else self._read(name) for name in names
        }
        return {name: schedule for name, schedule in self._known.items() if schedule is not None}

    def _read(self, name: str) -> _Schedule | None:
        schedule = self.client.get_schedule(Name=name, GroupName=self.group)
        at = moment_of(schedule["ScheduleExpression"])
        if at is None:
            return None
        target = schedule["Target"]
        return _Schedule(
            at=at,
            target_arn=target["Arn"],
            body=target.get("Input", ""),
            deletes_itself=schedule.get("ActionAfterCompletion") == "DELETE",
        )
