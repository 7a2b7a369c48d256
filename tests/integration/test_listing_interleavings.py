"""Two uploads whose commits and renders interleave request by request: whatever the order
in which their requests reach AWS, the site they leave is the one a rebuild from the index
makes.

Each worker is what one upload sets going on Lambda: its document stored and its index
message planned and written (validator, indexer), then its post's page and every listing
it changes rendered, with the site's indexes when they are due (a stream batch, then a
listing batch). Both work against one site on the embedded AWS, their requests let
through one at a time in an order Hypothesis draws (`interleaving.Interleaving`), so a
write can land between any read and write of the other. Listings are small (pages of two
posts, a search shard a post), so that one upload adds or removes the files and pages the
site's indexes list.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pressroom import syndication
from pressroom.adapters import wiring
from pressroom.adapters.dynamodb import DynamoPostIndex
from pressroom.adapters.s3 import S3DocumentStore
from pressroom.config import RendererSettings
from pressroom.events import normalize_sequencer
from pressroom.indexing import ItemKey, PostKey, PostRecord, Record, Stored
from pressroom.listings import PostChange, plan_listings
from pressroom.models import IndexMessage
from pressroom.services.indexer import IndexerService
from pressroom.validation import validate_post
from pressroom_local.emulator import EmbeddedAws, embedded_aws
from pressroom_local.stack import LocalStack
from reliability.harness import FinalState, differences, read_site, scan_table
from tests.corpus import PROJECT_ROOT
from tests.integration.conftest import SITE_URL
from tests.integration.interleaving import Interleaving
from tests.memory_index import MemorySchedules

START = datetime(2026, 1, 1, tzinfo=UTC)
EXAMPLES = max(6, settings.default.max_examples // 100)
"""Interleavings drawn a scenario: 6 in `make test`, 100 in `make reliability`."""


def post(title: str, day: int, tags: str, more: str = "") -> bytes:
    return (
        f"---\ntitle: {title}\ndate: 2024-02-{day:02d}T09:00:00Z\ntags: [{tags}]\n{more}---\n\n"
        f"Notes from the {title.lower()} line.\n"
    ).encode()


@dataclass(frozen=True)
class Upload:
    key: str
    body: bytes


@dataclass(frozen=True)
class Delete:
    key: str


Change = Upload | Delete


class Site:
    """One stack on the embedded AWS, and the uploads made to it."""

    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.settings = RendererSettings.from_environment(
            stack.functions["RendererFunction"].environment
        )
        self.events = itertools.count(1)

    def worker(self, interleaving: Interleaving, name: str, change: Change) -> Callable[[], None]:
        """One upload's work as its functions do it, its requests made in `interleaving`."""
        session, settings = self.stack.session, self.settings
        # Clients are made here, in one thread: a session is not thread-safe.
        s3 = interleaving.client(session, "s3", name)
        dynamodb = interleaving.client(session, "dynamodb", name)
        index = ReadsKept(DynamoPostIndex(dynamodb, settings.table_name))
        indexer = IndexerService(index=index, schedules=MemorySchedules())
        renderer = wiring.build_renderer(settings, s3, dynamodb)
        documents = S3DocumentStore(s3, settings.artifacts_bucket)
        number = next(self.events)
        common = {
            "source_key": change.key,
            "sequencer": normalize_sequencer(f"{number:X}", START),
            "event_time": START + timedelta(seconds=number),
        }

        def work() -> None:
            if isinstance(change, Upload):
                outcome = validate_post(change.body, change.key, first_seen=START)
                assert outcome.document is not None, outcome.errors
                documents.put(outcome.document)
                message = IndexMessage(action="upsert", post=outcome.document.summary(), **common)
            else:
                message = IndexMessage(action="delete", **common)
            plan = indexer.handle(message)
            # The stream's record of each post item written: its image before (as read by
            # the plan that committed, whose write was conditioned on it) and after.
            changes = [
                PostChange(old=_post(index.last_read.get(key)), new=_post(record))
                for key, record in plan.writes.items()
                if isinstance(key, PostKey)
            ]
            for post_change in changes:
                renderer.render_post(post_change)
            renderer.render_listings(plan_listings(changes))

        return work

    def apply(self, change: Change) -> None:
        """A change made alone, before the interleaved ones."""
        alone = Interleaving(lambda waiting: next(iter(waiting)))
        alone.run({"alone": self.worker(alone, "alone", change)})

    def rebuilt(self) -> list[str]:
        """What a rebuild from the index changes in the site (empty: nothing)."""
        before = FinalState(table=scan_table(self.stack), site=read_site(self.stack))
        renderer = self.stack.renderer()
        for _ in renderer.rebuild(renderer.plan_rebuild()):
            pass
        return differences(before, FinalState(table=before.table, site=read_site(self.stack)))


