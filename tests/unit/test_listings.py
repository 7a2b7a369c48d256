"""Which listings a batch touches, how they are asked for on the listing queue, and how a
listing batch renders each once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pressroom.config import SiteConfig
from pressroom.exceptions import ListingChurnError, ListingRenderError
from pressroom.indexing import PostRecord
from pressroom.listing_messages import (
    LISTING_MESSAGE_BYTES,
    LISTINGS_PER_MESSAGE,
    ListingMessage,
    listing_message_bodies,
    read_listing_message,
)
from pressroom.listings import (
    ListingPlan,
    Neighbours,
    PostChange,
    Window,
    coalesce,
    listing_requests,
    order_key,
    plan_listings,
)
from pressroom.models import PageLink, PostSummary
from pressroom.ports import SiteEntries
from pressroom.services.renderer import (
    LISTING_TIME_RESERVE_MS,
    LISTING_TRIES,
    Due,
    ListingBatch,
    RendererService,
    StreamBatch,
)


def post(slug: str, month: int = 3, tags: tuple[str, ...] = (), title: str = "T") -> PostSummary:
    return PostSummary(
        source_key=f"{slug}.md",
        slug=slug,
        title=title,
        date=datetime(2025, month, 1, tzinfo=UTC),
        tags=tags,
        content_hash="a" * 64,
    )


def live(summary: PostSummary, status: str = "published") -> PostRecord:
    return PostRecord(slug=summary.slug, status=status, post=summary)  # type: ignore[arg-type]


def gone(slug: str) -> PostRecord:
    return PostRecord(slug=slug, status="deleted")


def test_a_new_post_touches_home_its_month_and_its_tags() -> None:
    plan = plan_listings([PostChange(old=None, new=live(post("a", tags=("PHP", "Open Source"))))])

    assert plan.home
    assert plan.months == {(2025, 3): "2025-03-01T00:00:00Z#a"}
    assert plan.tags == {"php": "2025-03-01T00:00:00Z#a", "open-source": "2025-03-01T00:00:00Z#a"}
    assert plan.new_items


def test_a_date_and_tag_change_touches_both_months_and_all_tags() -> None:
    before = live(post("a", month=3, tags=("old",)))
    after = live(post("a", month=5, tags=("new",)))

    plan = plan_listings([PostChange(old=before, new=after)])

    assert plan.months.keys() == {(2025, 3), (2025, 5)}
    assert plan.tags.keys() == {"old", "new"}


def test_each_listing_is_asked_for_from_the_earliest_place_a_change_touched() -> None:
    moved = PostChange(old=live(post("a", month=3, tags=("x",))), new=live(post("a", month=4)))
    joined = PostChange(old=None, new=live(post("b", month=4, tags=("x",))))

    plan = plan_listings([joined, moved])

    assert plan.months == {
        (2025, 3): "2025-03-01T00:00:00Z#a",
        (2025, 4): "2025-04-01T00:00:00Z#a",
    }
    assert plan.tags == {"x": "2025-03-01T00:00:00Z#a"}


def test_a_draft_edit_touches_nothing() -> None:
    draft = live(post("a"), status="draft")

    plan = plan_listings([PostChange(old=draft, new=live(post("a", title="U"), status="draft"))])

    assert (plan.home, plan.months, plan.tags) == (False, {}, {})


def test_a_tombstone_created_by_a_late_event_still_renders_the_home_page() -> None:
    plan = plan_listings([PostChange(old=None, new=gone("a"))])

    assert plan.home
    assert not plan.months


def test_listing_requests_name_each_listing_once_and_read_back_as_the_plan() -> None:
    plan = plan_listings(
        [
            PostChange(old=None, new=live(post("a", month=3, tags=("PHP", "Open Source")))),
            PostChange(old=None, new=live(post("b", month=11, tags=("php",)))),
        ]
    )

    requests = listing_requests(plan)

    assert requests == [
        "newest",
        "month:2025-03@2025-03-01T00:00:00Z#a",
        "month:2025-11@2025-11-01T00:00:00Z#b",
        "tag:open-source@2025-03-01T00:00:00Z#a",
        "tag:php@2025-03-01T00:00:00Z#a",
        "around:2025-03-01T00:00:00Z#a",
        "around:2025-11-01T00:00:00Z#b",
        "site-indexes-if-missing",
    ]
    assert coalesce(requests + requests[::-1]) == plan


def test_the_site_indexes_are_asked_for_anew_or_only_if_missing() -> None:
    assert coalesce(["site-indexes"]).indexes
    assert not coalesce(["site-indexes"]).new_items
    assert coalesce(["site-indexes-if-missing"]).new_items
    assert not coalesce(["site-indexes-if-missing"]).indexes
    assert listing_requests(coalesce(["site-indexes"])) == ["site-indexes"]


def test_a_listing_asked_for_without_a_place_is_asked_for_whole() -> None:
    plan = coalesce(["tag:php@2025-03-01T00:00:00Z#a", "tag:php", "month:2025-03"])

    assert plan.tags == {"php": ""}
    assert plan.months == {(2025, 3): ""}


@pytest.mark.parametrize("request_body", ["", "tag:", "month:2025", "feed", "month:x-y"])
def test_a_listing_request_that_names_no_listing_is_refused(request_body: str) -> None:
    with pytest.raises(ValueError):
        coalesce([request_body])


class RecordingRenderer:
    def __init__(self, failing: frozenset[str] = frozenset(), *, moved: bool = False) -> None:
        self.failing = failing
        self.rendered: list[str] = []
        self.indexes_written = 0
        self.indexes_due: list[Due | None] = []
        self.moved = moved
        """Whether the site's settings change while the batch runs."""

    def settings_moved(self) -> object | None:
        return self if self.moved else None

    def render_listing(self, request: str, *, first_try: bool = False) -> Due:
        if request in self.failing:
            raise RuntimeError(f"{request} cannot be rendered")
        self.rendered.append(request)
        return Due.FILES if request.startswith("month:") else Due.NOTHING

    def write_site_indexes(self, due: Due = Due.ALL) -> None:
        self.indexes_written += 1
        self.indexes_due.append(due)


