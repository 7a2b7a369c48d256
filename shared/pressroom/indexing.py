"""The indexer's decisions, as pure functions: what one event does to the index.

S3 delivers events at least once and in no particular order, so every rule
here gives the same index whatever order the events of a history arrive in:

1. Per source key, the newest S3 sequencer decides the file's status; an
   event already seen changes nothing.
2. The file's content is its newest upload or delete that is not invalid:
   an invalid upload records its errors and leaves the last valid version
   published, even when that version's event arrives after the invalid one.
3. A slug has one owner. Of the files whose content claims a slug, the one
   first uploaded owns it (ties go to the smaller key); the others wait with
   status `conflict` and an error naming the owner. When the owner is deleted
   or moves to another slug, the next claimant is published; only the old
   and the new owner's statuses change, however many files wait.
4. Every slug ever claimed has a post item. When no file claims it any more
   the item becomes a tombstone, and the renderer sees the page go.
5. Content that did not change writes no post item, so nothing is rendered
   again.
6. A post with no date is dated by its file's first upload, the same for
   every re-upload.
7. A static file (an asset) follows the same rules, its URL path standing for
   a slug: the name it claims is `/<site path>`, which no slug can be, so one
   file owns a site path (`static/a.png` and `a.png` contest `/a.png`), the
   next takes over when it goes, and a path no file claims keeps a tombstone.
   An asset has no tag or month entries. Files the site never publishes
   (`_drafts/`, another generator's folders) are recorded as `ignored`.
8. A post is public from its publish date (`publishDate`, else its date) until its
   expiry, if it has one. Before, it is `scheduled`; after, `expired`: claimed and
   indexed, on no page. Each plan projects the slugs it touches at the time it is made,
   and a post item whose state will change by itself names when (`PostRecord.changes_at`):
   the indexer keeps a one-time schedule for that moment, which sends it a release
   (`plan_release`) that projects the slug again. A release only re-reads the slug's owner,
   so one that comes late, twice, or for a time the post has left changes nothing. A time
   written without a zone is in the site's time zone (`SiteZone`), read from its
   configuration only when a plan meets such a time within a day of now or later.

Each event reads a few items (its status, the post item and the leading
claims of the slugs it touches), decides, and writes what changed in one
transaction. The transaction is conditional on the stored version number of
every status and post item the decision rests on, never on a value that
today's code recomputes, so a release that adds a field cannot make an old
item unwritable. No item is shared by unrelated posts: claims, tag entries
and month entries are one item per post, owned by the item that decides
them (a claim by its file's status; entries by their slug's post item), and
each slug's post item serialises every change of that slug's claims. A plan
touches at most two slugs and three status items, so it fits a transaction
whatever authors upload (`MAX_PLAN_ITEMS`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal, NamedTuple, TypeVar

from pydantic import Field

from pressroom.models import (
    MAX_FORMER_PLACES,
    AssetSummary,
    Frozen,
    IndexMessage,
    Issue,
    Place,
    PostSummary,
    ReleaseMessage,
    SiteSource,
    UtcDatetime,
    ValidationOutcome,
    section_path,
)
from pressroom.slugs import category_key, tag_key

PostStatus = Literal["published", "draft", "scheduled", "expired", "deleted"]
SourceStatusName = Literal[
    "published", "draft", "scheduled", "expired", "invalid", "deleted", "conflict", "ignored"
]
Outcome = Literal["applied", "unchanged", "stale", "duplicate", "conflict"]
Month = tuple[int, int]
"""(year, month), e.g. (2020, 10)."""
Content = PostSummary | AssetSummary | SiteSource
"""What a file's upload claims: a post (under its slug), an asset (under `/<site path>`) or
the site's settings a configuration file holds (under `@<object key>`)."""

SiteZone = Callable[[], str | None]
"""The site's time zone (its configuration's `timezone`; None: UTC), read when asked."""


def in_utc() -> None:
    """The zone of a site whose configuration names none."""
    return


_CLAIMING = frozenset({"published", "draft", "scheduled", "expired", "conflict"})
_NO_CONTENT = frozenset({"invalid", "ignored"})
"""Actions that record an upload's status and leave the file's content as it was."""
"""Statuses that mean the file's newest event is a valid upload, whose slug claim decides them."""


class SeenPlace(Frozen):
    """Where one valid version of a file put its page (`models.Place`), under which slug,
    and the version's sequencer. A version dated by its upload (`date` None) is placed at
    the file's first upload, which an older event may still move."""

    slug: str
    sequencer: str
    path: str | None = None
    date: UtcDatetime | None = None
    date_floats: bool = False
    categories: tuple[str, ...] = ()

    @classmethod
    def of(cls, post: PostSummary, sequencer: str) -> SeenPlace:
        return cls(
            slug=post.slug,
            sequencer=sequencer,
            path=post.path,
            date=None if post.dated_by_upload else post.date,
            date_floats=post.date_floats,
            categories=post.categories,
        )

    @property
    def where(self) -> tuple[object, ...]:
        """The place, whichever version put the page there."""
        return (self.slug, self.path, self.date, self.date_floats, self.categories)

    def place(self, first_seen: datetime) -> Place:
        date = self.date if self.date is not None else first_seen
        return Place(
            path=self.path, date=date, date_floats=self.date_floats, categories=self.categories
        )


