"""Each post links its older and newer posts, in the site's order across months, and stays
right as posts join, leave, move and are retitled, whatever order their events come in."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from pressroom.adapters.dynamodb import DynamoPostIndex
from pressroom.listings import Window
from pressroom.services.renderer import ListingBatch
from pressroom_local.stack import LocalStack
from tests.integration.conftest import delete, upload
from tests.integration.html import read_page
from tests.integration.stale_reads import FirstReadBeforeTheCommit

DIARY = {
    "2024-01-30": "Snow on the pass",
    "2024-02-02": "The bus that did not come",
    "2024-02-14": "A market in Gyumri",
    "2024-04-05": "Apricot season",
    "2024-04-09": "Back to Yerevan",
}


def _post(title: str, date: str, extra: str = "") -> bytes:
    return f"---\ntitle: {title}\ndate: {date}\n{extra}---\n\nFrom the notebook.\n".encode()


def _slug(title: str) -> str:
    return title.lower().replace(" ", "-")


def _key(date: str, diary: dict[str, str] = DIARY) -> str:
    return f"_posts/{date}-{_slug(diary[date])}.md"


def _path(date: str, diary: dict[str, str] = DIARY) -> str:
    return f"/posts/{_slug(diary[date])}/"


def _navigation(stack: LocalStack, path: str) -> tuple[str | None, str | None]:
    """The (older, newer) links of the page at `path`."""
    page = read_page(stack.site_objects()[f"{path.strip('/')}/index.html"].decode())
    found: dict[str, str] = {}
    for tag, attributes in page.attributes:
        if tag == "a" and attributes.get("class") in {"older", "newer"}:
            found[attributes["class"]] = attributes["href"]
    return found.get("older"), found.get("newer")


def _assert_in_order(stack: LocalStack, dates: list[str], diary: dict[str, str] = DIARY) -> None:
    paths = [_path(date, diary) for date in sorted(dates)]
    for number, path in enumerate(paths):
        older = paths[number - 1] if number else None
        newer = paths[number + 1] if number + 1 < len(paths) else None
        assert _navigation(stack, path) == (older, newer), path


def test_posts_uploaded_out_of_order_link_their_neighbours(in_process_stack: LocalStack) -> None:
    dates = list(DIARY)
    random.Random(7).shuffle(dates)
    for date in dates:
        upload(in_process_stack, {_key(date): _post(DIARY[date], date)})

    _assert_in_order(in_process_stack, list(DIARY))
    page = in_process_stack.site_objects()["posts/a-market-in-gyumri/index.html"].decode()
    assert '<span class="kicker">Older</span> The bus that did not come</a>' in page
    assert '<span class="kicker">Newer</span> Apricot season</a>' in page


def test_a_deleted_post_s_neighbours_link_each_other(in_process_stack: LocalStack) -> None:
    upload(in_process_stack, {_key(date): _post(title, date) for date, title in DIARY.items()})

    delete(in_process_stack, _key("2024-02-14"))

    _assert_in_order(in_process_stack, [date for date in DIARY if date != "2024-02-14"])


def test_neighbours_cross_months_and_pass_a_month_left_empty(in_process_stack: LocalStack) -> None:
    # March's only post goes: its month keeps its marker, with no post in it.
    march = "_posts/2024-03-10-a-week-of-rain.md"
    upload(in_process_stack, {_key(date): _post(title, date) for date, title in DIARY.items()})
    upload(in_process_stack, {march: _post("A week of rain", "2024-03-10")})
    assert _navigation(in_process_stack, "/posts/a-week-of-rain/") == (
        _path("2024-02-14"),
        _path("2024-04-05"),
    )

    delete(in_process_stack, march)

    _assert_in_order(in_process_stack, list(DIARY))


def test_a_retitled_or_redated_post_is_shown_anew_by_its_neighbours(
    in_process_stack: LocalStack,
) -> None:
    upload(in_process_stack, {_key(date): _post(title, date) for date, title in DIARY.items()})

    upload(in_process_stack, {_key("2024-02-02"): _post("The bus came at last", "2024-02-02")})
    older = in_process_stack.site_objects()["posts/snow-on-the-pass/index.html"].decode()
    assert "The bus came at last</a>" in older

    # Moved past April: its old neighbours meet, its new ones take it in.
    upload(in_process_stack, {_key("2024-02-02"): _post("The bus came at last", "2024-05-01")})
    assert _navigation(in_process_stack, _path("2024-01-30")) == (None, _path("2024-02-14"))
    assert _navigation(in_process_stack, _path("2024-02-14")) == (
        _path("2024-01-30"),
        _path("2024-04-05"),
    )
    assert _navigation(in_process_stack, _path("2024-04-09")) == (
        _path("2024-04-05"),
        _path("2024-02-02"),
    )
    assert _navigation(in_process_stack, _path("2024-02-02")) == (_path("2024-04-09"), None)


def test_pages_and_drafts_are_no_one_s_neighbours(in_process_stack: LocalStack) -> None:
    upload(
        in_process_stack,
        {
            **{_key(date): _post(title, date) for date, title in DIARY.items()},
            "pages/about.md": _post("About", "2024-02-10", "layout: page\n"),
            "_posts/2024-02-12-unfinished.md": _post("Unfinished", "2024-02-12", "draft: true\n"),
        },
    )

    _assert_in_order(in_process_stack, list(DIARY))
    about = in_process_stack.site_objects()["about/index.html"].decode()
    assert 'class="post-nav"' not in about


def test_concurrent_uploads_leave_every_post_linked_in_order(stack: LocalStack) -> None:
    """Many posts at once on the concurrent runtime: stream batches and listing batches
    render neighbours from different moments; every page ends right."""
    dates = [f"2023-{month:02d}-{day:02d}" for month in (5, 6, 7) for day in (3, 11, 19, 27)]
    random.Random(11).shuffle(dates)
    notes = {date: f"Field note {date}" for date in dates}

    upload(stack, {_key(date, notes): _post(notes[date], date) for date in dates})

    _assert_in_order(stack, dates, notes)


@dataclass
class IndexReads:
    """The index as a renderer's catalog, with its window reads open to a test's
    subclass."""

    index: DynamoPostIndex

    def __getattr__(self, name: str) -> object:
        return getattr(self.index, name)


def test_a_page_written_last_from_a_read_before_a_commit_ends_current(
    in_process_stack: LocalStack,
) -> None:
    stack = in_process_stack
    upload(stack, {_key(date): _post(title, date) for date, title in DIARY.items()})
    market = stack.index.post("a-market-in-gyumri")
    assert market is not None and market.published is not None
    place = "2024-02-14T00:00:00Z#a-market-in-gyumri"
    stale = stack.index.window(place, 1, 1, passing="a-market-in-gyumri")

    # Meanwhile a post is committed beside it, and its renderer writes the market's page.
    upload(stack, {"_posts/2024-02-20-frost.md": _post("Frost", "2024-02-20")})
    assert _navigation(stack, _path("2024-02-14"))[1] == "/posts/frost/"

    # The slower renderer, which read the neighbours before that commit, writes last.
    slow = replace(stack.renderer(), catalog=FirstReadBeforeTheCommit(stack.index, "window", stale))
    slow.write_post_page(market.published)

    assert _navigation(stack, _path("2024-02-14")) == (_path("2024-02-02"), "/posts/frost/")


@dataclass
class CountedWindows(IndexReads):
    """The index, counting its window reads."""

    reads: int = 0

    def window(self, place: str, older: int, newer: int, passing: str | None = None) -> Window:
        self.reads += 1
        return self.index.window(place, older, newer, passing)


def test_a_listing_batch_reads_the_pages_around_near_places_in_one_window(
    in_process_stack: LocalStack,
) -> None:
    stack = in_process_stack
    upload(stack, {_key(date): _post(title, date) for date, title in DIARY.items()})
    # Their pages gone, to be written again by the listing batch alone.
    s3 = stack.session.client("s3")
    for date in DIARY:
        s3.delete_object(Bucket=stack.site_bucket, Key=f"{_path(date).strip('/')}/index.html")
    counted = CountedWindows(stack.index)
    renderer = replace(stack.renderer(), catalog=counted).configured()
    places = [f"{date}T00:00:00Z#{_slug(title)}" for date, title in DIARY.items()]
    requests = [f"around:{place}" for place in reversed(places)]
    batch = ListingBatch(renderer, queue=None, remaining_ms=lambda: 60_000, requests=requests)  # type: ignore[arg-type]

    for request in requests:
        batch.render(request)

    # One window spans the five places; a second read settles it. One read a place (and
    # its settling) would be ten.
    assert counted.reads == 2
    assert batch.written == sorted(requests)
    _assert_in_order(stack, list(DIARY))


@dataclass
class FailingWindows(IndexReads):
    """The index, failing every window read that spans more than one place, and every read
    at one place."""

    failing_place: str

    def window(self, place: str, older: int, newer: int, passing: str | None = None) -> Window:
        if newer > 4 or place == self.failing_place:
            raise ConnectionError(f"the read at {place} failed")
        return self.index.window(place, older, newer, passing)


def test_a_failed_shared_read_fails_only_the_places_whose_own_read_fails(
    in_process_stack: LocalStack,
) -> None:
    stack = in_process_stack
    upload(stack, {_key(date): _post(title, date) for date, title in DIARY.items()})
    places = [f"{date}T00:00:00Z#{_slug(title)}" for date, title in DIARY.items()]
    failing = FailingWindows(stack.index, failing_place=places[2])
    renderer = replace(stack.renderer(), catalog=failing).configured()
    requests = [f"around:{place}" for place in places]
    batch = ListingBatch(renderer, queue=None, remaining_ms=lambda: 60_000, requests=requests)  # type: ignore[arg-type]

    outcomes = {}
    for request in requests:
        try:
            batch.render(request)
            outcomes[request] = "rendered"
        except ConnectionError as error:
            outcomes[request] = str(error)

    assert outcomes == {
        request: f"the read at {places[2]} failed" if request == requests[2] else "rendered"
        for request in requests
    }
    assert batch.written == [request for request in requests if request != requests[2]]
