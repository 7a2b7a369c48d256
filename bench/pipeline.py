"""One new post published into a site of N posts, through the whole pipeline, on moto.

The embedded AWS (`pressroom_local.emulator`) runs with `pressroom_local.scale.like_dynamodb`
(see there why).
The N posts are loaded the fast way: validated with `validate_post`, stored
and indexed with the real adapters and the indexer service (one index write
each, as the indexer makes it), and the site rendered with the renderer
service's `rebuild` (what `pressroom rebuild` does). The table's stream is
paused while they are indexed, so the site is rendered once, not twice. Then
each measured publish is the real thing: an upload to the content bucket, the
S3 notification, and the router draining the ingest queue, the validator, the
index queue, the indexer, the table's stream and the renderer.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.aws_calls import CallCounter, Calls
from bench.corpus import Post, write_pressroom
from bench.emulator import EmulatorClock, moto_table, stream_paused
from pressroom.adapters import wiring
from pressroom.adapters.dynamodb import DynamoPostIndex
from pressroom.adapters.s3 import S3DocumentStore
from pressroom.adapters.wiring import build_renderer
from pressroom.config import RendererSettings
from pressroom.models import IndexMessage
from pressroom.services.indexer import IndexerService
from pressroom.validation import validate_post
from pressroom_local.s3_events import in_process_aws, next_sequencer
from pressroom_local.stack import LocalStack

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SITE_URL = "https://news.example.org/"
RENDERER = "RendererFunction"


@dataclass
class SiteRun:
    size: int
    load_seconds: float
    publish_seconds: list[float] = field(default_factory=list)
    emulator_seconds: list[float] = field(default_factory=list)
    """Of each publish, the time spent inside moto answering requests."""
    single: Calls = field(default_factory=Calls)
    """Requests of one single-post publish (the last one)."""
    batch: Calls = field(default_factory=Calls)
    batch_size: int = 0
    memory_mb: dict[str, int] = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.publish_seconds)

    @property
    def median_own(self) -> float:
        """Median publish time less the emulator's share: Pressroom's own code and botocore."""
        return statistics.median(
            total - emulated
            for total, emulated in zip(self.publish_seconds, self.emulator_seconds, strict=True)
        )


def run_site(
    posts: list[Post],
    fresh: Iterator[Post],
    *,
    repeats: int,
    batch_size: int,
    render_pages: bool = True,
) -> SiteRun:
    """Load `posts`, then publish `repeats` single posts and one batch, from `fresh`."""
    clock = EmulatorClock()
    with (
        tempfile.TemporaryDirectory(prefix="pressroom-bench-") as scratch,
        in_process_aws() as session,
        clock.installed(),
    ):
        counter = CallCounter()
        # Functions build their clients from their own session, the router from `session`;
        # a run's counter hooks a session of its own.
        wiring.reset(session=True)
        for each in (session, wiring.aws_session()):
            counter.attach(each)
        stack = LocalStack.create(
            session,
            project_root=PROJECT_ROOT,
            site_url=SITE_URL,
            stack_name=f"bench{len(posts)}",
        )
        counter.attach_stack(stack)
        stack.router.drain()
        started = time.perf_counter()
        load_site(stack, posts, render_pages=render_pages)
        run = SiteRun(size=len(posts), load_seconds=time.perf_counter() - started)
        run.memory_mb = {name: f.spec.memory_size for name, f in stack.functions.items()}
        folder = Path(scratch)

        # A warm-up publish first: each function's clients and templates are built on its
        # first call (its cold start, measured on its own in bench.isolated).
        publish(stack, counter, write_pressroom([next(fresh)], folder))
        for _ in range(repeats):
            files = write_pressroom([next(fresh)], folder)
            clock.seconds = 0.0
            with counter.counting() as calls:
                started = time.perf_counter()
                publish(stack, counter, files)
                run.publish_seconds.append(time.perf_counter() - started)
            run.emulator_seconds.append(clock.seconds)
            run.single = calls
            _check_published(stack, files)

        files = write_pressroom([next(fresh) for _ in range(batch_size)], folder)
        with counter.counting() as calls:
            publish(stack, counter, files)
        _check_published(stack, files)
        run.batch, run.batch_size = calls, batch_size
    return run


def publish(stack: LocalStack, counter: CallCounter, files: list[tuple[str, Path]]) -> None:
    """What an author does, and what AWS does next: upload, then every hop until quiet."""
    s3 = stack.session.client("s3")
    with counter.as_author():
        # put_object rather than upload_file, whose transfer threads would hide the caller.
        for key, path in files:
            s3.put_object(Bucket=stack.content_bucket, Key=key, Body=path.read_bytes())
    stack.router.drain(idle_sleep=0.005)


def load_site(stack: LocalStack, posts: list[Post], *, render_pages: bool) -> None:
    """Index and render `posts` with the services directly (see the module's docstring)."""
    session = stack.session
    s3, dynamodb = session.client("s3"), session.client("dynamodb")
    environment = stack.functions[RENDERER].environment
    documents = S3DocumentStore(s3, environment["ARTIFACTS_BUCKET"])
    indexer = IndexerService(
        DynamoPostIndex(dynamodb, environment["TABLE_NAME"]), stack.release_schedule()
    )
    now = datetime.now(UTC)
    with stream_paused(moto_table(environment["TABLE_NAME"], session.region_name)):
        _index(posts, documents, indexer, now)
    renderer = build_renderer(RendererSettings.from_environment(environment), s3, dynamodb)
    plan = renderer.plan_rebuild()
    if render_pages:
        for _ in renderer.rebuild(plan):
            pass
    else:
        for month in plan.months:
            renderer.write_month(month)
        for tag in plan.tags:
            renderer.write_tag(tag)
        renderer.write_newest()
        renderer.write_site_indexes()


def _index(
    posts: list[Post], documents: S3DocumentStore, indexer: IndexerService, now: datetime
) -> None:
    for post in posts:
        outcome = validate_post(post.pressroom_source().encode(), post.key, first_seen=now)
        if outcome.document is None:
            raise AssertionError(f"{post.key}: {outcome.errors}")
        documents.put(outcome.document)
        indexer.handle(
            IndexMessage(
                action="upsert",
                source_key=post.key,
                sequencer=next_sequencer(),
                event_time=now,
                post=outcome.document.summary(),
            )
        )


def _check_published(stack: LocalStack, files: list[tuple[str, Path]]) -> None:
    statuses = stack.statuses(key for key, _ in files)
    wrong = {key: status.status if status else None for key, status in statuses.items()}
    wrong = {key: status for key, status in wrong.items() if status != "published"}
    if wrong:
        raise AssertionError(f"not published: {wrong}")