class _Seen(NamedTuple):
    """What a file's status keeps of where its versions put its page (`SourceStatus`)."""

    places: tuple[SeenPlace, ...]
    deleted_at: str | None


def seen_places(
    places: Iterable[SeenPlace], deleted_at: str | None, limit: int = MAX_FORMER_PLACES + 1
) -> tuple[SeenPlace, ...]:
    """Each place once, at its newest version, none from before the file's last delete;
    the `limit` newest, oldest first. A function of the set of versions seen, so any
    delivery order of the file's events keeps the same places: a version older than
    every one kept can only be older than those a delete drops."""
    newest: dict[tuple[object, ...], SeenPlace] = {}
    for place in places:
        if deleted_at is not None and place.sequencer < deleted_at:
            continue
        kept = newest.get(place.where)
        if kept is None or place.sequencer > kept.sequencer:
            newest[place.where] = place
    return tuple(sorted(newest.values(), key=lambda place: place.sequencer)[-limit:])


def former_places(
    places: Iterable[SeenPlace], post: PostSummary, first_seen: datetime
) -> tuple[Place, ...]:
    """The places a file's versions put `post`'s slug's page at, other than `post`'s own:
    its old URLs, each redirecting to the page; the latest MAX_FORMER_PLACES."""
    here = post.place
    found = [seen.place(first_seen) for seen in places if seen.slug == post.slug]
    # Each place is seen once (`seen_places`), but a version dated by its upload and one
    # dated at that very instant are one place: kept where it was seen last.
    latest = reversed(dict.fromkeys(reversed(found)))
    return tuple(place for place in latest if place != here)[-MAX_FORMER_PLACES:]


class SourceStatus(Frozen):
    """The source status item, `pk=SOURCE#<key>`, `sk=STATUS`: what happened to an upload."""

    source_key: str
    status: SourceStatusName
    sequencer: str
    """Sequencer of the newest event seen for this key."""
    event_time: UtcDatetime
    """When that newest event happened."""
    content_sequencer: str | None = None
    """Sequencer of the newest valid upload or delete: the version whose content counts."""
    first_seen: UtcDatetime | None = None
    """The earliest upload of this key: it ranks slug claims and dates undated posts."""
    slug: str | None = None
    """The slug this file's content claims, whether it owns it or waits for it; for an
    asset, its URL path (`/img/cat.png`)."""
    path: str | None = None
    """The page's own site path, where the post has one (`PostSummary.path`)."""
    errors: tuple[Issue, ...] = ()
    warnings: tuple[Issue, ...] = ()
    until: UtcDatetime | None = None
    """When its status changes by itself: a scheduled post's publish time, a published
    post's expiry (`PostRecord.changes_at`)."""
    places: tuple[SeenPlace, ...] = Field(default=(), exclude_if=lambda places: not places)
    """Where its valid versions that were no drafts put their page since its last delete
    (`seen_places`): its claim's post keeps those of its slug as `former_places`."""
    deleted_at: str | None = None
    """Sequencer of its newest delete: no version before it leaves an old URL."""


class Claim(Frozen):
    """One file's claim on a slug: its current valid content."""

    source_key: str
    first_seen: UtcDatetime
    post: Content

    @property
    def rank(self) -> tuple[datetime, str]:
        """Lower ranks first: the file uploaded first owns the slug."""
        return (self.first_seen, self.source_key)


class LeadingClaims(Frozen):
    """The first claims on a slug in rank order (at most two: the owner and the next)."""

    slug: str
    claims: tuple[Claim, ...]

    @property
    def owner(self) -> Claim | None:
        return self.claims[0] if self.claims else None


LEADING_CLAIMS = 2
"""Enough to know a slug's owner after any one file's claim moves: if the owner leaves, the
next in rank takes over; any other change only compares the file with the owner."""


