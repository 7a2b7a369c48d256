"""The roles AWS plays for Pressroom. Adapters in `pressroom.adapters` fill them with boto3."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from pressroom.models import (
    AssetSummary,
    CopySource,
    IndexMessage,
    PageLink,
    PostDocument,
    PostSummary,
    SiteSource,
)

if TYPE_CHECKING:
    # Annotations only: the validator, which reads no index, never builds the planner's models.
    from pressroom.indexing import (
        IndexPlan,
        ItemKey,
        Month,
        PostRecord,
        Release,
        Stored,
        TagEntry,
    )
    from pressroom.listings import ListingTail, NewestPosts, Window


@dataclass(frozen=True)
class SourceObject:
    """A source file as the content bucket holds it."""

    key: str
    size: int
    body: bytes | None
    """None when the object is over the size limit: its body was never read. Fetched not
    `whole`: its first bytes only."""
    version_id: str | None = None
    """The version read, where the bucket keeps versions: the one an asset's copy takes."""


class ContentStore(Protocol):
    def fetch(
        self, key: str, *, max_bytes: int, version_id: str | None = None, whole: bool = True
    ) -> SourceObject | None:
        """The object, or None when it no longer exists (a removal event will follow). Not
        `whole`: its size and first `max_bytes` bytes, the rest never read."""
        ...


class DocumentStore(Protocol):
    def put(self, document: PostDocument) -> None: ...

    def get(self, key: str) -> PostDocument: ...

    def put_asset(self, body: bytes, content_hash: str, content_type: str) -> CopySource:
        """Store an asset as the validator rewrote it (a sanitised SVG); where it is."""
        ...


class IndexQueue(Protocol):
    def send(self, messages: Sequence[IndexMessage]) -> dict[int, str]:
        """Send them all, as few requests as the queue allows; the positions of those that
        were not sent, with why."""
        ...


class ListingQueue(Protocol):
    def request(self, requests: Sequence[str], *, failures: int = 0) -> None:
        """Ask for each listing (`pressroom.listings.listing_requests`) to be rendered, as
        listings that have failed `failures` times before; raise TransientStoreError if any
        request could not be sent."""
        ...


class PostIndex(Protocol):
    """The index as the indexer sees it: read what an event may change, then change it."""

    def read(self, keys: Iterable[ItemKey]) -> dict[ItemKey, Stored | None]:
        """The items at `keys` with their stored versions, read consistently; None for an
        item that does not exist."""
        ...

    def apply(self, plan: IndexPlan) -> None:
        """Write the plan in one transaction; raise ConcurrentWriteError if the read state moved."""
        ...


class ReleaseSchedule(Protocol):
    """One-time schedules that send the indexer a release at a post's publish or expiry
    time (`indexing`, rule 8)."""

    def schedule(self, release: Release) -> None:
        """Make sure a schedule exists for `release`: one already there is left as it is."""
        ...

    def cancel(self, release: Release) -> None:
        """Remove the schedule for `release`, if it is still there."""
        ...


class PostCatalog(Protocol):
    """The index as the renderer sees it: listings, newest first, read consistently (every
    write committed before the call is in the answer)."""

    def newest_posts(
        self, limit: int, *, at_least: int | None = None, more_months: int = 0
    ) -> NewestPosts:
        """The newest published posts, at most `limit`, walking the months from the newest
        down: every month it takes to find `at_least` of them (default: `limit`), then at
        most `more_months` months more, counting months with posts only, so that the
        answer depends on the posts alone."""
        ...

    def post(self, slug: str) -> PostRecord | None:
        """The post item of a slug (its owner's post, or a tombstone); None if never claimed."""
        ...

    def month_tail(
        self, month: Month, since: str, start_at: Callable[[int, int], int]
    ) -> ListingTail[PostSummary]:
        """A month's published posts from place `since` (`listings.order_key`; `""` for
        all) to the newest, and before them as many as `start_at(older, total)` asks for:
        `older` posts come before `since`, `total` in all; it returns where the tail must
        start."""
        ...

    def tag_tail(
        self, tag: str, since: str, start_at: Callable[[int, int], int]
    ) -> ListingTail[TagEntry]:
        """The posts carrying a tag (its key), as `month_tail` reads a month's."""
        ...

    def months(self) -> Sequence[Month]:
        """Every month with published posts."""
        ...

    def window(self, place: str, older: int, newer: int, passing: str | None = None) -> Window:
        """The listed posts nearest place `place` (`listings.order_key`) in the site's
        order, whatever their months: up to `older` before it and `newer` from it on (the
        post at the place first, if there is one), nearest first. The post `passing` names
        (by slug) is never one: a page rendered from a post's older version must not link
        to the post itself at its newer place."""
        ...

    # For `pressroom rebuild`, the one step that reads the whole index.

    def published_posts(self) -> Iterable[PostSummary]: ...

    def draft_posts(self) -> Iterable[PostSummary]:
        """The drafts and scheduled posts, as a preview shows them (`PostRecord.previewed`):
        a preview's rebuild renders them."""
        ...

    def published_count(self) -> int: ...

    def published_assets(self) -> Iterable[AssetSummary]: ...

    def tags(self) -> Iterable[str]: ...

    # The site's configuration, read once an invocation, and a site-wide re-render when it
    # changes, a step at a time.

    def site_entries(self) -> SiteEntries:
        """What every page shows: the site's settings and its pages, in one read."""
        ...

    def scan_step(self, cursor: str, limit: int) -> ScanStep:
        """The next `limit` items of the whole index from `cursor` (`""`: the first)."""
        ...


@dataclass(frozen=True)
class SiteEntries:
    settings: SiteSource | None
    """The configuration file that counts (`models.CONFIG_SOURCES`), as published."""
    pages: tuple[PageLink, ...]
    """The site's published pages, at most MAX_PAGES_LISTED."""
    sources: tuple[SiteSource, ...] = ()
    """Every published configuration file, `settings` among them: which counted before a
    change is read from them (`RendererService.former_placing`)."""


@dataclass(frozen=True)
class ScanStep:
    """What one step of a scan of the index met."""

    published: tuple[PostSummary, ...]
    drafts: tuple[PostSummary, ...]
    tags: frozenset[str]
    """Keys of the tags whose entries it met."""
    months: frozenset[Month]
    """Months whose markers it met."""
    cursor: str | None
    """Where the next step goes on; None: the scan is done."""


SITE_READS_AT_ONCE = 16
"""The most `SiteStore.get` calls a service makes at once, on threads of its own (the
renderer reads a tags index's cards so): the adapter's client keeps a connection for each,
or each read past its pool would open one (a TLS handshake) and throw it away."""


class SiteStore(Protocol):
    def put(
        self, key: str, body: bytes, content_type: str, *, redirect_to: str | None = None
    ) -> None:
        """Write the object at `key`. `redirect_to`: a root-relative URL the object is a
        redirect to, kept with it (S3's website redirect location), which the site's
        viewer-response function answers with a 301."""
        ...

    def copy(self, source: CopySource, key: str, content_type: str, cache_control: str) -> None:
        """Publish an object of another bucket at `key`, copied inside S3 (the body never
        passes through the function)."""
        ...

    def delete(self, key: str) -> None: ...

    def get(self, key: str) -> bytes | None:
        """The object's body; None when there is none."""
        ...

    def keys(self, prefix: str) -> Iterator[str]:
        """Every object key that starts with `prefix`."""
        ...
