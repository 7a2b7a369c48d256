"""Publishing through the local stack's event routing, under faults, duplicates and load.

One run of the pipeline is: a fresh stack on the embedded AWS, a list of S3
event notifications put on its ingest queue, the router drained, dead-letter
queues redriven (with the faults off: the cause fixed) and drained again. The
notifications are captured once from a stack whose content bucket the posts
were uploaded to; every run's validator reads that same versioned bucket, so
two runs see byte-identical events (same sequencers, same event times) and
must end with identical tables and sites.
"""

from __future__ import annotations

import itertools
import random
import time
import tracemalloc
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from moto.core.botocore_stubber import BotocoreStubber
from moto.sqs.models import sqs_backends

from pressroom.adapters.dead_letters import SqsDeadLetters, dead_letter_queues
from pressroom.adapters.dynamodb import deserialize
from pressroom_local.emulator import EmbeddedAws, embedded_aws
from pressroom_local.faults import (
    FaultPlan,
    FaultReport,
    Invoke,
    inject_faults,
    observe_invocations,
)
from pressroom_local.provision import ACCOUNT_ID
from pressroom_local.runtime import LocalFunction, RuntimeMode
from pressroom_local.sandbox import Invocation
from pressroom_local.stack import LocalStack

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SITE_URL = "https://news.example.org/"
FUNCTIONS = ("ValidatorFunction", "IndexerFunction", "RendererFunction")
TAGS = tuple(f"topic-{number:02d}" for number in range(40))
START = datetime(2019, 1, 1, tzinfo=UTC)

TEN_PERCENT = FaultPlan(rate=0.10, surfaced=0.1, crash_rate=0.1, seed=8, backoff_scale=0.01)
"""The issue's run: a tenth of the calls failing, a few past the retries, a few crashes."""
HARSH = FaultPlan(rate=0.3, surfaced=0.5, crash_rate=0.3, seed=8, backoff_scale=0.01)
"""Enough failures that retries run out: messages reach every dead-letter queue, then redrive.
(Which queues a seed fills depends on the order of the calls: a seed chosen for the
deterministic runtime's order, with the stream on two shards.)"""


@contextmanager
def local_aws() -> Iterator[EmbeddedAws]:
    """The embedded AWS, its transactions as cheap at 10,000 posts as at 10: the stacks'
    functions run in this process (`RuntimeMode.deterministic`: faults and probes work
    inside them) or in sandboxes that reach it by its endpoint (`CONCURRENT`)."""
    with embedded_aws() as aws:
        yield aws


# -- the posts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Post:
    key: str
    slug: str
    body: bytes
    draft: bool
    date: datetime | None
    """None: undated, so dated by its first upload."""


def generate_posts(count: int, *, seed: int = 1) -> list[Post]:
    """`count` posts over seven years, a few tags each; some drafts and some undated."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    posts = []
    for number in range(count):
        slug = f"post-{number:05d}"
        draft = number % 40 == 39
        lines = [f"title: Post number {number}", f"slug: {slug}"]
        if number % 50 != 49:
            date: datetime | None = START + timedelta(minutes=rng.randrange(7 * 365 * 24 * 60))
            lines.append(f"date: {date:%Y-%m-%d %H:%M}")
        else:
            date = None
        lines.append(f"tags: [{', '.join(rng.sample(TAGS, rng.randint(0, 3)))}]")
        lines.append(f"description: The {number}th post, for the reliability runs.")
        if draft:
            lines.append("draft: true")
        paragraphs = "\n\n".join(
            f"Paragraph {paragraph} of post {number}: "
            + " ".join(rng.choice(("news", "desk", "*wire*", "`copy`", "press")) for _ in range(40))
            for paragraph in range(rng.randint(2, 8))
        )
        text = "---\n" + "\n".join(lines) + f"\n---\n\n# Post {number}\n\n{paragraphs}\n"
        posts.append(
            Post(key=f"posts/{slug}.md", slug=slug, body=text.encode(), draft=draft, date=date)
        )
    return posts


def in_date_order(posts: Sequence[Post]) -> list[Post]:
    """The posts in the order a site publishes them: by date, an undated one beside the post
    generated before it. The same posts as a back catalogue, so the same final site; but
    each month fills while it is the current one, instead of all months filling together."""
    order: list[tuple[datetime, int]] = []
    for number, post in enumerate(posts):
        order.append((post.date or (order[-1][0] if order else START), number))
    return [posts[number] for _, number in sorted(order)]


def history_uploads(
    count: int, *, seed: int = 1
) -> tuple[list[Post], frozenset[str], list[tuple[str, bytes | None]]]:
    """`count` posts uploaded, every 7th uploaded again changed, every 11th then deleted.

    Returns the posts, the deleted keys, and the uploads (None: a delete) in order.
    """
    posts = generate_posts(count, seed=seed)
    uploads: list[tuple[str, bytes | None]] = [(post.key, post.body) for post in posts]
    uploads += [
        (post.key, post.body.replace(b"\n---\n", b"\n---\n\nUpdated.\n", 1)) for post in posts[::7]
    ]
    deleted = frozenset(post.key for post in posts[5::11])
    uploads += [(key, None) for key in sorted(deleted)]
    return posts, deleted, uploads


# -- capturing S3's events --------------------------------------------------------------------


@dataclass(frozen=True)
class Captured:
    content_bucket: str
    notifications: list[str]
    """The ingest queue's message bodies, one S3 event notification each, in upload order."""