class RecordingQueue:
    def __init__(self) -> None:
        self.requested: list[str] = []
        self.failed_before: dict[str, int] = {}

    def request(self, requests: list[str], *, failures: int = 0) -> None:
        self.requested += requests
        self.failed_before |= dict.fromkeys(requests, failures)


def test_listing_requests_travel_many_to_a_message_within_its_size() -> None:
    requests = [f"tag:{number:04d}@2025-03-01T00:00:00Z#a-post" for number in range(120)]
    bodies = listing_message_bodies(requests)

    assert [len(read_listing_message(body).requests) for body in bodies] == [  # type: ignore[union-attr]
        LISTINGS_PER_MESSAGE,
        LISTINGS_PER_MESSAGE,
        120 - 2 * LISTINGS_PER_MESSAGE,
    ]
    assert [r for body in bodies for r in read_listing_message(body).requests] == requests  # type: ignore[union-attr]

    # Long requests (a tag's key may be two kilobytes) fill a message by its bytes first.
    long = [f"tag:{'я' * 1000}{number}@2025-03-01T00:00:00Z#a" for number in range(120)]
    packed = listing_message_bodies(long, failures=2)
    assert all(len(body.encode("utf-8")) <= LISTING_MESSAGE_BYTES for body in packed)
    assert len(packed) > 3
    read = [read_listing_message(body) for body in packed]
    assert [r for message in read for r in message.requests] == long  # type: ignore[union-attr]
    assert {message.failures for message in read} == {2}  # type: ignore[union-attr]


def test_a_message_queued_by_an_earlier_release_is_still_read_and_junk_is_not() -> None:
    assert read_listing_message('{"listing": "tag:php"}') == ListingMessage(("tag:php",))
    for junk in ["", "[]", "{}", '{"listings": []}', '{"listings": [1]}', '{"listing": ""}']:
        assert read_listing_message(junk) is None, junk


def test_a_listing_batch_under_settings_that_changed_asks_again_for_what_it_wrote() -> None:
    renderer, queue = RecordingRenderer(moved=True), RecordingQueue()
    batch = ListingBatch(renderer, queue, lambda: 30_000)  # type: ignore[arg-type]

    for request in ["newest", "month:2025-03@2025-03-02T00:00:00Z#a", "tag:php"]:
        batch.render(request)
    batch.finish()

    assert sorted(queue.requested) == sorted(
        ["newest", "month:2025-03@2025-03-02T00:00:00Z#a", "tag:php", "site-indexes"]
    )