class PostRecord(Frozen):
    """The post item, `pk=POST#<slug>`, `sk=POST`: what the slug's page shows; for an asset
    (slug `/<path>`), the asset item `pk=ASSET#<path>`, `sk=ASSET`: what the path serves."""

    slug: str
    status: PostStatus
    post: Content | None = None
    """The owner's post or asset; None for a tombstone."""
    changes_at: UtcDatetime | None = None
    """When this state ends by itself: a scheduled post's publish time, a published
    post's expiry, placed in the site's time zone when it was projected (`_project`).
    The indexer keeps a schedule for it (rule 8). An item written before it was kept is
    read with `changes_in_utc`."""

    @property
    def published(self) -> PostSummary | None:
        """The published post (an asset is no post: it is in no listing)."""
        post = self.post
        return post if self.status == "published" and isinstance(post, PostSummary) else None

    @property
    def listed(self) -> PostSummary | None:
        """The published post, if it belongs in listings (a page does not): what its month
        and tag entries hold."""
        post = self.published
        return post if post is not None and post.listed else None

    @property
    def page(self) -> PostSummary | None:
        """The published page (`kind: page`)."""
        post = self.published
        return post if post is not None and post.kind == "page" else None

    @property
    def site_entry(self) -> PostSummary | SiteSource | None:
        """What its site entry holds, if it has one: a published page, or published site
        settings. Every page shows both (its navigation, its settings), so a renderer reads
        them all in one query."""
        return self.page or self.published_site

    @property
    def previewed(self) -> PostSummary | None:
        """What a preview (`--drafts`) shows beside the published posts: a draft, or a post
        scheduled for later, marked as not public (`draft`) either way, so that its page is
        marked and links to no listing, and is written again once it is public."""
        post = self.post
        if self.status in {"draft", "scheduled"} and isinstance(post, PostSummary):
            return post if post.draft else post.model_copy(update={"draft": True})
        return None

    @property
    def published_asset(self) -> AssetSummary | None:
        post = self.post
        return post if self.status == "published" and isinstance(post, AssetSummary) else None

    @property
    def published_site(self) -> SiteSource | None:
        post = self.post
        return post if self.status == "published" and isinstance(post, SiteSource) else None


class MonthMarker(Frozen):
    """A month that has had published posts, `pk=SITE`, `sk=MONTH#<yyyy-mm>`: where the
    listings look for posts. Never deleted by a post's write (a month that empties keeps its
    marker), so no two unrelated posts ever write it in one moment that matters."""

    year: int
    month: int


class TagEntry(Frozen):
    """A tag item, `pk=TAG#<tag>`, `sk=<iso date>#<slug>`: one line of a tag's page, or of a
    category's."""

    tag: str
    """The tag's key (`slugs.tag_key`), or the category's (`slugs.category_key`)."""
    slug: str
    title: str
    date: UtcDatetime
    description: str | None = None
    name: str | None = None
    """The tag as this post spells it (`Open Source`, `日本語`), which its page shows; None in
    items written before names were kept."""
    path: str | None = None
    """The post's own site path, if it has one (`PostSummary.path`)."""
    excerpt: str | None = None
    """What a listing shows of the post (`PostSummary.excerpt`)."""
    tags: tuple[str, ...] = ()
    """The post's tags, which its entry in a list shows; none in items written before
    entries showed them."""
    date_floats: bool = False
    """`PostSummary.date_floats`: false in items written before entries kept it."""
    categories: tuple[str, ...] | None = None
    """The post's categories, which the site's post URL style may place it by
    (`:categories`); None in items written before entries kept them, whose link is then
    `posts/<slug>/`, which redirects to the page."""
    section: str | None = None
    """`PostSummary.section`."""

    @property
    def page_path(self) -> str:
        return self.path if self.path is not None else section_path(self.slug, self.section)

    @property
    def shown_summary(self) -> str | None:
        return self.excerpt if self.excerpt is not None else self.description


Record = SourceStatus | Claim | LeadingClaims | PostRecord | MonthMarker


class Stored(NamedTuple):
    """An item as read, with the version number it was stored with (0 for items that a
    release before version numbers wrote, and for what is not an item: query results)."""

    record: Record
    version: int


@dataclass(frozen=True)
class SourceKey:
    key: str


@dataclass(frozen=True)
class ClaimKey:
    """One file's claim on a slug, ranked in its sort key."""

    slug: str
    first_seen: datetime
    source_key: str


@dataclass(frozen=True)
class LeadingClaimsKey:
    """Not an item: the first claims of a slug, read by a consistent query after its post
    item (which every change of the slug's claims writes or checks)."""

    slug: str


@dataclass(frozen=True)
class PostKey:
    slug: str


@dataclass(frozen=True)
class MonthMarkerKey:
    year: int
    month: int


ItemKey = SourceKey | ClaimKey | LeadingClaimsKey | PostKey | MonthMarkerKey
_R = TypeVar("_R", SourceStatus, Claim, LeadingClaims, PostRecord, MonthMarker)

CONDITIONED = (SourceKey, PostKey)
"""The items a plan's transaction is conditional on, by stored version. Claims are owned by
their file's status, entries by their post item; leading claims are a query; month markers
are hints a reader double-checks."""


class ItemsNotReadError(Exception):
    """The plan needs items that have not been read yet; read them and plan again."""

    def __init__(self, keys: Iterable[ItemKey]) -> None:
        self.keys = frozenset(keys)
        super().__init__(f"{len(self.keys)} items not read yet")


def month_of(post: PostSummary) -> Month:
    return (post.date.year, post.date.month)