def capture_notifications(
    session: Any, uploads: Sequence[tuple[str, bytes | None]], *, stack_name: str = "origin"
) -> Captured:
    """Upload (or delete, for None) into a stack's content bucket; keep what S3 announced."""
    origin = LocalStack.create(
        session, project_root=PROJECT_ROOT, site_url=SITE_URL, stack_name=stack_name
    )
    s3 = session.client("s3")
    for key, body in uploads:
        if body is None:
            s3.delete_object(Bucket=origin.content_bucket, Key=key)
        else:
            s3.put_object(Bucket=origin.content_bucket, Key=key, Body=body)
    # Read from the embedded queue itself: moto's ReceiveMessage scans the whole queue on each
    # call, and 10,000 messages would take half an hour to receive.
    queue = sqs_backends[ACCOUNT_ID][origin.resources.region].get_queue(
        origin.resources.queues["IngestQueue"].name
    )
    notifications = [
        message.body for message in queue._messages if "s3:TestEvent" not in message.body
    ]
    queue._messages.clear()
    return Captured(origin.content_bucket, notifications)


# -- one run of the pipeline ------------------------------------------------------------------


@dataclass(frozen=True)
class FinalState:
    table: dict[tuple[str, str], dict[str, Any]]
    site: dict[str, tuple[str, bytes]]


@dataclass
class Run:
    stack: LocalStack
    seconds: float
    faults: FaultReport | None
    dead_letters: dict[str, int]
    """Messages found in each dead-letter queue when the pipeline first went quiet."""
    redriven: dict[str, int] = field(default_factory=dict)
    dead_letters_after: dict[str, int] = field(default_factory=dict)

    def state(self) -> FinalState:
        return FinalState(table=scan_table(self.stack), site=read_site(self.stack))


class Pipelines:
    """Fresh stacks on one embedded AWS, each with its own name, their functions run as
    `runtime` says (by default in this process, one invocation at a time)."""

    def __init__(self, aws: EmbeddedAws, runtime: RuntimeMode | None = None) -> None:
        self.aws = aws
        self.session = aws.session
        self.runtime = runtime or RuntimeMode.deterministic()
        self._names = (f"run{number}" for number in itertools.count())

    def stack(self, content_bucket: str) -> LocalStack:
        stack = LocalStack.create(
            self.session,
            project_root=PROJECT_ROOT,
            site_url=SITE_URL,
            stack_name=next(self._names),
            # Every run's validator reads the one bucket the events were captured from.
            environment_overrides={"CONTENT_BUCKET": content_bucket},
            endpoint_url=self.aws.endpoint_url if self.runtime.sandboxes else None,
            runtime=self.runtime,
        )
        stack.router.drain()
        return stack

    def publish(
        self,
        captured: Captured,
        *,
        deliveries: Sequence[str] | None = None,
        plan: FaultPlan | None = None,
        chunk: int | None = None,
        between_chunks: Callable[[int, LocalStack], None] | None = None,
    ) -> Run:
        """Deliver the notifications (in chunks, draining after each), then redrive."""
        stack = self.stack(captured.content_bucket)
        bodies = list(captured.notifications if deliveries is None else deliveries)
        size = chunk or len(bodies) or 1
        started = time.perf_counter()
        with ExitStack() as active:
            report = active.enter_context(inject_faults(plan)) if plan is not None else None
            for number, start in enumerate(range(0, len(bodies), size)):
                send_notifications(stack, bodies[start : start + size])
                stack.router.drain(timeout_seconds=3600)
                if between_chunks is not None:
                    between_chunks(number, stack)
        run = Run(stack, time.perf_counter() - started, report, dead_letter_counts(stack))
        for _ in range(3):
            if not any(dead_letter_counts(stack).values()):
                break
            for name, moved in redrive_all(stack).items():
                run.redriven[name] = run.redriven.get(name, 0) + moved
            stack.router.drain(timeout_seconds=3600)
        run.dead_letters_after = dead_letter_counts(stack)
        return run


