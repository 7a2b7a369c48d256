"""Build each function's service from its settings, once per warm container.

Clients are created on first use, never at import, so that moto (or a
test's own stubs) can be in place first; `reset()` forgets them. Each
builder imports its own service, and the DynamoDB adapter is imported by the
builders that use it: the validator and indexer never pay the cold-start cost
of the renderer's template engine and Markdown, nor the validator that of
boto3's DynamoDB types and the index's planner.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import boto3
import botocore.loaders
import botocore.session
from botocore.config import Config

from pressroom.adapters.s3 import S3ContentStore, S3DocumentStore, S3SiteStore
from pressroom.adapters.sqs import SqsIndexQueue, SqsListingQueue
from pressroom.config import IndexerSettings, RendererSettings, ValidatorSettings
from pressroom.models import RecordFailure
from pressroom.ports import SITE_READS_AT_ONCE

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client

    from pressroom.adapters.dynamodb import DynamoPostIndex
    from pressroom.services.indexer import IndexerService
    from pressroom.services.renderer import RendererService
    from pressroom.services.validator import ValidatorService

# Standard retries with backoff absorb throttling before a record has to go back to its queue.
# A connection kept for each request a service makes at once (botocore keeps 10).
CLIENT_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 5},
    connect_timeout=5,
    read_timeout=20,
    max_pool_connections=SITE_READS_AT_ONCE,
)


AWS_MODELS = Path(__file__).with_name("aws_models")
"""botocore's S3 and DynamoDB models and its `endpoints.json`, cut to what the adapters
call (`python -m pressroom_local.aws_models` makes them): read first by the functions'
clients, so that a cold start does not parse the whole of each (about 45 ms of CPU time)."""

SERVICES = ("dynamodb", "s3", "scheduler", "sqs")
"""The services the functions make clients of."""


class _FunctionsModels(botocore.loaders.Loader):
    """botocore's loader, reading `AWS_MODELS` first and knowing of `SERVICES` only.
    botocore's own lists every folder of its data, some 400 services, to learn which
    exist before it loads a model: about 15 ms of a cold start. A client of another
    service fails at once (`UnknownServiceError`)."""

    def __init__(self) -> None:
        super().__init__(extra_search_paths=[str(AWS_MODELS)])

    def list_available_services(self, type_name: str) -> list[str]:
        return list(SERVICES)


@cache
def aws_session() -> boto3.Session:
    """The session the functions' clients come from, with `_FunctionsModels`; a hook on
    its events reaches each client made after it (faults, refusals and counts in the
    tests and benchmarks). Made on first use, as clients are, so that moto's hooks, which
    botocore copies into each new session, are in place."""
    core = botocore.session.get_session()
    core.register_component("data_loader", _FunctionsModels())
    return boto3.Session(botocore_session=core)


def _s3() -> S3Client:
    return aws_session().client("s3", config=CLIENT_CONFIG)


def _dynamodb() -> DynamoDBClient:
    return aws_session().client("dynamodb", config=CLIENT_CONFIG)


@cache
def validator_service() -> ValidatorService:
    from pressroom.services.validator import ValidatorService

    settings = ValidatorSettings.from_environment()
    s3 = _s3()
    return ValidatorService(
        content=S3ContentStore(s3, settings.content_bucket),
        documents=S3DocumentStore(s3, settings.artifacts_bucket),
        index_queue=SqsIndexQueue(
            aws_session().client("sqs", config=CLIENT_CONFIG), settings.index_queue_url
        ),
        limits=settings.limits,
        drafts=settings.preview_drafts,
    )


@cache
def indexer_service() -> IndexerService:
    from pressroom.adapters.scheduler import SchedulerReleaseSchedule
    from pressroom.services.indexer import IndexerService

    settings = IndexerSettings.from_environment()
    index = _post_index(settings.table_name)
    return IndexerService(
        index=index,
        schedules=SchedulerReleaseSchedule.for_indexer(
            aws_session().client("scheduler", config=CLIENT_CONFIG), settings
        ),
        site_zone=index.site_time_zone,
    )


@cache
def _post_index(table_name: str) -> DynamoPostIndex:
    from pressroom.adapters.dynamodb import DynamoPostIndex

    return DynamoPostIndex(_dynamodb(), table_name)


def record_index_failure(source_key: str, failure: RecordFailure) -> None:
    """The indexer keeps why a message failed beside the file's status."""
    settings = IndexerSettings.from_environment()
    _post_index(settings.table_name).record_failure(source_key, failure)


@cache
def renderer_service() -> RendererService:
    return build_renderer(RendererSettings.from_environment(), _s3(), _dynamodb)


@cache
def listing_queue() -> SqsListingQueue:
    """Where the renderer's stream batches ask for their listings."""
    settings = RendererSettings.from_environment()
    return SqsListingQueue(
        aws_session().client("sqs", config=CLIENT_CONFIG), settings.listing_queue_url
    )


def build_renderer(
    settings: RendererSettings,
    s3: S3Client,
    dynamodb: DynamoDBClient | Callable[[], DynamoDBClient],
) -> RendererService:
    """The renderer as its function's settings describe it (also `pressroom rebuild`'s);
    `dynamodb` a client or what makes one on the index's first read."""
    from pressroom.adapters.dynamodb import DynamoPostIndex
    from pressroom.documents import KeptDocuments
    from pressroom.services.renderer import RendererService
    from pressroom.site import Theme

    return RendererService(
        catalog=DynamoPostIndex(dynamodb, settings.table_name),
        documents=KeptDocuments(S3DocumentStore(s3, settings.artifacts_bucket)),
        site=S3SiteStore(s3, settings.site_bucket),
        config=settings.site,
        theme=Theme(settings.theme_dir),
        drafts=settings.preview_drafts,
    )


def reset(*, session: bool = False) -> None:
    """Forget every built service and client (a new embedded AWS, or a test's new stack):
    the next are made from `aws_session()` as it is then, with the hooks registered on it
    since. With `session`, forget the session too, its credentials and its hooks (a
    restored snapshot; a measurement that hooks a session of its own)."""
    for builder in (
        validator_service,
        indexer_service,
        renderer_service,
        listing_queue,
        _post_index,
    ):
        builder.cache_clear()
    if session:
        aws_session.cache_clear()


def after_restore() -> None:
    """What each environment restored from a SnapStart snapshot does first."""
    reset(session=True)


def register_snapshot_hooks(*builders: Callable[[], object]) -> None:
    """Lambda SnapStart's runtime hooks (template parameter SnapStart), for one function.

    Before the snapshot, `builders` build the function's services, so that an environment
    restored from it starts with their modules imported and their settings read. After
    each restore every service and client, and the session they come from, is forgotten
    and built again on first use: one snapshot is restored into many environments, and a
    client or session made before it would carry the snapshotted environment's
    connections and cached credentials into all of them.
    Without SnapStart the hooks are registered and never run. The runtime provides
    `snapshot_restore_py`; where it is absent (tests, the local stack) nothing is hooked.
    """
    try:
        from snapshot_restore_py import register_after_restore, register_before_snapshot
    except ModuleNotFoundError:
        return

    def warm() -> None:
        for build in builders:
            build()

    register_before_snapshot(warm)
    register_after_restore(after_restore)
