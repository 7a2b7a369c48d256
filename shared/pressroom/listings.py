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

Parts are counted from a listing's oldest post, so a part, once full, keeps
its posts as newer ones arrive: a change at a post's place in a listing
rewrites the parts from there to the newest (`ListingTail`), not the
listing. A request carries that place (`since`), the earliest a batch
changed, so a new post costs its listings' newest parts whatever their
length.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, NamedTuple, TypeVar

from pressroom.indexing import Month, PostRecord, month_of
from pressroom.models import AssetSummary, PageLink, PostSummary, format_instant
from pressroom.permalinks import Placing
from pressroom.slugs import category_key, tag_key

__all__ = [
    "AssetChange",
    "ListingPlan",
    "ListingTail",
    "Month",
    "Neighbours",
    "PostChange",
    "Window",
    "chunks",
    "coalesce",
    "earliest_requests",
    "listing_name",
    "listing_requests",
    "month_of",
    "order_key",
    "part_start",
    "plan_listings",
    "rewrite_from",
]

_Listed = TypeVar("_Listed")


def order_key(date: datetime, slug: str) -> str:
    """A post's place in every listing, compared as text: by date, then by slug. The index
    sorts its month and tag entries by it."""
    return f"{format_instant(date)}#{slug}"


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
    def was_listed(self) -> PostSummary | None:
        """The post as listings showed it before the change, if they did."""
        return self.old.listed if self.old is not None else None

    @property
    def listed(self) -> PostSummary | None:
        """The post as listings show it after the change, if they do (a page they do not)."""
        return self.new.listed if self.new is not None else None

    def pages(self, drafts: bool = False) -> tuple[PostSummary | None, PostSummary | None]:
        """The post as its page showed it before the change and shows it after, None where
        there is no page: a published post has one, and with `drafts` (a preview, never a
        deployed site) a draft too. Listings never show a draft (`listed`)."""
        return page_of(self.old, drafts), page_of(self.new, drafts)

    @property
    def moves_beside_others(self) -> bool:
        """Whether the posts beside it show it anew: it joined, left, moved or was
        retitled (`ListingPlan.around`)."""
        return _as_neighbour(self.was_listed) != _as_neighbour(self.listed)

    @property
    def unpublishes(self) -> bool:
        return self.was is not None and self.published is None

    @property
    def creates_item(self) -> bool:
        return self.old is None

    @property
    def changes_pages(self) -> bool:
        """Whether the site's set of pages changed (its pages sitemap lists them)."""
        was, now = (_page_link(record) for record in (self.old, self.new))
        return was != now

    @property
    def changes_navigation(self) -> bool:
        """Whether a page's entry in the site's navigation changed: every page shows it."""
        was, now = (_menu_entry(_page_link(record)) for record in (self.old, self.new))
        return was != now

    @property
    def chain(self) -> str:
        """A name for the re-render a change of the navigation starts (`SiteChange.chain`)."""
        entries = [repr(_menu_entry(_page_link(record))) for record in (self.old, self.new)]
        return _chain_name(*entries, self.slug)


def _chain_name(*parts: str) -> str:
    """A re-render chain's name: a hash of what changed, with no `@` (`site_pages_request`)."""
    return hashlib.sha256(" ".join(parts).encode()).hexdigest()[:16]


def _page_link(record: PostRecord | None) -> PageLink | None:
    page = record.page if record is not None else None
    if page is None:
        return None
    return PageLink.from_item(page.model_dump())


def _menu_entry(page: PageLink | None) -> tuple[str, int | None, str] | None:
    if page is None or page.menu_name is None:
        return None
    return (page.menu_name, page.menu_weight, page.page_path)


def page_of(record: PostRecord | None, drafts: bool) -> PostSummary | None:
    """What a post item's page shows: its published post, and in a preview a draft or a
    scheduled post too (`PostRecord.previewed`)."""
    if record is None:
        return None
    previewed = record.previewed if drafts else None
    return previewed if previewed is not None else record.published


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
class SiteChange:
    """A configuration file's item before and after one index write."""

    old: PostRecord | None
    new: PostRecord | None

    @property
    def changes_settings(self) -> bool:
        """Whether what the file sets changed, or it began or stopped counting (published or
        gone). Which file counts is the renderer's to read; a change to any may change it."""
        was = self.old.published_site if self.old is not None else None
        now = self.new.published_site if self.new is not None else None
        return (was.content_hash if was else None) != (now.content_hash if now else None)

    @property
    def chain(self) -> str:
        """A name for the re-render this change starts, unlike another change's (a retried
        record's is the same), with no `@`, which ends a listing's name."""
        hashes = [
            record.published_site.content_hash if record and record.published_site else ""
            for record in (self.old, self.new)
        ]
        record = self.new or self.old
        return _chain_name(*hashes, record.slug if record is not None else "")