@dataclass
class ReadsKept:
    """The index, keeping what each item read last held: the image a stream record carries
    as the item's old one, once the plan made from that read has committed."""

    index: DynamoPostIndex
    last_read: dict[ItemKey, Record | None] = field(default_factory=dict)

    def read(self, keys: Iterable[ItemKey]) -> dict[ItemKey, Stored | None]:
        found = self.index.read(keys)
        self.last_read.update(
            {key: stored.record if stored else None for key, stored in found.items()}
        )
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self.index, name)


def _post(record: object) -> PostRecord | None:
    return record if isinstance(record, PostRecord) else None


class Sites:
    """A fresh stack a drawn interleaving, all on one embedded AWS."""

    def __init__(self, aws: EmbeddedAws) -> None:
        self.aws = aws
        self.names = (f"interleaved{number}" for number in itertools.count())

    @contextmanager
    def site(self) -> Iterator[Site]:
        with LocalStack.create(
            self.aws.session,
            project_root=PROJECT_ROOT,
            site_url=SITE_URL,
            stack_name=next(self.names),
            environment_overrides={"LIST_PAGE_SIZE": "2", "HOME_PAGE_SIZE": "2"},
        ) as stack:
            stack.router.drain()
            yield Site(stack)


@pytest.fixture(scope="module")
def sites() -> Iterator[Sites]:
    with embedded_aws() as aws:
        yield Sites(aws)


@pytest.fixture
def small_month_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """A sitemap file and a search shard a post: every post added or removed changes its
    month's set of files, which the sitemap index and the search manifest list."""
    monkeypatch.setattr(syndication, "SITEMAP_URLS_PER_FILE", 1)
    monkeypatch.setattr(syndication, "SEARCH_RECORDS_PER_SHARD", 1)


def _interleaved(
    sites: Sites, seed: int, before: list[Change], together: list[Change]
) -> tuple[list[str], list[tuple[str, str]]]:
    """`before` made one after another, then `together` interleaved as `seed` draws: what a
    rebuild then changes, and the order the requests ran in."""
    with sites.site() as site:
        for change in before:
            site.apply(change)
        interleaving = Interleaving(turns(random.Random(seed)))
        interleaving.run(
            {
                f"upload {number}": site.worker(interleaving, f"upload {number}", change)
                for number, change in enumerate(together, start=1)
            }
        )
        return site.rebuilt(), interleaving.order


WRITES = ("PutObject", "DeleteObject", "DeleteObjects", "CopyObject", "TransactWriteItems")


def turns(rng: random.Random) -> Callable[[dict[str, str]], str]:
    """Whose request goes next, as `rng` draws it. Each run draws how often a worker keeps
    its turn (never to almost always, so that one can go through a whole listing while
    the other waits) and how often one about to write hands it on (so that the other acts
    between its read and its write)."""
    keeps = rng.choice([0.0, 0.7, 0.9, 0.97, 0.99])
    hands_on = rng.choice([0.0, 0.1, 0.5])
    current: list[str] = []

    def turn(waiting: dict[str, str]) -> str:
        if current and current[0] in waiting:
            about_to_write = waiting[current[0]].endswith(WRITES)
            if not (about_to_write and rng.random() < hands_on) and rng.random() < keeps:
                return current[0]
        current[:] = [rng.choice(sorted(waiting))]
        return current[0]

    return turn


OLD_URL = "redirect_from: /posts/night-bus/\n"
"""An old URL of the sleeper's that another post's page takes."""

