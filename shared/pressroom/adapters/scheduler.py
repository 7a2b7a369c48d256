"""EventBridge Scheduler: one-time schedules that publish and expire posts at their time.

Each release has a schedule of its own, named by its slug and its moment, in the stack's
group. A schedule is never updated: a post whose time moves gets a new one and its old one
is cancelled, so two indexers that race over one slug each make or remove only the
schedule of the state they wrote (`indexing`, rule 8). A schedule sends its release to the
index queue, as an upload's event reaches the indexer, and deletes itself once it has.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from pressroom.exceptions import TransientStoreError
from pressroom.models import ReleaseMessage, format_instant

if TYPE_CHECKING:
    from mypy_boto3_scheduler import EventBridgeSchedulerClient

    from pressroom.config import IndexerSettings
    from pressroom.indexing import Release

NAME_PREFIX = "release-"
RETRY_FOR = timedelta(hours=24)
"""How long Scheduler keeps trying to deliver a release (its most): a queue that refuses a
message for a day has bigger problems, and the release's dead letter says which post."""


def schedule_name(release: Release) -> str:
    """`release-<slug's digest>-<epoch seconds>`: within Scheduler's 64 characters and its
    alphabet whatever the slug holds, and one name per moment, so a moved time is a new
    schedule rather than an update that a slower writer could undo."""
    digest = hashlib.sha256(release.slug.encode("utf-8")).hexdigest()[:32]
    return f"{NAME_PREFIX}{digest}-{int(release.at.timestamp())}"


def schedule_expression(at: datetime) -> str:
    """Scheduler's one-time form, `at(yyyy-mm-ddThh:mm:ss)` in UTC. Its resolution is a
    second: a fraction rounds up, so a release never comes before its moment."""
    moment = at.astimezone(UTC)
    if moment.microsecond:
        moment = moment.replace(microsecond=0) + timedelta(seconds=1)
    return f"at({format_instant(moment).removesuffix('Z')})"


class SchedulerReleaseSchedule:
    def __init__(
        self, client: EventBridgeSchedulerClient, group: str, target_arn: str, role_arn: str
    ) -> None:
        self.client = client
        self.group = group
        self.target_arn = target_arn
        self.role_arn = role_arn

    @classmethod
    def for_indexer(
        cls, client: EventBridgeSchedulerClient, settings: IndexerSettings
    ) -> SchedulerReleaseSchedule:
        """The schedules as the indexer's settings place them."""
        return cls(
            client,
            settings.release_schedule_group,
            target_arn=settings.release_target_arn,
            role_arn=settings.release_role_arn,
        )

    def schedule(self, release: Release) -> None:
        message = ReleaseMessage(release=release.slug, at=release.at)
        try:
            self.client.create_schedule(
                Name=schedule_name(release),
                GroupName=self.group,
                ScheduleExpression=schedule_expression(release.at),
                ScheduleExpressionTimezone="UTC",
                FlexibleTimeWindow={"Mode": "OFF"},
                ActionAfterCompletion="DELETE",
                Target={
                    "Arn": self.target_arn,
                    "RoleArn": self.role_arn,
                    "Input": message.model_dump_json(),
                    "RetryPolicy": {
                        "MaximumEventAgeInSeconds": int(RETRY_FOR.total_seconds()),
                        "MaximumRetryAttempts": 185,
                    },
                },
            )
        except ClientError as error:
            if _code(error) == "ConflictException":
                return  # made already, by this message's earlier attempt or a twin of it
            raise TransientStoreError(f"could not schedule {release}: {error}") from error
        except BotoCoreError as error:
            raise TransientStoreError(f"could not schedule {release}: {error}") from error

    def cancel(self, release: Release) -> None:
        try:
            self.client.delete_schedule(Name=schedule_name(release), GroupName=self.group)
        except ClientError as error:
            if _code(error) != "ResourceNotFoundException":
                raise TransientStoreError(f"could not cancel {release}: {error}") from error


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