@dataclass(frozen=True)
class ListingPlan:
    """The listings one batch re-renders."""

    home: bool
    """The home page and the feed (the newest posts)."""
    months: Mapping[Month, str]
    """Each month with the earliest place (`order_key`) a post left or joined it at; `""`
    for the whole month."""
    tags: Mapping[str, str]
    """Each tag and category (its key) with the earliest place a post left or joined it
    at."""
    new_items: bool
    """A post item appeared: the site's fixed files and indexes (sitemap and search
    indexes, archive, 404 page) are written then if the site has none yet, so that they
    exist whatever order the events came in."""
    around: frozenset[str] = frozenset()
    """Places (`order_key`) a post joined, left, or was retitled at: the posts on either
    side of each link to it as their newer or older post, and are rendered again."""
    indexes: bool = False
    """The site's fixed files and indexes written anew: its settings or its set of pages
    changed."""


class Neighbours(NamedTuple):
    """A post's older and newer posts in the site's order (its `order_key`), which its page
    links to; None at either end."""

    older: PostSummary | None = None
    newer: PostSummary | None = None


class NewestPosts(NamedTuple):
    """The site's newest published posts, newest first, as far as a read of them went."""

    posts: Sequence[PostSummary]
    cut_short: bool = False
    """The months it might read ran out before its limit, with months left unread: the
    list goes on somewhere past them."""


class Window(NamedTuple):
    """The listed posts nearest a place in the site's order, nearest first on each side:
    `older` before it, `newer` from it on (the post at the place, if any, first)."""

    older: tuple[PostSummary, ...]
    newer: tuple[PostSummary, ...]

    def neighbours(self) -> Neighbours:
        """Of a post at the place (read passing it)."""
        return Neighbours(next(iter(self.older), None), next(iter(self.newer), None))

    def around(self, place: str) -> Window:
        """The window a read of two older and three newer at `place` gives, cut from this
        one, which spans it (`spans`)."""
        ordered = [*reversed(self.older), *self.newer]
        # In the site's order, so a search: each key is written out (`order_key`) for the
        # few posts it compares, not for every post of a window of 48.
        at = bisect.bisect_left(ordered, place, key=_order_key)
        return Window(
            older=tuple(reversed(ordered[max(at - 2, 0) : at])), newer=tuple(ordered[at : at + 3])
        )

    def spans(self, place: str, read_newer: int) -> bool:
        """Whether this window, read with `read_newer` newer posts, holds all `around(place)`
        needs: three posts from `place` on, or every post there is (the read found fewer
        than it asked for). `place` is at or after the place it was read at."""
        if len(self.newer) < read_newer:
            return True
        # `newer` is in the site's order: three posts from `place` on are there exactly
        # when the third from the end is.
        return len(self.newer) >= 3 and _order_key(self.newer[-3]) >= place

    def beside(self, place: str) -> list[tuple[PostSummary, Neighbours]]:
        """The post at `place`, if any, and the posts on either side of it, each with its
        own neighbours as this window shows them: read two older and three newer, as a
        post at the place hides the third."""
        first = self.newer[0] if self.newer else None
        at = first if first and order_key(first.date, first.slug) == place else None
        newer = self.newer[1:] if at is not None else self.newer
        older = self.older
        pages = []
        if older:
            pages.append((older[0], Neighbours(_at(older, 1), at or _at(newer, 0))))
        if at is not None:
            pages.append((at, Neighbours(_at(older, 0), _at(newer, 0))))
        if newer:
            pages.append((newer[0], Neighbours(at or _at(older, 0), _at(newer, 1))))
        return pages


def _order_key(post: PostSummary) -> str:
    return order_key(post.date, post.slug)


def _at(posts: tuple[PostSummary, ...], index: int) -> PostSummary | None:
    return posts[index] if index < len(posts) else None