def test_a_listing_batch_renders_each_listing_once_and_the_site_indexes_once() -> None:
    renderer, queue = RecordingRenderer(), RecordingQueue()
    batch = ListingBatch(renderer, queue, lambda: 30_000)  # type: ignore[arg-type]

    for request in ["newest", "month:2025-03", "newest", "tag:php", "month:2025-03", "newest"]:
        batch.render(request)
    batch.finish()

    assert renderer.rendered == ["newest", "month:2025-03", "tag:php"]
    assert renderer.indexes_written == 1
    assert queue.requested == []


def test_a_listing_batch_renders_a_listing_once_from_the_earliest_place_asked() -> None:
    requests = ["tag:php@2025-05-01T00:00:00Z#b", "tag:php@2025-03-01T00:00:00Z#a", "newest"]
    renderer = RecordingRenderer()
    batch = ListingBatch(renderer, RecordingQueue(), lambda: 30_000, requests)  # type: ignore[arg-type]

    for request in requests:
        batch.render(request)

    assert renderer.rendered == ["tag:php@2025-03-01T00:00:00Z#a", "newest"]


def test_every_message_for_a_listing_that_failed_fails_with_it() -> None:
    renderer = RecordingRenderer(failing=frozenset({"tag:php"}))
    batch = ListingBatch(renderer, RecordingQueue(), lambda: 30_000)  # type: ignore[arg-type]

    with pytest.raises(RuntimeError):
        batch.render("tag:php")
    with pytest.raises(ListingRenderError, match="tag:php"):
        batch.render("tag:php")
    batch.render("newest")

    assert renderer.rendered == ["newest"]


def test_a_message_whose_listings_partly_fail_asks_again_for_those_alone() -> None:
    renderer, queue = RecordingRenderer(failing=frozenset({"tag:php"})), RecordingQueue()
    batch = ListingBatch(renderer, queue, lambda: 30_000)  # type: ignore[arg-type]

    batch.render_message(ListingMessage(("newest", "tag:php", "tag:go")))
    batch.render_message(ListingMessage(("tag:php", "month:2025-03"), failures=1))
    batch.finish()

    assert renderer.rendered == ["newest", "tag:go", "month:2025-03"]
    # Asked again once, as failed as the message that had failed most.
    assert queue.requested == ["tag:php"]
    assert queue.failed_before == {"tag:php": 2}
    assert isinstance(batch.asked_again["tag:php"][1], RuntimeError)


def test_a_listing_that_keeps_failing_fails_its_message_to_reach_the_dead_letters() -> None:
    renderer, queue = RecordingRenderer(failing=frozenset({"tag:php"})), RecordingQueue()
    batch = ListingBatch(renderer, queue, lambda: 30_000)  # type: ignore[arg-type]

    with pytest.raises(ListingRenderError, match=r"1 of the message's 2 listings.*tag:php"):
        batch.render_message(ListingMessage(("tag:php", "newest"), LISTING_TRIES - 1))
    batch.finish()

    assert renderer.rendered == ["newest"]
    assert queue.requested == []


def test_a_batch_holding_a_message_received_before_writes_every_index() -> None:
    # Its listings may have changed their files in the batch that failed, which left the
    # indexes unwritten: compared again now, the files are as they were.
    renderer = RecordingRenderer()
    batch = ListingBatch(renderer, RecordingQueue(), lambda: 30_000, retried=True)  # type: ignore[arg-type]

    batch.render("tag:php")
    batch.finish()

    assert renderer.indexes_written == 1
    assert renderer.indexes_due == [Due.ALL]


def test_listings_there_is_no_time_for_are_asked_for_again_not_left_to_time_out() -> None:
    renderer, queue = RecordingRenderer(), RecordingQueue()
    remaining = iter([30_000, LISTING_TIME_RESERVE_MS - 1, LISTING_TIME_RESERVE_MS - 1])
    batch = ListingBatch(renderer, queue, lambda: next(remaining))  # type: ignore[arg-type]

    for request in ["newest", "tag:php", "tag:go", "tag:php"]:
        batch.render(request)
    batch.finish()

    assert renderer.rendered == ["newest"]
    assert queue.requested == ["tag:go", "tag:php"]