def send_notifications(stack: LocalStack, bodies: Sequence[str]) -> None:
    sqs = stack.session.client("sqs")
    queue = stack.resources.queues["IngestQueue"].url
    for start in range(0, len(bodies), 10):
        sqs.send_message_batch(
            QueueUrl=queue,
            Entries=[
                {"Id": str(number), "MessageBody": body}
                for number, body in enumerate(bodies[start : start + 10])
            ],
        )


def shuffled_with_duplicates(
    bodies: Sequence[str], *, seed: int, duplicates: float = 0.3
) -> list[str]:
    """Every notification at least once, a share of them twice or three times, in any order."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    repeated = [body for body in bodies if rng.random() < duplicates]
    repeated += [body for body in repeated if rng.random() < 0.3]
    delivered = [*bodies, *repeated]
    rng.shuffle(delivered)
    return delivered


# -- dead letters ---------------------------------------------------------------------------


def dead_letters(stack: LocalStack) -> SqsDeadLetters:
    urls = {name: queue.url for name, queue in stack.resources.queues.items()}
    return SqsDeadLetters(stack.session.client("sqs"), dead_letter_queues(urls))


def dead_letter_counts(stack: LocalStack) -> dict[str, int]:
    return dead_letters(stack).counts()


def redrive_all(stack: LocalStack) -> dict[str, int]:
    letters = dead_letters(stack)
    return {
        queue.name: letters.redrive(queue, rebuild=lambda: rebuild(stack))
        for queue in letters.queues
        if letters.count(queue)
    }


def rebuild(stack: LocalStack) -> None:
    renderer = stack.renderer()
    for _ in renderer.rebuild(renderer.plan_rebuild()):
        pass


# -- final state ------------------------------------------------------------------------------


def scan_table(stack: LocalStack) -> dict[tuple[str, str], dict[str, Any]]:
    """What the index holds, less its bookkeeping: version numbers count the writes that
    led there, a month marker stays once any delivery order has published in it, and a
    failure item says why a message last failed (for `pressroom status`), not what is."""
    client = stack.session.client("dynamodb")
    items = {}
    for page in client.get_paginator("scan").paginate(TableName=stack.index.table):
        for raw in page["Items"]:
            item = deserialize(raw)
            if item["pk"] == "SITE" or item["sk"] == "FAILURE":
                continue
            item.pop("version", None)
            items[(item["pk"], item["sk"])] = item
    return items


def read_site(stack: LocalStack) -> dict[str, tuple[str, bytes]]:
    s3 = stack.session.client("s3")
    site = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=stack.site_bucket):
        for entry in page.get("Contents", []):
            found = s3.get_object(Bucket=stack.site_bucket, Key=entry["Key"])
            site[entry["Key"]] = (found["ContentType"], found["Body"].read())
    return site


def lost_posts(
    posts: Sequence[Post], state: FinalState, deleted: frozenset[str] = frozenset()
) -> list[str]:
    """Posts whose status is not what it should be, or whose page is missing or unexpected."""
    lost = []
    for post in posts:
        status = state.table.get((f"SOURCE#{post.key}", "STATUS"), {}).get("status")
        page = f"posts/{post.slug}/index.html" in state.site
        gone = post.key in deleted
        expected = "deleted" if gone else "draft" if post.draft else "published"
        if status != expected or page != (not gone and not post.draft):
            lost.append(post.key)
    return lost


def differences(expected: FinalState, actual: FinalState) -> list[str]:
    """What differs, item by item and page by page (empty: identical)."""
    found = []
    for key in sorted(expected.table.keys() | actual.table.keys()):
        if expected.table.get(key) != actual.table.get(key):
            found.append(f"table item {key}")
    for page in sorted(expected.site.keys() | actual.site.keys()):
        if expected.site.get(page) != actual.site.get(page):
            found.append(f"site object {page}")
    return found


# -- measuring each invocation -----------------------------------------------------------------


@dataclass(frozen=True)
class SandboxFigures:
    """What a function's sandboxes reported of a run of invocations, as Lambda's REPORT
    lines would (the concurrent runtime: the embedded AWS answers in another process)."""

    invocations: int
    records: int
    seconds: float
    """Handler wall time, summed."""
    cpu_seconds: float
    """The function's own processor time, summed."""
    aws_requests: int
    max_memory_bytes: int
    sandboxes: int

    @classmethod
    def of(cls, invocations: Sequence[Invocation]) -> SandboxFigures:
        return cls(
            invocations=len(invocations),
            records=sum(invocation.records for invocation in invocations),
            seconds=sum(invocation.ended - invocation.started for invocation in invocations),
            cpu_seconds=sum(invocation.cpu_seconds for invocation in invocations),
            aws_requests=sum(invocation.aws_requests for invocation in invocations),
            max_memory_bytes=max((i.max_memory_bytes for i in invocations), default=0),
            sandboxes=len({invocation.sandbox for invocation in invocations}),
        )

    def per_record(self, total: float) -> float:
        return total / self.records if self.records else 0.0