def plan_listings(changes: Iterable[PostChange]) -> ListingPlan:
    home = new_items = False
    months: dict[Month, str] = {}
    tags: dict[str, str] = {}
    around: set[str] = set()
    for change in changes:
        if change.moves_beside_others:
            around |= {
                order_key(post.date, post.slug)
                for post in (change.was_listed, change.listed)
                if post is not None
            }
        # A new post item (even a draft's or a tombstone's) renders the home page too, so
        # every site that has ever had a post has one, however its events were ordered.
        new_items |= change.creates_item
        home |= change.creates_item
        if _as_listed(change.was_listed) == _as_listed(change.listed):
            continue
        home = True
        for post in (change.was_listed, change.listed):
            if post is not None:
                place = order_key(post.date, post.slug)
                _keep_earliest(months, month_of(post), place)
                for key in (*map(tag_key, post.tags), *map(category_key, post.categories)):
                    _keep_earliest(tags, key, place)
    return ListingPlan(
        home=home, months=months, tags=tags, new_items=new_items, around=frozenset(around)
    )


_Listing = TypeVar("_Listing")

_NOT_LISTED = frozenset(
    {"content_hash", "source_key", "layout", "permalink", "aliases", "dated_by_upload"}
    | {"menu_name", "menu_weight", "former_places"}
)
"""What no listing, feed, sitemap or search shard shows of a post: an edit of these alone
(the body, most often, which `content_hash` stands for) rewrites its page and no listing."""


def _as_neighbour(post: PostSummary | None) -> tuple[str, str, str] | None:
    """What a post's neighbours show of it: its place, its title, its URL."""
    return (order_key(post.date, post.slug), post.title, post.page_path) if post else None


def _as_listed(post: PostSummary | None) -> dict[str, object] | None:
    return post.model_dump(exclude=set(_NOT_LISTED)) if post is not None else None


def _keep_earliest(since: dict[_Listing, str], listing: _Listing, place: str) -> None:
    since[listing] = min(since.get(listing, place), place)


NEWEST = "newest"
"""The request for the home page and the feed."""
SITE_INDEXES = "site-indexes"
"""The request for the site's fixed files and the indexes of its month files."""
SITE_INDEXES_IF_MISSING = "site-indexes-if-missing"
"""The same, written only if the site has none yet: what a new post item asks for."""
_MONTH = "month:"
_TAG = "tag:"
_AROUND = "around:"
"""The posts on either side of a place: `around:<order_key>`."""
SITE_PAGES = "pages:"
"""A step of re-rendering every page after the site's settings changed:
`pages:<chain>@<where the index scan goes on>` (`RendererService.render_site_pages`)."""
_SINCE = "@"
"""Between a listing and the place it changed from: no tag key or month name holds it."""


def listing_requests(plan: ListingPlan) -> list[str]:
    """The plan as listing-queue messages, one a listing: `newest`, `month:2024-05@<place>`,
    `tag:<key>@<place>`, `around:<place>`, `site-indexes`, `site-indexes-if-missing`; a
    month or tag without `@` is asked for whole."""
    requests = [NEWEST] if plan.home else []
    requests += [
        f"{_MONTH}{year:04d}-{month:02d}{_SINCE}{since}"
        for (year, month), since in sorted(plan.months.items())
    ]
    requests += [f"{_TAG}{tag}{_SINCE}{since}" for tag, since in sorted(plan.tags.items())]
    requests += [f"{_AROUND}{place}" for place in sorted(plan.around)]
    if plan.indexes:
        requests.append(SITE_INDEXES)
    if plan.new_items:
        requests.append(SITE_INDEXES_IF_MISSING)
    return requests


def site_pages_request(chain: str, cursor: str = "") -> str:
    """A step of a site-wide re-render; `cursor` empty for the first. The chain names it
    apart from any other, so that two re-renders never merge into one."""
    return f"{SITE_PAGES}{chain}{_SINCE}{cursor}"


def month_request(month: Month) -> str:
    """A whole month's listing."""
    return f"{_MONTH}{month[0]:04d}-{month[1]:02d}"


def tag_request(tag: str) -> str:
    """A whole tag's listing."""
    return f"{_TAG}{tag}"


PAGE = "page:"
"""A post's page that a stream batch had no time for: `page:<slug>`."""


def page_request(slug: str) -> str:
    return f"{PAGE}{slug}"


def is_page_request(request: str) -> bool:
    return request.startswith(PAGE)


def page_request_slug(request: str) -> str:
    return request.removeprefix(PAGE)


def is_around_request(request: str) -> bool:
    return request.startswith(_AROUND)


def around_place(request: str) -> str:
    return request.removeprefix(_AROUND)


def is_site_pages(request: str) -> bool:
    return request.startswith(SITE_PAGES)


def site_pages_chain(request: str) -> str:
    return request.partition(_SINCE)[0].removeprefix(SITE_PAGES)


_FORMER = "~"
"""Between a re-render chain's name and the placing of posts it moves them from."""


