"""Which listings a batch of index changes touches, and what they list: pure functions.

A listing is re-rendered only if a post it shows (or showed) changed: the
home page and feed for any published post, the archive, sitemap and search
shard of each month a post left or joined, the page of each tag a post
carried or carries. The renderer writes a batch's post pages at once and
asks for its listings on the listing queue, one message a listing
(`listing_requests`); the listing batches that queue delivers gather many
stream batches' requests, and each listing is rendered once a listing batch
(`coalesce`), so a bulk import renders a listing a few times, not once per
post. No listing is one unbounded file: each is split into parts of a fixed
size (`chunks`), pages of a tag or an archive, files of a sitemap or a
search index.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from pressroom.indexing import Month, PostRecord, month_of
from pressroom.models import AssetSummary, PostSummary
from pressroom.slugs import tag_key

__all__ = [
    "AssetChange",
    "ListingPlan",
    "Month",
    "PostChange",
    "chunks",
    "coalesce",
    "listing_requests",
    "month_of",
    "plan_listings",
]

_Listed = TypeVar("_Listed")


@dataclass(frozen=True)
class PostChange:
    """A post item before and after one index write (a DynamoDB stream record)."""

    old: PostRecord | None
    new: PostRecord | None

    @property
    def slug(self) -> str:
        record = self.new or self.old
        assert record is not None
        return record.slug

    @property
    def was(self) -> PostSummary | None:
        """The post as it was published before the change, if it was."""
        return self.old.published if self.old is not None else None

    @property
    def published(self) -> PostSummary | None:
        """The post as it is published after the change, if it is."""
        return self.new.published if self.new is not None else None

    @property
    def needs_page(self) -> bool:
        """The page must be (re)written: newly published, or published with new content."""
        return self.published is not None and self.published != self.was

    @property
    def unpublishes(self) -> bool:
        return self.was is not None and self.published is None

    @property
    def creates_item(self) -> bool:
        return self.old is None


@dataclass(frozen=True)
class AssetChange:
    """An asset item before and after one index write: in no listing, only its own copy."""

    old: PostRecord | None
    new: PostRecord | None

    @property
    def was(self) -> AssetSummary | None:
        return self.old.published_asset if self.old is not None else None

    @property
    def published(self) -> AssetSummary | None:
        return self.new.published_asset if self.new is not None else None


@dataclass(frozen=True)
class ListingPlan:
    """The listings one batch re-renders."""

    home: bool
    """The home page and the feed (the newest posts)."""
    months: frozenset[Month]
    tags: frozenset[str]
    """Tag keys."""
    new_items: bool
    """A post item appeared: the site's fixed files (sitemap and search indexes, 404 page)
    are written then too, so that they exist whatever order the events came in."""


def plan_listings(changes: Iterable[PostChange]) -> ListingPlan:
    home = new_items = False
    months: set[Month] = set()
    tags: set[str] = set()
    for change in changes:
        # A new post item (even a draft's or a tombstone's) renders the home page too, so
        # every site that has ever had a post has one, however its events were ordered.
        new_items |= change.creates_item
        home |= change.creates_item
        if change.was == change.published:
            continue
        home = True
        for post in (change.was, change.published):
            if post is not None:
                months.add(month_of(post))
                tags |= {tag_key(tag) for tag in post.tags}
    return ListingPlan(
        home=home, months=frozenset(months), tags=frozenset(tags), new_items=new_items
    )


NEWEST = "newest"
"""The request for the home page and the feed."""
SITE_INDEXES = "site-indexes"
"""The request for the site's fixed files and the indexes of its month files."""
_MONTH = "month:"
_TAG = "tag:"


def listing_requests(plan: ListingPlan) -> list[str]:
    """The plan as listing-queue messages, one a listing: `newest`, `month:2024-05`,
    `tag:<key>`, `site-indexes`."""
    requests = [NEWEST] if plan.home else []
    requests += [f"{_MONTH}{year:04d}-{month:02d}" for year, month in sorted(plan.months)]
    requests += [f"{_TAG}{tag}" for tag in sorted(plan.tags)]
    if plan.new_items:
        requests.append(SITE_INDEXES)
    return requests


def coalesce(requests: Iterable[str]) -> ListingPlan:
    """The listings that any of `requests` asks for, each once; ValueError names a request
    that is none of `listing_requests`'s."""
    home = new_items = False
    months: set[Month] = set()
    tags: set[str] = set()
    for request in requests:
        if request == NEWEST:
            home = True
        elif request == SITE_INDEXES:
            new_items = True
        elif request.startswith(_MONTH):
            year, month = request.removeprefix(_MONTH).split("-")
            months.add((int(year), int(month)))
        elif request.startswith(_TAG) and len(request) > len(_TAG):
            tags.add(request.removeprefix(_TAG))
        else:
            raise ValueError(f"not a listing request: {request[:80]!r}")
    return ListingPlan(
        home=home, months=frozenset(months), tags=frozenset(tags), new_items=new_items
    )


def chunks(items: Sequence[_Listed], size: int) -> list[Sequence[_Listed]]:
    """`items` in order, `size` at a time (the last part may hold fewer); none for none."""
    if size < 1:
        raise ValueError(f"a part holds at least one item, not {size}")
    return [items[start : start + size] for start in range(0, len(items), size)]
