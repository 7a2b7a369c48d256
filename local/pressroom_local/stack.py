"""The stack on an embedded AWS, provisioned from template.yaml, events routed to functions."""

from __future__ import annotations

import io
import random
import shutil
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from botocore.config import Config

from pressroom.adapters import wiring
from pressroom.adapters.dynamodb import DynamoPostIndex
from pressroom.adapters.scheduler import SchedulerReleaseSchedule
from pressroom.config import IndexerSettings, RendererSettings
from pressroom.exceptions import ConfigurationError
from pressroom.indexing import SourceStatus
from pressroom_local.locate import LOCAL_CREDENTIALS
from pressroom_local.mappings import (
    EventRouter,
    EventSourceMapping,
    InLine,
    OnThreads,
    Runner,
    SqsEventSourceMapping,
    StreamEventSourceMapping,
)
from pressroom_local.outcome import placed
from pressroom_local.provision import LocalResources, provision
from pressroom_local.runtime import CONCURRENT, LocalFunction, RuntimeMode, load_functions
from pressroom_local.scheduler import LocalScheduler
from pressroom_local.template import StackTemplate

if TYPE_CHECKING:
    import boto3

    from pressroom.services.renderer import RendererService

STACK_NAME = "pressroom"
SITE_MARKER = ".pressroom-site"
"""Left in every exported site folder, so that a re-export knows it may replace the folder."""

# Names of the template's resources that the local tools address directly.
RELEASE_SCHEDULES = "ReleaseSchedules"
CONTENT_BUCKET = "ContentBucket"
SITE_BUCKET = "SiteBucket"
POSTS_TABLE = "PostsTable"

DRAFTS_PREVIEW = {"PREVIEW_DRAFTS": "true"}
"""The functions' environment for a drafts preview (`--drafts`): the validator reads
`_drafts/` as drafts, the renderer gives drafts pages. Only the local stack sets it."""


def find_project_root(start: Path | None = None) -> Path:
    """The folder holding template.yaml: from `start` upwards, else where this package lives."""
    candidates = [start or Path.cwd(), Path(__file__).resolve().parents[2]]
    for candidate in candidates:
        for folder in (candidate, *candidate.parents):
            if (folder / "template.yaml").is_file() and (folder / "functions").is_dir():
                return folder
    raise ConfigurationError("no template.yaml found: run pressroom inside the project")


@dataclass
class LocalStack:
    template: StackTemplate
    resources: LocalResources
    functions: dict[str, LocalFunction]
    router: EventRouter
    session: boto3.Session
    scheduler: LocalScheduler | None
    """EventBridge Scheduler's deliveries: the schedules that publish and expire posts (None
    for a template without Pressroom's schedule group)."""
    endpoint_url: str | None = None
    """Where the embedded AWS listens, when it runs as a server (None: in this process)."""

    @classmethod
    def create(
        cls,
        session: boto3.Session,
        *,
        project_root: Path,
        site_url: str,
        log: TextIO | None = None,
        retry_after_seconds: int | None = 0,
        environment_overrides: Mapping[str, str] | None = None,
        stack_name: str = STACK_NAME,
        endpoint_url: str | None = None,
        runtime: RuntimeMode | None = None,
    ) -> LocalStack:
        """Provision the template on the AWS `session` reaches and wire up its functions.

        `retry_after_seconds` is how soon a failed SQS message comes back
        (None: after the queue's own visibility timeout, as on Lambda).
        `endpoint_url` is an embedded AWS running as a server: the stack is
        provisioned there, and the functions reach it through AWS_ENDPOINT_URL
        with credentials it accepts, as a deployed function reaches AWS with
        its role's. `runtime` says how the functions run; by default, as
        Lambda runs them (`RuntimeMode.concurrent()`) when there is an
        endpoint, for their sandboxes are processes that reach the embedded
        AWS through it, else in this process (`RuntimeMode.deterministic()`).
        """
        if runtime is None:
            runtime = RuntimeMode.deterministic() if endpoint_url is None else CONCURRENT
        if runtime.sandboxes and endpoint_url is None:
            raise ConfigurationError("sandboxes reach the embedded AWS by its endpoint: give one")
        template = StackTemplate.load(project_root / "template.yaml", {"SiteUrl": site_url})
        resources = provision(template, session, stack_name, endpoint_url=endpoint_url)
        wiring.reset()
        connection = {"AWS_ENDPOINT_URL": endpoint_url, **LOCAL_CREDENTIALS} if endpoint_url else {}
        functions = load_functions(
            template,
            resources,
            log=log or io.StringIO(),
            overrides={**connection, **(environment_overrides or {})},
            sandboxes=runtime.sandboxes,
        )
        runner = OnThreads() if runtime.sandboxes else None
        order = runtime.order()
        mappings = _mappings(
            functions,
            resources,
            session,
            retry_after_seconds,
            endpoint_url,
            _Delivery(runner or InLine(), runtime.stream_shards, order),
        )
        scheduler = None
        if RELEASE_SCHEDULES in resources.schedule_groups:
            scheduler = LocalScheduler(
                session.client("scheduler", endpoint_url=endpoint_url),
                session.client("sqs", endpoint_url=endpoint_url),
                resources.schedule_groups[RELEASE_SCHEDULES],
                {queue.arn: queue.url for queue in resources.queues.values()},
            )
            # First: the mappings come in pipeline order, and a release flows to the indexer.
            mappings.insert(0, scheduler)
        router = EventRouter(mappings, runner=runner, order=order)
        return cls(template, resources, functions, router, session, scheduler, endpoint_url)

    def renderer(self) -> RendererService:
        """The renderer as the stack's function is configured (what `pressroom rebuild`
        runs), reaching the stack's AWS from this process."""
        settings = RendererSettings.from_environment(self.functions["RendererFunction"].environment)
        return wiring.build_renderer(
            settings, self.session.client("s3"), self.session.client("dynamodb")
        )

    def release_schedule(self) -> SchedulerReleaseSchedule:
        """The release schedules as the stack's indexer keeps them, reached from this process
        (for harnesses that run the indexer's service directly)."""
        settings = IndexerSettings.from_environment(self.functions["IndexerFunction"].environment)
        return SchedulerReleaseSchedule.for_indexer(
            self.session.client("scheduler", endpoint_url=self.endpoint_url), settings
        )

    def close(self) -> None:
        """Let the batches in flight finish, then stop the functions' sandboxes."""
        self.router.close()
        for function in self.functions.values():
            function.close()

    def __enter__(self) -> LocalStack:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def content_bucket(self) -> str:
        return self.resources.buckets[CONTENT_BUCKET]

    @property
    def site_bucket(self) -> str:
        return self.resources.buckets[SITE_BUCKET]

    @property
    def index(self) -> DynamoPostIndex:
        return DynamoPostIndex(
            self.session.client("dynamodb", endpoint_url=self.endpoint_url),
            self.resources.tables[POSTS_TABLE].name,
        )

    def upload(self, files: Iterable[tuple[str, Path]]) -> None:
        s3 = self.session.client("s3", endpoint_url=self.endpoint_url)
        for key, path in files:
            s3.upload_file(str(path), self.content_bucket, key)

    def statuses(self, keys: Iterable[str]) -> dict[str, SourceStatus | None]:
        index = self.index
        found = {key: index.source_status(key) for key in keys}
        shown = placed([index.shown(status) for status in found.values() if status], index)
        by_key = {status.source_key: status for status in shown}
        return {key: by_key.get(key) for key in found}

    def site_objects(self) -> dict[str, bytes]:
        """Every object of the site bucket, by key."""
        s3 = self.session.client("s3", endpoint_url=self.endpoint_url)
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=self.site_bucket)
        keys = [entry["Key"] for page in pages for entry in page.get("Contents", [])]
        return {key: s3.get_object(Bucket=self.site_bucket, Key=key)["Body"].read() for key in keys}

    def export_site(self, folder: Path) -> list[str]:
        """Copy the site bucket into `folder`; return the keys written."""
        _prepare_site_folder(folder)
        s3 = self.session.client("s3", endpoint_url=self.endpoint_url)
        keys: list[str] = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=self.site_bucket):
            for entry in page.get("Contents", []):
                key = entry["Key"]
                target = folder / key
                target.parent.mkdir(parents=True, exist_ok=True)
                s3.download_file(self.site_bucket, key, str(target))
                keys.append(key)
        return sorted(keys)