def moving_chain(chain: str, former: Placing | None) -> str:
    """A chain that also leaves a redirect at each post's URL under `former`, the post URL
    style and time zone the site had (`RendererService.former_placing`): URL-safe base64
    of its JSON, which holds no `@`."""
    if former is None:
        return chain
    text = json.dumps(former._asdict(), separators=(",", ":")).encode()
    return f"{chain}{_FORMER}{base64.urlsafe_b64encode(text).decode()}"


def chain_former_placing(chain: str) -> Placing | None:
    written = chain.partition(_FORMER)[2]
    if not written:
        return None
    return Placing(**json.loads(base64.urlsafe_b64decode(written)))


def site_pages_cursor(request: str) -> str:
    return request.partition(_SINCE)[2]


def coalesce(requests: Iterable[str]) -> ListingPlan:
    """The listings that any of `requests` asks for, each once, from the earliest place any
    asks from; ValueError names a request that is none of `listing_requests`'s."""
    home = new_items = indexes = False
    months: dict[Month, str] = {}
    tags: dict[str, str] = {}
    around: set[str] = set()
    for request in requests:
        listing, _, since = request.partition(_SINCE)
        if is_around_request(request):
            around.add(around_place(request))
        elif request == NEWEST:
            home = True
        elif request == SITE_INDEXES:
            indexes = True
        elif request == SITE_INDEXES_IF_MISSING:
            new_items = True
        elif listing.startswith(_MONTH):
            year, month = listing.removeprefix(_MONTH).split("-")
            _keep_earliest(months, (int(year), int(month)), since)
        elif listing.startswith(_TAG) and len(listing) > len(_TAG):
            _keep_earliest(tags, listing.removeprefix(_TAG), since)
        else:
            raise ValueError(f"not a listing request: {request[:80]!r}")
    return ListingPlan(
        home=home,
        months=months,
        tags=tags,
        new_items=new_items,
        around=frozenset(around),
        indexes=indexes,
    )


def earliest_requests(requests: Iterable[str]) -> dict[str, str]:
    """Each listing `requests` ask for, by name (`tag:php`), with the one of its requests
    that asks from the earliest place: rendering that one renders what all of them ask."""
    earliest: dict[str, str] = {}
    for request in requests:
        name, _, since = request.partition(_SINCE)
        if name not in earliest or since < earliest[name].partition(_SINCE)[2]:
            earliest[name] = request
    return earliest


def listing_name(request: str) -> str:
    """The listing a request asks for, without the place it asks from: `tag:php`."""
    return request.partition(_SINCE)[0]


@dataclass(frozen=True)
class ListingTail(Generic[_Listed]):
    """A listing's posts from the one at `start` (its place counted from the oldest, from
    0) to the newest: what rewriting its parts from `start` on needs, and how long the
    listing is, which its links need."""

    start: int
    posts: tuple[_Listed, ...]
    """Oldest first."""

    @property
    def total(self) -> int:
        return self.start + len(self.posts)

    def newest_first(self, first: int, end: int) -> list[_Listed]:
        """The posts at places `first` to `end` (not included), newest first."""
        if first < self.start:
            raise ValueError(f"place {first} is before this tail, which starts at {self.start}")
        return list(self.posts[first - self.start : end - self.start][::-1])


def rewrite_from(older: int, total: int, size: int) -> int:
    """Where a listing's pages of `size` posts must be written again from, after a change
    to it at a place with `older` posts before it: the start of the page that holds that
    place, or of the page before the last numbered one if that is earlier (its link to the
    newer pages may have changed with the listing's length). The listing's first page, its
    newest `size` posts, always starts after."""
    numbered = numbered_pages(total, size)
    page = max(1, min(older // size + 1, numbered - 1))
    return (page - 1) * size


def numbered_pages(total: int, size: int) -> int:
    """How many pages, beyond its first, a listing of `total` posts has: every post not on
    the first page is on a page of `size`, counted from the oldest and always full (so
    the first page may show some of the newest numbered page's posts again)."""
    return max(0, -(-total // size) - 1)


def part_start(older: int, size: int) -> int:
    """Where a listing's files of `size` posts (a sitemap's, a search index's) must be
    written again from, after a change at a place with `older` posts before it."""
    return older // size * size


def chunks(items: Sequence[_Listed], size: int) -> list[Sequence[_Listed]]:
    """`items` in order, `size` at a time (the last part may hold fewer); none for none."""
    if size < 1:
        raise ValueError(f"a part holds at least one item, not {size}")
    return [items[start : start + size] for start in range(0, len(items), size)]