@dataclass
class Snapshot:
    """The items read from the index so far; None for an item that does not exist."""

    items: dict[ItemKey, Stored | None] = field(default_factory=dict)
    consulted: dict[ItemKey, None] = field(default_factory=dict)
    """The keys a plan has asked for, in order: what it rests on, of all that was read."""

    def add(self, items: Mapping[ItemKey, Stored | None]) -> None:
        self.items.update(items)

    def require(self, keys: Iterable[ItemKey]) -> None:
        keys = list(keys)
        self.consulted.update(dict.fromkeys(keys))
        missing = [key for key in keys if key not in self.items]
        if missing:
            raise ItemsNotReadError(missing)

    def versions(self) -> dict[ItemKey, int | None]:
        """The stored version of each status and post item consulted (None: there was none)."""
        versions: dict[ItemKey, int | None] = {}
        for key in self.consulted:
            if isinstance(key, CONDITIONED):
                stored = self.items[key]
                versions[key] = stored.version if stored is not None else None
        return versions

    def source(self, key: str) -> SourceStatus | None:
        return self._get(SourceKey(key), SourceStatus)

    def claim(self, key: ClaimKey) -> Claim | None:
        return self._get(key, Claim)

    def leading_claims(self, slug: str) -> LeadingClaims:
        found = self._get(LeadingClaimsKey(slug), LeadingClaims)
        return found if found is not None else LeadingClaims(slug=slug, claims=())

    def post(self, slug: str) -> PostRecord | None:
        return self._get(PostKey(slug), PostRecord)

    def knows_month(self, month: Month) -> bool:
        """Whether the month's marker was read and exists. A hint: asking is no condition."""
        return self.items.get(MonthMarkerKey(*month)) is not None

    def _get(self, key: ItemKey, kind: type[_R]) -> _R | None:
        self.require([key])
        stored = self.items[key]
        if stored is None:
            return None
        if not isinstance(stored.record, kind):
            raise TypeError(f"{key} holds a {type(stored.record).__name__}, not a {kind.__name__}")
        return stored.record


def keys_to_read_first(message: IndexMessage) -> list[ItemKey]:
    """What a plan for `message` most likely reads: its status, the slug it claims, and,
    for a post to publish, the marker of its month. A new post is planned from this one
    read; a plan that needs more asks for it, and one that needs less is not conditional
    on the rest (see `Snapshot.consulted`)."""
    keys: list[ItemKey] = [SourceKey(message.source_key)]
    if (content := message.content) is not None:
        keys += [PostKey(content.slug), LeadingClaimsKey(content.slug)]
    if message.post is not None and not message.post.draft:
        keys.append(MonthMarkerKey(*month_of(message.post)))
    return keys


class Release(NamedTuple):
    """A moment a slug's post item changes state by itself: a one-time schedule."""

    slug: str
    at: datetime


@dataclass(frozen=True)
class IndexPlan:
    """The writes that apply one event: one transaction, conditional on the stored version
    of every status and post item its decision rests on."""

    outcome: Outcome
    read: Mapping[ItemKey, int | None] = field(default_factory=dict)
    """The stored version of each status and post item the plan rests on (None: absent)."""
    writes: Mapping[ItemKey, Record | None] = field(default_factory=dict)
    """The status and post items that change: their new content, or None to delete them."""
    claims_to_put: tuple[Claim, ...] = ()
    claims_to_delete: tuple[ClaimKey, ...] = ()
    tags_to_put: tuple[TagEntry, ...] = ()
    tags_to_delete: tuple[TagEntry, ...] = ()
    month_entries_to_put: tuple[PostSummary, ...] = ()
    """Lines of the month archives: a published post under its month."""
    month_entries_to_delete: tuple[PostSummary, ...] = ()
    site_entries_to_put: tuple[PostSummary | SiteSource, ...] = ()
    """What every page of the site shows: its pages (for its sitemap and navigation) and
    its settings, one entry each (`PostRecord.site_entry`)."""
    site_entries_to_delete: tuple[PostSummary | SiteSource, ...] = ()
    markers_to_put: tuple[MonthMarker, ...] = ()
    """Months never marked before; written ahead of the transaction, unconditionally."""
    errors: tuple[Issue, ...] = ()
    """The file's errors once the plan is applied, as `pressroom status` shows them: a file
    waiting for a slug is told which file owns it (see `with_current_owner`)."""
    releases: tuple[Release, ...] = ()
    """Schedules the written post items need (rule 8): made before the transaction, so that
    no committed state is without its own; one whose transaction fails fires for nothing."""
    releases_to_cancel: tuple[Release, ...] = ()
    """Schedules of the states the transaction replaces: cancelled once it commits. One left
    behind fires for nothing."""

    def __post_init__(self) -> None:
        unread = [key for key in self.writes if key not in self.read]
        if unread:
            raise ValueError(f"a plan may only write items it has read: {unread}")

    @property
    def transaction_items(self) -> int:
        """Items in the plan's transaction: what DynamoDB's 100 a transaction bounds."""
        return (
            len(self.read)
            + len(self.claims_to_put)
            + len(self.claims_to_delete)
            + len(self.tags_to_put)
            + len(self.tags_to_delete)
            + len(self.month_entries_to_put)
            + len(self.month_entries_to_delete)
            + len(self.site_entries_to_put)
            + len(self.site_entries_to_delete)
        )

    @property
    def writes_anything(self) -> bool:
        return bool(
            self.writes
            or self.claims_to_put
            or self.claims_to_delete
            or self.tags_to_put
            or self.tags_to_delete
            or self.month_entries_to_put
            or self.month_entries_to_delete
            or self.site_entries_to_put
            or self.site_entries_to_delete
        )

    @property
    def posts(self) -> tuple[PostRecord, ...]:
        return tuple(value for value in self.writes.values() if isinstance(value, PostRecord))