def _still() -> float:
    return 0.0


@dataclass(frozen=True)
class _Delivery:
    """How the mappings deliver their batches."""

    runner: Runner
    stream_shards: int
    order: random.Random | None

    def clock(self) -> Callable[[], float]:
        """What batching windows are timed by. In the deterministic mode time stands still:
        a gathering batch closes when it is full or nothing upstream is pending, never by
        how fast this machine happens to be, so that a seeded run repeats exactly."""
        return time.monotonic if self.order is None else _still


def _mappings(
    functions: Mapping[str, LocalFunction],
    resources: LocalResources,
    session: boto3.Session,
    retry_after_seconds: int | None,
    endpoint_url: str | None,
    delivery: _Delivery,
) -> list[EventSourceMapping]:
    sqs = session.client("sqs", endpoint_url=endpoint_url)
    # Without this, moto's streams endpoint answers 404 for describe_stream.
    streams = session.client(
        "dynamodbstreams",
        endpoint_url=endpoint_url,
        config=Config(account_id_endpoint_mode="disabled"),
    )
    mappings: list[EventSourceMapping] = []
    for function in functions.values():
        for source in function.spec.events:
            if source.type == "SQS":
                mappings.append(
                    SqsEventSourceMapping(
                        function,
                        source,
                        resources.queues[source.source],
                        sqs,
                        retry_after_seconds=retry_after_seconds,
                        runner=delivery.runner,
                        clock=delivery.clock(),
                    )
                )
            else:
                mappings.append(
                    StreamEventSourceMapping(
                        function,
                        source,
                        resources.tables[source.source],
                        streams,
                        sqs,
                        on_failure=resources.queues.get(source.on_failure or ""),
                        clock=delivery.clock(),
                        shards=delivery.stream_shards,
                        runner=delivery.runner,
                        order=delivery.order,
                    )
                )
    return mappings


def check_site_folder(folder: Path) -> None:
    """Refuse, before any work, to replace a folder that pressroom did not write."""
    if folder.exists() and any(folder.iterdir()) and not (folder / SITE_MARKER).exists():
        raise ConfigurationError(
            f"{folder} is not empty and was not written by pressroom; choose another --site folder"
        )


def _prepare_site_folder(folder: Path) -> None:
    check_site_folder(folder)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / SITE_MARKER).write_text("Written by `pressroom publish`; replaced on each run.\n")
