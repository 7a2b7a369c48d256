"""`python -m bench.contention`: conflicts and retries when indexers write at once.

Lambda runs up to five indexer invocations at once (the template's
MaximumConcurrency). Here `--writers` threads each index posts through the
real IndexerService and DynamoDB adapter on the embedded AWS, in rounds:
in each round every writer reads, then all wait until every writer has read
(the widest window two invocations can leave each other), then all write.

- unrelated: each writer a different post of the same month, with a shared tag
  (what `aws s3 sync` of a blog does); the goal is no conflict at all.
- contested: every writer a different file claiming the same slug; conflicts
  are expected, and the index must end with the first-uploaded file as owner.

Prints conflicts per post (transactions DynamoDB refused, each followed by a
re-plan) and the median time per post, for each workload.

python -m bench.contention --writers 5 --rounds 20
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
)

from pressroom.adapters.dynamodb import DynamoPostIndex
from pressroom.events import normalize_sequencer
from pressroom.exceptions import ConcurrentWriteError
from pressroom.indexing import IndexPlan, ItemKey, Stored
from pressroom.models import IndexMessage, PostSummary
from pressroom.services.indexer import IndexerService
from pressroom_local.s3_events import in_process_aws
from pressroom_local.stack import POSTS_TABLE, LocalStack

PROJECT_ROOT = Path(__file__).resolve().parents[1]
START = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class RoundIndex:
    """The index, holding each writer after its first read of a round until all have read."""

    index: DynamoPostIndex
    barrier: threading.Barrier
    conflicts: int = 0
    reads: int = 0
    _first_read: threading.local = field(default_factory=threading.local)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start_round(self) -> None:
        self._first_read = threading.local()

    def read(self, keys: Iterable[ItemKey]) -> dict[ItemKey, Stored | None]:
        found = self.index.read(keys)
        with self._lock:
            self.reads += 1
        if not getattr(self._first_read, "done", False):
            self._first_read.done = True
            self.barrier.wait()
        return found

    def apply(self, plan: IndexPlan) -> None:
        try:
            self.index.apply(plan)
        except ConcurrentWriteError:
            with self._lock:
                self.conflicts += 1
            raise


@dataclass(frozen=True)
class Figures:
    workload: str
    posts: int
    conflicts: int
    seconds_per_post: list[float]

    def line(self) -> str:
        median_ms = statistics.median(self.seconds_per_post) * 1000
        return (
            f"{self.workload:<10} posts {self.posts:>5}  conflicts/post "
            f"{self.conflicts / self.posts:.3f}  median {median_ms:.1f} ms/post"
        )


def message(number: int, source: str, slug: str) -> IndexMessage:
    post = PostSummary(
        source_key=source,
        slug=slug,
        title=f"Post {number}",
        date=datetime(2025, 3, 1, tzinfo=UTC) + timedelta(minutes=number),
        tags=("news",),
        content_hash=f"{number:064x}",
    )
    return IndexMessage(
        action="upsert",
        source_key=source,
        sequencer=normalize_sequencer(f"{number:X}", START),
        event_time=START + timedelta(seconds=number),
        post=post,
    )


def run(workload: str, writers: int, rounds: int) -> Figures:
    with (
        in_process_aws() as session,
        LocalStack.create(session, project_root=PROJECT_ROOT, site_url="http://x/") as stack,
    ):
        table = DynamoPostIndex(
            session.client("dynamodb"), stack.resources.tables[POSTS_TABLE].name
        )
        index = RoundIndex(table, threading.Barrier(writers, timeout=60))
        service = IndexerService(
            index=index, schedules=stack.release_schedule(), write_attempts=writers + 2
        )
        timings: list[float] = []
        with ThreadPoolExecutor(max_workers=writers) as pool:
            for round_number in range(rounds):
                first = round_number * writers
                batch = [
                    message(
                        first + n,
                        f"posts/{first + n}.md",
                        "contested" if workload == "contested" else f"post-{first + n}",
                    )
                    for n in range(writers)
                ]
                index.start_round()
                started = time.perf_counter()
                list(pool.map(service.handle, batch))
                timings.append((time.perf_counter() - started) / writers)
        if workload == "contested":
            owner = table.post("contested")
            assert owner is not None
            assert owner.post is not None
            assert owner.post.source_key == "posts/0.md", owner.post.source_key
        return Figures(workload, writers * rounds, index.conflicts, timings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.contention", description=__doc__)
    parser.add_argument("--writers", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=20)
    options = parser.parse_args(argv)
    for workload in ("unrelated", "contested"):
        print(run(workload, options.writers, options.rounds).line(), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