def test_a_draft_has_a_page_only_in_a_preview_and_is_never_listed() -> None:
    summary = post("hvar-out-of-season", tags=("travel",)).model_copy(update={"draft": True})
    made = PostChange(old=None, new=live(summary, "draft"))
    made_public = PostChange(
        old=live(summary, "draft"), new=live(summary.model_copy(update={"draft": False}))
    )

    assert made.pages() == (None, None)
    assert made.pages(drafts=True) == (None, summary)
    assert made_public.pages(drafts=True)[0] == summary
    assert made_public.pages()[0] is None
    plan = plan_listings([made])
    assert (plan.months, plan.tags) == ({}, {})


class SettingsMovingRenderer:
    """A renderer whose site settings change `moves` times while it writes."""

    def __init__(self, moves: int, generation: int = 0) -> None:
        self.moves = moves
        self.generation = generation
        self.written: list[tuple[int, str]] = []

    def settings_moved(self) -> SettingsMovingRenderer | None:
        if self.moves == 0:
            return None
        moved = SettingsMovingRenderer(self.moves - 1, self.generation + 1)
        moved.written = self.written
        return moved

    def render_post(self, change: PostChange, *, page_now: bool = True) -> str | None:
        assert change.new is not None
        self.written.append((self.generation, change.new.slug))
        return None


def _published(slug: str) -> PostChange:
    return PostChange(old=None, new=live(post(slug)))


def test_a_stream_batch_writes_its_pages_again_while_the_site_settings_move() -> None:
    renderer = SettingsMovingRenderer(moves=2)
    changes = [_published("a"), _published("b")]
    batch = StreamBatch(renderer, lambda: 30_000)  # type: ignore[arg-type]

    for change in changes:
        batch.render(change)
    requests = batch.finish(changes)

    assert renderer.written == [(0, "a"), (0, "b"), (1, "a"), (1, "b"), (2, "a"), (2, "b")]
    assert requests == [
        "newest",
        "month:2025-03@2025-03-01T00:00:00Z#a",
        "around:2025-03-01T00:00:00Z#a",
        "around:2025-03-01T00:00:00Z#b",
        "site-indexes-if-missing",
    ]


def test_a_stream_batch_whose_settings_never_settle_fails_to_be_retried() -> None:
    batch = StreamBatch(SettingsMovingRenderer(moves=100), lambda: 30_000)  # type: ignore[arg-type]
    with pytest.raises(ListingChurnError):
        batch.finish([_published("a")])


def test_an_edit_that_no_listing_shows_asks_for_no_listing() -> None:
    before = post("a", tags=("php",))
    edited = before.model_copy(update={"content_hash": "b" * 64, "layout": "post"})

    plan = plan_listings([PostChange(old=live(before), new=live(edited))])

    assert plan == ListingPlan(home=False, months={}, tags={}, new_items=False)


def test_an_edit_of_what_listings_show_asks_for_them() -> None:
    before = post("a", tags=("php",))
    retitled = before.model_copy(update={"content_hash": "b" * 64, "title": "New title"})

    plan = plan_listings([PostChange(old=live(before), new=live(retitled))])

    assert plan.home and plan.months and plan.tags == {"php": "2025-03-01T00:00:00Z#a"}


def test_the_posts_beside_a_post_are_asked_for_where_it_joins_leaves_or_is_retitled() -> None:
    before = post("a", month=3)
    moved = before.model_copy(update={"date": datetime(2025, 6, 1, tzinfo=UTC)})
    retitled = before.model_copy(update={"title": "New title"})
    redescribed = before.model_copy(update={"description": "Now with a lede"})

    def around(old: PostSummary | None, new: PostSummary | None) -> frozenset[str]:
        change = PostChange(old=live(old) if old else None, new=live(new) if new else gone("a"))
        return plan_listings([change]).around

    assert around(None, before) == {"2025-03-01T00:00:00Z#a"}
    assert around(before, None) == {"2025-03-01T00:00:00Z#a"}
    assert around(before, moved) == {"2025-03-01T00:00:00Z#a", "2025-06-01T00:00:00Z#a"}
    assert around(before, retitled) == {"2025-03-01T00:00:00Z#a"}
    # Its neighbours show its place, title and URL: nothing else of it.
    assert around(before, redescribed) == frozenset()


class ChangingEntries:
    """A catalog whose site entries are whatever the test last set."""

    def __init__(self, pages: tuple[PageLink, ...]) -> None:
        self.entries = SiteEntries(settings=None, pages=pages)

    def site_entries(self) -> SiteEntries:
        return self.entries


