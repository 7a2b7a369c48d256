"""The pipeline without AWS: validate_post, the indexer's plan on an in-memory index, and
the renderer's post page and listings over in-memory adapters. Posts are published
alone (each its own batch, as an upload that arrives by itself), or in batches as the
renderer's stream delivers them when uploads come together.
"""

from __future__ import annotations

import bisect
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice, takewhile
from typing import TypeVar

from bench.corpus import Post
from pressroom.config import DEFAULT_THEME, SiteConfig
from pressroom.indexing import IndexPlan, PostKey, PostRecord, TagEntry
from pressroom.listings import (
    ListingTail,
    Month,
    NewestPosts,
    PostChange,
    Window,
    month_of,
    order_key,
    plan_listings,
)
from pressroom.models import IndexMessage, PostDocument, PostSummary
from pressroom.services.indexer import IndexerService
from pressroom.services.renderer import RendererService
from pressroom.site import Theme, forget_rendered_bodies
from pressroom.validation import validate_post
from tests.memory_index import MemoryIndex

_Listed = tuple[datetime, str, PostSummary]
_Tagged = tuple[datetime, str, TagEntry]
"""(date, slug, item), kept in listing order: a slug is listed once, so the item itself is
never compared."""
_Item = TypeVar("_Item")


@dataclass
class MemorySite(MemoryIndex):
    """The in-memory index, also the renderer's catalog: listings kept sorted as plans
    apply, holding their items as a query returns them."""

    posts: dict[str, PostSummary] = field(default_factory=dict)
    newest: list[_Listed] = field(default_factory=list)
    month_counts: Counter[Month] = field(default_factory=Counter)
    tag_orders: defaultdict[str, list[_Tagged]] = field(default_factory=lambda: defaultdict(list))

    def apply(self, plan: IndexPlan) -> None:
        super().apply(plan)
        for key, record in plan.writes.items():
            if isinstance(key, PostKey):
                self._unlist(key.slug)
                if isinstance(record, PostRecord) and record.published is not None:
                    self._list(record.published)
        for entry in plan.tags_to_delete:
            _remove(self.tag_orders[entry.tag], entry.date, entry.slug)
        for entry in plan.tags_to_put:
            bisect.insort(self.tag_orders[entry.tag], (entry.date, entry.slug, entry))

    def _list(self, post: PostSummary) -> None:
        self.posts[post.slug] = post
        bisect.insort(self.newest, (post.date, post.slug, post))
        self.month_counts[month_of(post)] += 1

    def _unlist(self, slug: str) -> None:
        post = self.posts.pop(slug, None)
        if post is not None:
            _remove(self.newest, post.date, post.slug)
            self.month_counts[month_of(post)] -= 1
            self.month_counts += Counter()  # drops months that are now empty

    # PostCatalog

    def newest_posts(
        self, limit: int, *, at_least: int | None = None, more_months: int = 0
    ) -> NewestPosts:
        # Every post at hand: no month costs a read here.
        return NewestPosts([post for _, _, post in reversed(self.newest[-limit:])])

    def month_tail(
        self, month: Month, since: str, start_at: Callable[[int, int], int]
    ) -> ListingTail[PostSummary]:
        year, number = month
        start = datetime(year, number, 1, tzinfo=UTC)
        end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)
        low = bisect.bisect_left(self.newest, (start, ""))
        high = bisect.bisect_left(self.newest, (end, ""))
        return _tail(self.newest[low:high], since, start_at)

    def months(self) -> Sequence[tuple[int, int]]:
        return sorted(self.month_counts, reverse=True)

    def window(self, place: str, older: int, newer: int, passing: str | None = None) -> Window:
        """As the index's queries read it: from the place outwards, never a copy of the
        whole site's list."""
        listed = self.newest
        at = bisect.bisect_left(listed, place, key=lambda item: order_key(item[0], item[1]))
        before = (listed[i][2] for i in range(at - 1, -1, -1) if listed[i][1] != passing)
        after = (listed[i][2] for i in range(at, len(listed)) if listed[i][1] != passing)
        return Window(tuple(islice(before, older)), tuple(islice(after, newer)))

    def tag_tail(
        self, tag: str, since: str, start_at: Callable[[int, int], int]
    ) -> ListingTail[TagEntry]:
        return _tail(self.tag_orders[tag], since, start_at)

    # `pressroom rebuild`'s side of the catalog (published_posts, tags) is never called here;
    # `tags` is the in-memory index's own field.


def _tail(
    listed: Sequence[tuple[datetime, str, _Item]], since: str, start_at: Callable[[int, int], int]
) -> ListingTail[_Item]:
    """A listing's tail as the index's query and count give it (`PostCatalog.month_tail`)."""
    older = bisect.bisect_left(listed, since, key=lambda item: order_key(item[0], item[1]))
    start = start_at(older, len(listed))
    return ListingTail(start, tuple(item for _, _, item in listed[start:]))