def plan_index_write(
    message: IndexMessage,
    snapshot: Snapshot,
    now: datetime | None = None,
    zone: SiteZone = in_utc,
) -> IndexPlan:
    """Decide what `message` does to the index, given the items read so far, at `now`
    (which decides whether a post is scheduled, public or expired: rule 8), with the
    site's time zone where a time written without one needs it.

    Raises ItemsNotReadError, naming every item still needed, when the
    snapshot lacks one; the caller reads them and plans again.
    """
    # A fresh view of the same items, so that the plan's reads are the ones it consulted.
    moment = now if now is not None else datetime.now(UTC)
    return _Planner(message, Snapshot(snapshot.items), moment, zone).plan()


def plan_release(
    release: ReleaseMessage, snapshot: Snapshot, now: datetime, zone: SiteZone = in_utc
) -> IndexPlan:
    """Project a slug again when its schedule fires (rule 8): its owner's post, at the
    scheduled time or now, whichever is later, with the owner's status.

    The schedule fires at its time or after it; taking the later of the two lets a
    release that fires late publish what is due, and one for a time the post has since
    left (an update moved it, a delete removed it) find the post item as it should be.
    """
    snapshot = Snapshot(snapshot.items)
    slug, moment = release.release, max(now, release.at)
    snapshot.require([PostKey(slug), LeadingClaimsKey(slug)])
    before = snapshot.post(slug)
    owner = snapshot.leading_claims(slug).owner
    after = _project(slug, owner, moment, zone)
    if before is None or owner is None or after == before:
        return IndexPlan(outcome="unchanged", read=snapshot.versions())
    changes = _Changes()
    changes.set_post(before, after)
    status = snapshot.source(owner.source_key)
    if status is not None and (restated := _with_ownership(status, owner, moment, zone)) != status:
        changes.writes[SourceKey(owner.source_key)] = restated
    return changes.plan("applied", snapshot, ())


@dataclass
class _Changes:
    """What one plan writes, gathered slug by slug."""

    writes: dict[ItemKey, Record | None] = field(default_factory=dict)
    claims_to_put: list[Claim] = field(default_factory=list)
    claims_to_delete: list[ClaimKey] = field(default_factory=list)
    tags_to_put: list[TagEntry] = field(default_factory=list)
    tags_to_delete: list[TagEntry] = field(default_factory=list)
    month_entries_to_put: list[PostSummary] = field(default_factory=list)
    month_entries_to_delete: list[PostSummary] = field(default_factory=list)
    site_entries_to_put: list[PostSummary | SiteSource] = field(default_factory=list)
    site_entries_to_delete: list[PostSummary | SiteSource] = field(default_factory=list)
    owners: dict[str, Claim | None] = field(default_factory=dict)
    """Each touched slug's owner once the plan is applied."""
    to_restate: set[str] = field(default_factory=set)
    """Files whose status changes with an owner: the slug's old and new owner."""
    releases: list[Release] = field(default_factory=list)
    releases_to_cancel: list[Release] = field(default_factory=list)

    def plan(self, outcome: Outcome, snapshot: Snapshot, errors: tuple[Issue, ...]) -> IndexPlan:
        new_months = dict.fromkeys(
            month_of(post)
            for post in self.month_entries_to_put
            if not snapshot.knows_month(month_of(post))
        )
        return IndexPlan(
            outcome=outcome,
            read=snapshot.versions(),
            writes=self.writes,
            claims_to_put=tuple(self.claims_to_put),
            claims_to_delete=tuple(self.claims_to_delete),
            tags_to_put=tuple(self.tags_to_put),
            tags_to_delete=tuple(self.tags_to_delete),
            month_entries_to_put=tuple(self.month_entries_to_put),
            month_entries_to_delete=tuple(self.month_entries_to_delete),
            site_entries_to_put=tuple(self.site_entries_to_put),
            site_entries_to_delete=tuple(self.site_entries_to_delete),
            markers_to_put=tuple(MonthMarker(year=y, month=m) for y, m in new_months),
            errors=errors,
            releases=tuple(self.releases),
            releases_to_cancel=tuple(self.releases_to_cancel),
        )

    def set_post(self, before: PostRecord | None, after: PostRecord) -> None:
        """Change a post item, and its tag and month entries and its schedule with it."""
        self.writes[PostKey(after.slug)] = after
        was_due, now_due = (before.changes_at if before else None), after.changes_at
        if was_due != now_due:
            if now_due is not None:
                self.releases.append(Release(after.slug, now_due))
            if was_due is not None:
                self.releases_to_cancel.append(Release(after.slug, was_due))
        old_tags = {_tag_item_key(entry): entry for entry in _tag_entries(before)}
        new_tags = {_tag_item_key(entry): entry for entry in _tag_entries(after)}
        self.tags_to_delete += [entry for key, entry in old_tags.items() if key not in new_tags]
        self.tags_to_put += [entry for key, entry in new_tags.items() if old_tags.get(key) != entry]
        was_entry, now_entry = (before.site_entry if before else None), after.site_entry
        if was_entry != now_entry:
            if was_entry is not None and now_entry is None:
                self.site_entries_to_delete.append(was_entry)
            if now_entry is not None:
                self.site_entries_to_put.append(now_entry)
        was = before.listed if before else None
        now = after.listed
        if was == now:
            return
        if was is not None and (now is None or _month_entry_key(was) != _month_entry_key(now)):
            self.month_entries_to_delete.append(was)
        if now is not None:
            self.month_entries_to_put.append(now)