def test_a_page_that_leaves_the_menu_moves_the_settings_of_a_configured_renderer() -> None:
    about = PageLink(
        slug="about", title="About", date=datetime(2025, 3, 1, tzinfo=UTC), menu_name="About"
    )
    catalog = ChangingEntries(pages=(about,))
    renderer = RendererService(
        catalog=catalog,  # type: ignore[arg-type]
        documents=None,  # type: ignore[arg-type]
        site=None,  # type: ignore[arg-type]
        config=SiteConfig(),
        theme=None,  # type: ignore[arg-type]
    ).configured()
    assert [entry.name for entry in renderer.config.menu] == ["About"]

    catalog.entries = SiteEntries(settings=None, pages=())
    moved = renderer.settings_moved()

    assert moved is not None, "the menu changed"
    assert moved.config.menu == ()
    assert moved.configured().config == moved.config, "configured from the stack's defaults"


def _on(day: int) -> PostSummary:
    return post(f"d{day}").model_copy(update={"date": datetime(2025, 3, day, tzinfo=UTC)})


def test_a_window_gives_the_posts_beside_a_place_with_their_own_neighbours() -> None:
    one, two, three, four, five = (_on(day) for day in (1, 2, 3, 4, 5))
    joined = "2025-03-03T00:00:00Z#d3"

    # A post joined at the place: its page, and its neighbours', which now link to it.
    beside = Window(older=(two, one), newer=(three, four, five)).beside(joined)
    assert beside == [
        (two, Neighbours(one, three)),
        (three, Neighbours(two, four)),
        (four, Neighbours(three, five)),
    ]
    # The post left the place: its neighbours link to each other.
    beside = Window(older=(two, one), newer=(four, five)).beside(joined)
    assert beside == [(two, Neighbours(one, four)), (four, Neighbours(two, five))]
    # At the ends of the site.
    assert Window(older=(), newer=(three,)).beside(joined) == [(three, Neighbours(None, None))]
    assert Window(older=(two,), newer=()).beside(joined) == [(two, Neighbours(None, None))]


def _window_of(posts: list[PostSummary], place: str, older: int, newer: int) -> Window:
    """What the index's window read gives: the posts before `place` nearest first, and
    from it on."""
    before = [p for p in posts if order_key(p.date, p.slug) < place]
    after = [p for p in posts if order_key(p.date, p.slug) >= place]
    return Window(older=tuple(reversed(before))[:older], newer=tuple(after[:newer]))


@pytest.mark.parametrize("read_newer", [4, 6, 9, 48])
def test_one_read_spanning_many_places_gives_each_the_window_its_own_read_would(
    read_newer: int,
) -> None:
    posts = [_on(day) for day in (1, 2, 4, 5, 6, 8, 9, 11)]
    places = [f"2025-03-{day:02d}T00:00:00Z#d{day}" for day in range(1, 13)]
    first = places[2]  # the 3rd, where no post is

    span = _window_of(posts, first, 2, read_newer)
    spanned = [place for place in places[2:] if span.spans(place, read_newer)]

    assert spanned == places[2 : 2 + len(spanned)] and spanned, "a run from the first"
    for place in spanned:
        assert span.around(place) == _window_of(posts, place, 2, 3), place
    if read_newer >= len(posts):
        assert len(spanned) == len(places) - 2, "the read reached the newest post"


@pytest.mark.parametrize("read_newer", [3, 4, 6, 9])
def test_a_window_spans_a_place_exactly_when_three_of_its_posts_are_from_it_on(
    read_newer: int,
) -> None:
    posts = [_on(day) for day in (1, 2, 4, 5, 6, 8, 9, 11)]
    places = [f"2025-03-{day:02d}T00:00:00Z#d{day}" for day in range(1, 13)]
    for read_at in places:
        window = _window_of(posts, read_at, 2, read_newer)
        for place in places[places.index(read_at) :]:
            from_place = [p for p in window.newer if order_key(p.date, p.slug) >= place]
            every_post = len(window.newer) < read_newer
            assert window.spans(place, read_newer) == (every_post or len(from_place) >= 3)
            if window.spans(place, read_newer):
                assert window.around(place) == _window_of(posts, place, 2, 3), place