class MemoryDocuments:
    def __init__(self) -> None:
        self.documents: dict[str, PostDocument] = {}

    def put(self, document: PostDocument) -> None:
        self.documents[document.document_key] = document

    def get(self, key: str) -> PostDocument:
        return self.documents[key]


class MemorySiteStore:
    """Keeps only each object's size: the bytes themselves are not what is measured. Keys
    are kept sorted, so a listing by prefix costs what S3's does (the keys it returns), not
    a pass over every key of the site."""

    def __init__(self) -> None:
        self.sizes: dict[str, int] = {}
        self.small: dict[str, bytes] = {}
        """Bodies of the objects a renderer reads back (tag cards), which are all small."""
        self.sorted_keys: list[str] = []

    def put(
        self, key: str, body: bytes, content_type: str, *, redirect_to: str | None = None
    ) -> None:
        if key not in self.sizes:
            bisect.insort(self.sorted_keys, key)
        self.sizes[key] = len(body)
        if len(body) <= 1024:
            self.small[key] = body

    def delete(self, key: str) -> None:
        if self.sizes.pop(key, None) is not None:
            del self.sorted_keys[bisect.bisect_left(self.sorted_keys, key)]
        self.small.pop(key, None)

    def get(self, key: str) -> bytes | None:
        return self.small.get(key)

    def keys(self, prefix: str) -> Iterator[str]:
        start = bisect.bisect_left(self.sorted_keys, prefix)
        found = takewhile(lambda key: key.startswith(prefix), islice(self.sorted_keys, start, None))
        return iter(list(found))


@dataclass(frozen=True)
class PureRun:
    posts: int
    batch_size: int
    seconds: float
    objects_written: int

    @property
    def per_post(self) -> float:
        return self.seconds / self.posts


class PurePipeline:
    """One site in memory: the validator's, indexer's and renderer's services over
    in-memory adapters, publishing batches as the renderer's stream would deliver them."""

    def __init__(self) -> None:
        self.site = MemorySite()
        self.documents = MemoryDocuments()
        self.store = MemorySiteStore()
        self.indexer = IndexerService(index=self.site, schedules=self.site.schedules)
        self.renderer = RendererService(
            catalog=self.site,
            documents=self.documents,
            site=self.store,
            config=SiteConfig(base_url="https://news.example.org/"),
            theme=Theme(DEFAULT_THEME),
        )
        self.now = datetime.now(UTC)
        self.published = 0

    def index(self, key: str, raw: bytes) -> list[PostChange]:
        """Validate and index one source; the changes to its post items."""
        self.published += 1
        outcome = validate_post(raw, key, first_seen=self.now)
        if outcome.document is None:
            raise AssertionError(f"{key}: {outcome.errors}")
        self.documents.put(outcome.document)
        plan = self.indexer.handle(
            IndexMessage(
                action="upsert",
                source_key=key,
                sequencer=f"{self.published:016X}",
                event_time=self.now,
                post=outcome.document.summary(),
            )
        )
        return [
            PostChange(old=_post(plan.read.get(k)), new=_post(record))
            for k, record in plan.writes.items()
            if isinstance(k, PostKey)
        ]

    def render(self, changes: list[PostChange]) -> None:
        """One renderer batch: the posts' pages, then their listings."""
        for change in changes:
            self.renderer.render_post(change)
        self.renderer.render_listings(plan_listings(changes))


def run_pure(posts: list[Post], batch_size: int = 1) -> PureRun:
    """Publish `posts`, `batch_size` at a time (one renderer batch each); the time of the
    whole, and per post."""
    forget_rendered_bodies()  # each run renders every body it publishes
    sources = [(post.key, post.pressroom_source().encode()) for post in posts]
    pipeline = PurePipeline()
    started = time.perf_counter()
    for first in range(0, len(sources), batch_size):
        changes: list[PostChange] = []
        for key, raw in sources[first : first + batch_size]:
            changes += pipeline.index(key, raw)
        pipeline.render(changes)
    seconds = time.perf_counter() - started
    return PureRun(
        posts=len(sources),
        batch_size=batch_size,
        seconds=seconds,
        objects_written=len(pipeline.store.sizes),
    )


def _remove(listing: list[_Listed] | list[_Tagged], date: datetime, slug: str) -> None:
    # (date, slug) sorts just before the one item listed under it.
    position = bisect.bisect_left(listing, (date, slug))
    assert listing[position][1] == slug
    del listing[position]


def _post(record: object) -> PostRecord | None:
    return record if isinstance(record, PostRecord) else None