class _Planner:
    def __init__(
        self, message: IndexMessage, snapshot: Snapshot, now: datetime, zone: SiteZone
    ) -> None:
        self.message = message
        self.snapshot = snapshot
        self.key = message.source_key
        self.now = now
        self.zone = zone

    def plan(self) -> IndexPlan:
        message, before = self.message, self.snapshot.source(self.key)
        if before is not None and message.sequencer in {
            before.sequencer,
            before.content_sequencer,
        }:
            return IndexPlan(outcome="duplicate", read=self.snapshot.versions())

        is_newest = before is None or message.sequencer > before.sequencer
        is_new_content = message.action not in _NO_CONTENT and (
            before is None
            or before.content_sequencer is None
            or message.sequencer > before.content_sequencer
        )
        first_seen = _earliest(
            before.first_seen if before else None,
            message.event_time if message.action != "delete" else None,
        )
        old_slug = before.slug if before else None
        current = _claim_key_of(before)
        slugs = _unique(old_slug, self._message_slug())
        self.snapshot.require(
            [key for slug in slugs for key in (PostKey(slug), LeadingClaimsKey(slug))]
            # A stale event keeps the content the file has: read its claim for it.
            + ([current] if current is not None and not is_new_content else [])
        )
        seen = self._seen_after(before)
        claim = self._claim_after(is_new_content, first_seen, current, seen.places)

        changes = _Changes()
        # The message's own slug is touched even when its content is stale: every
        # slug ever claimed keeps a post item, live or tombstone.
        for slug in slugs:
            self._reclaim(slug, current, claim, changes)

        others = sorted(changes.to_restate - {self.key})
        self.snapshot.require([SourceKey(key) for key in others])
        status_after = self._restate(
            self._source_after(before, is_newest, is_new_content, first_seen, claim, seen),
            changes,
        )
        if status_after != before:
            changes.writes[SourceKey(self.key)] = status_after
        for other in others:
            other_before = self.snapshot.source(other)
            other_after = self._restate(other_before, changes) if other_before else None
            if other_after != other_before:
                changes.writes[SourceKey(other)] = other_after
        return changes.plan(
            self._outcome(is_newest, is_new_content, status_after, changes.writes),
            self.snapshot,
            self._shown(status_after, changes).errors,
        )

    def _reclaim(
        self, slug: str, current: ClaimKey | None, claim: Claim | None, changes: _Changes
    ) -> None:
        """Put this file's claim (or its absence) on `slug`, and project the slug's owner."""
        leading = self.snapshot.leading_claims(slug)
        mine = claim if claim is not None and claim.post.slug == slug else None
        ranked = sorted(
            [c for c in leading.claims if c.source_key != self.key] + ([mine] if mine else []),
            key=lambda c: c.rank,
        )
        owner_after = ranked[0] if ranked else None
        changes.owners[slug] = owner_after

        if (
            current is not None
            and current.slug == slug
            and (mine is None or _claim_key(mine) != current)
        ):
            changes.claims_to_delete.append(current)
        if mine is not None and mine != self._claim_before(slug, leading, current):
            changes.claims_to_put.append(mine)

        post_before = self.snapshot.post(slug)
        post_after = _project(slug, owner_after, self.now, self.zone)
        if post_after != post_before:
            changes.set_post(post_before, post_after)
        if _owner_key(leading.owner) != _owner_key(owner_after):
            changes.to_restate |= {c.source_key for c in (leading.owner, owner_after) if c}

    def _claim_before(
        self, slug: str, leading: LeadingClaims, current: ClaimKey | None
    ) -> Claim | None:
        """This file's claim on `slug` as stored, where the plan has read it."""
        if current is None or current.slug != slug:
            return None
        listed = next((c for c in leading.claims if c.source_key == self.key), None)
        if listed is not None:
            return listed
        stored = self.snapshot.items.get(current)
        return stored.record if stored is not None and isinstance(stored.record, Claim) else None

    def _shown(self, status: SourceStatus, changes: _Changes) -> SourceStatus:
        """The status as `pressroom status` will show it once the plan is applied."""
        if status.slug is None or status.slug not in changes.owners:
            return status
        owner = changes.owners[status.slug]
        return with_current_owner(status, _project(status.slug, owner, self.now, self.zone))

    def _restate(self, status: SourceStatus, changes: _Changes) -> SourceStatus:
        """The status with its slug's ownership as this plan leaves it."""
        if status.slug is None or status.slug not in changes.owners:
            return status
        return _with_ownership(status, changes.owners[status.slug], self.now, self.zone)

    def _message_slug(self) -> str | None:
        content = self.message.content
        return content.slug if content is not None else None

    def _seen_after(self, before: SourceStatus | None) -> _Seen:
        """The file's places and its newest delete once the event is seen, whatever its
        age: a version older than the content that counts still had a page somewhere."""
        message = self.message
        places = before.places if before else ()
        deleted_at = before.deleted_at if before else None
        if message.action == "delete":
            deleted_at = max(deleted_at or "", message.sequencer)
        elif isinstance(post := message.content, PostSummary) and not post.draft:
            places = (*places, SeenPlace.of(post, message.sequencer))
        return _Seen(seen_places(places, deleted_at), deleted_at)

    def _claim_after(
        self,
        is_new_content: bool,
        first_seen: datetime | None,
        current: ClaimKey | None,
        places: tuple[SeenPlace, ...],
    ) -> Claim | None:
        """This file's claim once the event is applied: its content's slug, or none; a
        post with the places its slug's page had (`former_places`)."""
        post: Content | None
        if is_new_content:
            post = self.message.content
        else:
            existing = self.snapshot.claim(current) if current is not None else None
            if existing is None:
                return None
            post = existing.post
        if post is None or first_seen is None:
            return None
        if post.dated_by_upload:
            post = post.model_copy(update={"date": first_seen})
        if isinstance(post, PostSummary):
            post = post.model_copy(
                update={"former_places": former_places(places, post, first_seen)}
            )
        return Claim(source_key=self.key, first_seen=first_seen, post=post)

    def _source_after(
        self,
        before: SourceStatus | None,
        is_newest: bool,
        is_new_content: bool,
        first_seen: datetime | None,
        claim: Claim | None,
        seen: _Seen,
    ) -> SourceStatus:
        message = self.message
        fields = {
            **seen._asdict(),
            "first_seen": first_seen,
            "slug": claim.post.slug if claim else None,
            "path": claim.post.path if claim and isinstance(claim.post, PostSummary) else None,
            "content_sequencer": message.sequencer
            if is_new_content
            else (before.content_sequencer if before else None),
        }
        if is_newest or before is None:
            status: SourceStatusName
            if message.action == "invalid":
                status = "invalid"
            elif message.action == "ignored":
                status = "ignored"
            elif message.action == "delete":
                status = "deleted"
            else:
                status = "draft" if message.post and message.post.draft else "published"
            return SourceStatus(
                source_key=self.key,
                status=status,
                sequencer=message.sequencer,
                event_time=message.event_time,
                errors=message.errors,
                warnings=message.warnings,
                **fields,
            )
        return before.model_copy(update=fields)

    def _outcome(
        self,
        is_newest: bool,
        is_new_content: bool,
        status_after: SourceStatus,
        writes: Mapping[ItemKey, Record | None],
    ) -> Outcome:
        if not is_newest and not is_new_content:
            return "stale"
        if is_newest and status_after.status == "conflict":
            return "conflict"
        if self.message.action == "upsert" and not any(isinstance(k, PostKey) for k in writes):
            return "unchanged"
        return "applied"


