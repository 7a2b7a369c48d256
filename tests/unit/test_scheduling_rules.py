"""Rule 8 of the index, decided without AWS: a post is public from its publish date until its
expiry; before, it is scheduled and on no listing; a release at its time publishes it, and
the schedules the indexer keeps follow every change of the slug."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pressroom.indexing import PostKey, PostRecord, Release, SourceKey, SourceStatus
from pressroom.models import ReleaseMessage
from pressroom.services.indexer import IndexerService
from tests.memory_index import MemoryIndex
from tests.unit.test_indexing import event, post

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)
SOON = NOW + timedelta(days=3)
LATER = NOW + timedelta(days=40)


class Clocked:
    """The indexer on an in-memory index, its clock set by the test."""

    def __init__(self, zone: str | None = None) -> None:
        self.index = MemoryIndex()
        self.now = NOW
        self.zone = zone
        self.zone_reads = 0
        self.service = IndexerService(
            index=self.index,
            schedules=self.index.schedules,
            clock=lambda: self.now,
            site_zone=self._read_zone,
        )

    def _read_zone(self) -> str | None:
        self.zone_reads += 1
        return self.zone

    def handle(self, *messages: object) -> str:
        outcome = ""
        for message in messages:
            outcome = self.service.handle(message).outcome  # type: ignore[arg-type]
        return outcome

    def release(self, slug: str, at: datetime) -> str:
        """What the schedule for `at` sends, once the clock has reached `at`."""
        self.now = max(self.now, at)
        return self.handle(ReleaseMessage(release=slug, at=at))

    def record(self, slug: str = "hello") -> PostRecord:
        found = self.index.items[PostKey(slug)]
        assert isinstance(found, PostRecord)
        return found

    def status(self, key: str = "hello.md") -> SourceStatus:
        found = self.index.items[SourceKey(key)]
        assert isinstance(found, SourceStatus)
        return found

    @property
    def waiting(self) -> set[Release]:
        return self.index.schedules.waiting


def test_a_post_dated_later_is_scheduled_in_no_listing_with_a_schedule_for_its_date() -> None:
    site = Clocked()
    site.handle(event("upsert", 1, post(date=SOON, tags=("sky",))))
    assert site.record().status == "scheduled"
    assert (site.status().status, site.status().until) == ("scheduled", SOON)
    assert site.index.tags == {} and site.index.months == {}
    assert site.waiting == {Release("hello", SOON)}

    assert site.release("hello", SOON) == "applied"
    assert site.record().status == "published"
    assert (site.status().status, site.status().until) == ("published", None)
    assert set(site.index.tags) == {("sky", "hello")}
    assert site.index.month_slugs() == {(SOON.year, SOON.month): {"hello"}}


def test_publish_date_decides_and_the_date_is_still_the_one_shown() -> None:
    site = Clocked()
    shown = datetime(2025, 3, 1, tzinfo=UTC)
    site.handle(event("upsert", 1, post(date=shown, publish_at=SOON)))
    assert site.record().status == "scheduled"
    site.release("hello", SOON)
    assert site.index.month_slugs() == {(2025, 3): {"hello"}}, "listed under its date"


def test_an_update_before_the_time_moves_the_schedule_and_the_old_release_does_nothing() -> None:
    site = Clocked()
    site.handle(event("upsert", 1, post(date=SOON)))
    site.handle(event("upsert", 2, post(date=LATER, content="b")))
    assert site.waiting == {Release("hello", LATER)}, "moved, not added"

    assert site.release("hello", SOON) == "unchanged", "the schedule that was cancelled, late"
    assert site.record().status == "scheduled"
    assert site.release("hello", LATER) == "applied"
    assert site.record().status == "published"


def test_an_update_that_brings_the_time_forward_publishes_at_once() -> None:
    site = Clocked()
    site.handle(event("upsert", 1, post(date=SOON)))
    site.handle(event("upsert", 2, post(date=NOW - timedelta(days=1), content="b")))
    assert site.record().status == "published"
    assert site.waiting == set()


def test_a_delete_cancels_the_schedule_and_a_release_after_it_changes_nothing() -> None:
    site = Clocked()
    site.handle(event("upsert", 1, post(date=SOON)))
    site.handle(event("delete", 2))
    assert site.waiting == set()
    assert site.release("hello", SOON) == "unchanged"
    assert site.record().status == "deleted"


def test_a_release_delivered_twice_applies_once() -> None:
    site = Clocked()
    site.handle(event("upsert", 1, post(date=SOON)))
    assert site.release("hello", SOON) == "applied"
    assert site.release("hello", SOON) == "unchanged"


def test_a_release_of_a_slug_never_claimed_changes_nothing() -> None:
    site = Clocked()
    assert site.release("never-there", SOON) == "unchanged"
    assert site.index.items == {}


def test_expiry_unpublishes_at_its_time_and_a_draft_is_never_scheduled() -> None:
    site = Clocked()
    site.handle(event("upsert", 1, post(expires_at=SOON, tags=("sale",))))
    assert (site.status().status, site.status().until) == ("published", SOON)
    assert site.waiting == {Release("hello", SOON)}
    site.release("hello", SOON)
    assert site.record().status == "expired"
    assert (site.status().status, site.status().until) == ("expired", None)
    assert site.index.tags == {} and site.index.months == {}

    drafts = Clocked()
    drafts.handle(event("upsert", 1, post(date=SOON, draft=True)))
    assert drafts.record().status == "draft" and drafts.waiting == set()


def test_a_post_scheduled_and_then_expiring_gets_one_schedule_after_the_other() -> None:
    site = Clocked()
    site.handle(event("upsert", 1, post(date=SOON, expires_at=LATER)))
    assert site.waiting == {Release("hello", SOON)}
    site.release("hello", SOON)
    assert site.waiting == {Release("hello", LATER)}
    site.release("hello", LATER)
    assert site.record().status == "expired" and site.waiting == set()


def test_the_next_claimant_of_a_slug_is_scheduled_when_the_owner_goes() -> None:
    site = Clocked()
    site.handle(event("upsert", 1, post(source="a.md")))
    site.handle(event("upsert", 2, post(source="b.md", date=SOON, content="b")))
    assert site.status("b.md").status == "conflict"
    assert site.waiting == set(), "a waiting claim has no schedule of its own"

    site.handle(event("delete", 3, source="a.md"))
    assert site.record().status == "scheduled"
    assert (site.status("b.md").status, site.status("b.md").until) == ("scheduled", SOON)
    assert site.waiting == {Release("hello", SOON)}


def test_a_time_written_without_a_zone_is_placed_in_the_sites_zone_read_only_then() -> None:
    site = Clocked(zone="Asia/Tokyo")  # nine hours ahead of UTC
    site.handle(event("upsert", 1, post(date=SOON, date_floats=True)))
    in_tokyo = SOON - timedelta(hours=9)
    assert (site.record().status, site.record().changes_at) == ("scheduled", in_tokyo)
    assert site.waiting == {Release("hello", in_tokyo)}
    assert site.zone_reads == 1

    # Times with a zone, and times a day past, are where they are in every zone.
    site.handle(event("upsert", 2, post(source="zoned.md", slug="zoned", date=SOON)))
    old = post(source="old.md", slug="old", date=NOW - timedelta(days=2), date_floats=True)
    site.handle(event("upsert", 3, old))
    assert site.zone_reads == 1
    assert site.record("zoned").changes_at == SOON

    assert site.release("hello", in_tokyo) == "applied"
    assert site.record().status == "published"


def test_a_schedule_made_before_the_sites_zone_changed_is_moved_when_it_fires() -> None:
    site = Clocked(zone="Asia/Tokyo")
    site.handle(event("upsert", 1, post(date=SOON, date_floats=True)))
    in_tokyo = SOON - timedelta(hours=9)

    site.zone = None  # the configuration now names no zone: UTC, nine hours later
    assert site.release("hello", in_tokyo) == "applied"
    assert (site.record().status, site.record().changes_at) == ("scheduled", SOON)
    assert site.waiting == {Release("hello", SOON)}


def test_a_release_keeps_the_places_the_posts_page_had() -> None:
    site = Clocked()
    site.handle(event("upsert", 1, post(path="first/", date=NOW - timedelta(days=1))))
    # Moved, and public again only from SOON: its old URL waits to redirect to its page.
    site.handle(event("upsert", 2, post(path="second/", publish_at=SOON, content="b")))

    assert site.release("hello", SOON) == "applied"
    published = site.record().published
    assert published is not None and published.path == "second/"
    assert [place.path for place in published.former_places] == ["first/"]