def resident_memory() -> tuple[int, int]:
    """This process's resident memory now and at its peak, in bytes (Linux)."""
    kib = {
        name: int(value.split()[0])
        for name, value in (
            line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines()
        )
        if name in ("VmRSS", "VmHWM")
    }
    return kib["VmRSS"] * 1024, kib["VmHWM"] * 1024


@dataclass
class Measurement:
    records: int = 0
    aws_calls: int = 0
    timed_records: int = 0
    """Records of the untraced invocations, which alone are timed."""
    seconds: float = 0.0
    """Wall time of the untraced invocations."""
    aws_seconds: float = 0.0
    """Of which inside the embedded AWS (moto answering the calls)."""
    peaks: list[int] = field(default_factory=list)
    """tracemalloc peaks (bytes above the start) of the sampled invocations."""

    @property
    def per_record_ms(self) -> float:
        return 1000 * self.seconds / self.timed_records if self.timed_records else 0.0

    @property
    def own_per_record_ms(self) -> float:
        """Time per record in the function itself, the embedded AWS's share taken out."""
        own = self.seconds - self.aws_seconds
        return 1000 * own / self.timed_records if self.timed_records else 0.0

    @property
    def calls_per_record(self) -> float:
        return self.aws_calls / self.records if self.records else 0.0


class Probe:
    """Count every invocation's records and AWS calls; trace the memory of each function's
    first invocation in a phase and of every `memory_every`th one; time the others.

    Memory is traced on a sample only, and those invocations are left out of
    the timings: tracemalloc slows Python down severalfold.
    """

    def __init__(self, *, memory_every: int = 5) -> None:
        self.memory_every = memory_every
        self.phase = 0
        self.by_phase: dict[int, dict[str, Measurement]] = defaultdict(
            lambda: defaultdict(Measurement)
        )
        self._counts: Counter[str] = Counter()
        self._current: Measurement | None = None
        self._timing = False

    @contextmanager
    def active(self) -> Iterator[Probe]:
        original = BotocoreStubber.__call__
        probe = self

        def answer(stub: BotocoreStubber, *args: Any, **kwargs: Any) -> Any:
            if probe._current is None:
                return original(stub, *args, **kwargs)
            started = time.perf_counter()
            try:
                return original(stub, *args, **kwargs)
            finally:
                probe._current.aws_calls += 1
                if probe._timing:
                    probe._current.aws_seconds += time.perf_counter() - started

        BotocoreStubber.__call__ = answer  # type: ignore[method-assign,assignment]
        try:
            with observe_invocations(self._around):
                yield self
        finally:
            BotocoreStubber.__call__ = original  # type: ignore[method-assign]

    def _around(self, function: LocalFunction, invoke: Invoke, event: dict[str, Any]) -> Any:
        self._counts[function.name] += 1
        measurement = self.by_phase[self.phase][function.name]
        traced = self.memory_every > 0 and (
            not measurement.peaks or self._counts[function.name] % self.memory_every == 0
        )
        records = len(event.get("Records", []))
        measurement.records += records
        self._current, self._timing = measurement, not traced
        if traced:
            tracemalloc.start()
            baseline = tracemalloc.get_traced_memory()[0]
        started = time.perf_counter()
        try:
            return invoke(function, event)
        finally:
            elapsed = time.perf_counter() - started
            self._current, self._timing = None, False
            if traced:
                peak = tracemalloc.get_traced_memory()[1] - baseline
                tracemalloc.stop()
                measurement.peaks.append(peak)
            else:
                measurement.seconds += elapsed
                measurement.timed_records += records