def _earliest(*instants: datetime | None) -> datetime | None:
    """The earliest instant, in whole seconds: as the index stores it, so that a rank
    computed now and one read back compare alike."""
    present = [instant for instant in instants if instant is not None]
    return min(present).replace(microsecond=0) if present else None


def _unique(*slugs: str | None) -> list[str]:
    return list(dict.fromkeys(slug for slug in slugs if slug is not None))


def _claim_key(claim: Claim) -> ClaimKey:
    return ClaimKey(slug=claim.post.slug, first_seen=claim.first_seen, source_key=claim.source_key)


def _claim_key_of(status: SourceStatus | None) -> ClaimKey | None:
    """Where a file's claim is stored: a file with a slug has a claim item on it."""
    if status is None or status.slug is None or status.first_seen is None:
        return None
    return ClaimKey(slug=status.slug, first_seen=status.first_seen, source_key=status.source_key)


def _owner_key(claim: Claim | None) -> str | None:
    return claim.source_key if claim else None


def state_at(post: Content, now: datetime, zone: SiteZone = in_utc) -> PostStatus:
    """What a slug's owner is at `now`: a draft, scheduled, public, or expired (rule 8)."""
    return _state_and_end(post, now, zone)[0]


def changes_in_utc(status: PostStatus, post: Content | None) -> datetime | None:
    """When a state ends, read as a release that kept no `changes_at` kept its schedule:
    at the post's times in UTC. For an item written since, it gives what the item would
    hold wherever it holds none (a post with no end to its state)."""
    if not isinstance(post, PostSummary):
        return None
    if status == "scheduled":
        return post.publishes_in(None)
    return post.expires_in(None) if status == "published" else None