SCENARIOS = {
    # A tag's last post goes as another joins it: its card goes and comes back, and the
    # tags index must list it.
    "a tag's last post goes as another joins it": (
        [Upload("posts/sleeper.md", post("Sleeper", 3, "trains"))],
        [Delete("posts/sleeper.md"), Upload("posts/ferry.md", post("Ferry", 5, "trains"))],
    ),
    # Two first posts of one tag, and of one month, at once.
    "two first posts of a tag and a month at once": (
        [Upload("posts/older.md", post("Older", 1, "news"))],
        [
            Upload("posts/sleeper.md", post("Sleeper", 3, "trains")),
            Upload("posts/ferry.md", post("Ferry", 5, "trains")),
        ],
    ),
    # A month file goes as another comes: the sitemap index and search manifest list
    # what the bucket holds when the last of them writes.
    "a month's file goes as another comes": (
        [
            Upload("posts/sleeper.md", post("Sleeper", 3, "trains")),
            Upload("posts/ferry.md", post("Ferry", 5, "boats")),
        ],
        [Delete("posts/sleeper.md"), Upload("posts/tram.md", post("Tram", 4, "trams"))],
    ),
    # A post moves past its neighbour as another comes between them: every page links
    # the posts now beside it, and each tag's pages (two posts a page) hold its posts.
    "a post moves past its neighbour as another comes between them": (
        [
            Upload("posts/sleeper.md", post("Sleeper", 3, "trains")),
            Upload("posts/ferry.md", post("Ferry", 5, "trains")),
            Upload("posts/bus.md", post("Bus", 7, "trains")),
        ],
        [
            Upload("posts/sleeper.md", post("Sleeper", 6, "trains")),
            Upload("posts/tram.md", post("Tram", 4, "trains")),
        ],
    ),
    # A post retitled as the post beside it goes: its page, and the pages that link it,
    # show its new title and link only posts still there.
    "a post retitled as the post beside it goes": (
        [
            Upload("posts/sleeper.md", post("Sleeper", 3, "trains")),
            Upload("posts/ferry.md", post("Ferry", 5, "boats")),
            Upload("posts/bus.md", post("Bus", 7, "trains")),
        ],
        [
            Upload("posts/ferry.md", post("Night ferry", 5, "boats")),
            Delete("posts/bus.md"),
        ],
    ),
    # A post's old URL becomes another post's page as the first post is edited: a page
    # wins over an old URL, whichever render lands last.
    "an old URL becomes a post's page as the post it led to is edited": (
        [Upload("posts/sleeper.md", post("Sleeper", 3, "trains", OLD_URL))],
        [
            Upload("posts/night-bus.md", post("Night bus", 5, "buses")),
            Upload("posts/sleeper.md", post("Sleeper train", 3, "trains", OLD_URL)),
        ],
    ),
    # A slug's owner goes as another file asks for the slug: the other takes it over,
    # its page at the slug's URL, its own tags and date in the listings.
    "a slug's owner goes as another file asks for it": (
        [Upload("posts/sleeper.md", post("Sleeper", 3, "trains", "slug: night-train\n"))],
        [
            Delete("posts/sleeper.md"),
            Upload("posts/night.md", post("Night train", 6, "rail", "slug: night-train\n")),
        ],
    ),
    # Two files ask for one slug at once: one owns it, whichever commits first, and the
    # site shows that one's post alone.
    "two files ask for one slug at once": (
        [Upload("posts/ferry.md", post("Ferry", 5, "boats"))],
        [
            Upload("posts/sleeper.md", post("Sleeper", 3, "trains", "slug: night-train\n")),
            Upload("posts/night.md", post("Night train", 6, "rail", "slug: night-train\n")),
        ],
    ),
}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=list(SCENARIOS))
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(0, 2**32))
def test_two_uploads_interleaved_request_by_request_leave_the_site_a_rebuild_makes(
    sites: Sites, small_month_files: None, scenario: str, seed: int
) -> None:
    before, together = SCENARIOS[scenario]
    stale, order = _interleaved(sites, seed, before, together)
    assert not stale, f"a rebuild changes {stale}; requests ran in this order: {order}"