def _state_and_end(
    post: Content, now: datetime, zone: SiteZone
) -> tuple[PostStatus, datetime | None]:
    """`state_at`, and when that state ends by itself, if it does."""
    if post.draft:
        return "draft", None
    if isinstance(post, PostSummary):
        # No zone is a day from UTC: a time written without one a day past is past in all.
        floating = any(time > now - timedelta(days=1) for time in post.floating_times)
        site_zone = zone() if floating else None
        publishes, expires = post.publishes_in(site_zone), post.expires_in(site_zone)
        if publishes > now:
            return "scheduled", publishes
        if expires is not None and expires <= now:
            return "expired", None
        return "published", expires
    return "published", None


def _project(slug: str, owner: Claim | None, now: datetime, zone: SiteZone) -> PostRecord:
    """The post item a slug's owner makes at `now`: its post, or a tombstone."""
    if owner is None:
        return PostRecord(slug=slug, status="deleted")
    status, ends = _state_and_end(owner.post, now, zone)
    return PostRecord(slug=slug, status=status, post=owner.post, changes_at=ends)


def _with_ownership(
    status: SourceStatus, owner: Claim | None, now: datetime, zone: SiteZone
) -> SourceStatus:
    """A file whose newest event is a valid upload is published, a draft, scheduled,
    expired, or in conflict."""
    if status.status not in _CLAIMING or status.slug is None or owner is None:
        return status
    if owner.source_key == status.source_key:
        record = _project(status.slug, owner, now, zone)
        state: SourceStatusName = record.status
        return status.model_copy(update={"status": state, "errors": (), "until": record.changes_at})
    # Only a slug's old and new owners are restated when it changes hands, so the stored
    # error cannot name the owner: it would name whichever owned the slug when this file
    # was last restated. `with_current_owner` names today's, where the status is shown.
    error = _conflict(status.slug, "another file")
    return status.model_copy(update={"status": "conflict", "errors": (error,), "until": None})


def with_current_owner(status: SourceStatus, post: PostRecord | None) -> SourceStatus:
    """A waiting file's status, its error naming the slug's owner: the post item's source."""
    if status.status != "conflict" or status.slug is None or post is None or post.post is None:
        return status
    owner = repr(post.post.source_key)
    return status.model_copy(update={"errors": (_conflict(status.slug, owner),)})


def folder_conflicts(outcomes: Iterable[ValidationOutcome]) -> dict[str, Issue]:
    """What `pressroom check` of a folder says of each file that claims a name (a slug, an
    asset's `/<site path>`) a file before it in key order claims too, as the status the
    index would give it says: one file owns a name, the first uploaded (`aws s3 sync`
    uploads about in key order), and the others wait as `conflict`. By source key."""
    owners: dict[str, str] = {}
    conflicts = {}
    for outcome in sorted(outcomes, key=lambda outcome: outcome.source_key):
        content = outcome.document or outcome.asset
        if content is None:
            continue
        owner = owners.setdefault(content.slug, outcome.source_key)
        if owner != outcome.source_key:
            conflicts[outcome.source_key] = _conflict(content.slug, repr(owner))
    return conflicts


def _conflict(slug: str, owner: str) -> Issue:
    if slug.startswith("/"):
        return Issue(
            message=f"the site path {slug!r} belongs to {owner}, uploaded first (a leading "
            "`static/` is dropped); rename this file or delete the other"
        )
    return Issue(
        field="slug",
        message=f"the slug {slug!r} belongs to {owner}, uploaded first; "
        "give this post another `slug:` (its URL can stay in `redirect_from`) or delete the "
        "other file",
    )


def _tag_entries(record: PostRecord | None) -> tuple[TagEntry, ...]:
    """Tag items exist for listed posts only: one per tag key (`PHP` and `php` are one tag)
    and one per category key, a category's listing being a tag's in its own folder."""
    post = record.listed if record else None
    if post is None:
        return ()
    terms = [(tag_key(tag), tag) for tag in post.tags]
    terms += [(category_key(category), category) for category in post.categories]
    entries = {
        key: TagEntry(
            tag=key,
            slug=post.slug,
            title=post.title,
            date=post.date,
            description=post.description,
            name=name,
            path=post.path,
            excerpt=post.excerpt,
            tags=post.tags,
            categories=post.categories,
            section=post.section,
            date_floats=post.date_floats,
        )
        for key, name in reversed(terms)
    }
    return tuple(reversed(entries.values()))


def _tag_item_key(entry: TagEntry) -> tuple[str, datetime, str]:
    return (entry.tag, entry.date, entry.slug)


def _month_entry_key(post: PostSummary) -> tuple[datetime, str]:
    return (post.date, post.slug)
