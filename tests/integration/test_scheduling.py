"""Scheduled posts through the pipeline (issue 19.3): a post whose date or `publishDate` is
still to come is indexed as scheduled, is on no page, and is published at its time with no
upload, by a one-time schedule that sends the indexer a release; `expiryDate` unpublishes."""

from __future__ import annotations

import contextlib
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pressroom_local.cli import main
from pressroom_local.stack import LocalStack
from tests.integration.conftest import SITE_URL, delete, upload

FUTURE = datetime(2031, 5, 4, 9, 30, tzinfo=UTC)
LATER = datetime(2032, 1, 1, tzinfo=UTC)
PAST_POST = b"---\ntitle: Spring tides\ndate: 2024-03-21\n---\nThe sea came up the slipway.\n"


def _post(title: str, front_matter: str) -> bytes:
    return f"---\ntitle: {title}\n{front_matter}---\nWritten ahead of time.\n".encode()


def _at(stack: LocalStack, moment: datetime) -> None:
    """Let the scheduler's clock reach `moment`, and the pipeline settle."""
    stack.scheduler.fire_due(moment)
    stack.router.drain()


def test_a_post_dated_in_the_future_is_on_no_page_until_its_time(stack: LocalStack) -> None:
    upload(
        stack,
        {
            "posts/spring-tides.md": PAST_POST,
            "posts/eclipse.md": _post("The eclipse", "date: 2031-05-04T09:30:00Z\ntags: [sky]\n"),
        },
    )
    site = stack.site_objects()
    assert "posts/eclipse/index.html" not in site
    assert b"The eclipse" not in site["index.html"]
    assert b"The eclipse" not in site["feed.xml"]
    assert not any(key.startswith("tags/sky/") for key in site)
    status = stack.statuses(["posts/eclipse.md"])["posts/eclipse.md"]
    assert status is not None
    assert (status.status, status.until) == ("scheduled", FUTURE)

    _at(stack, FUTURE)
    site = stack.site_objects()
    assert b"The eclipse" in site["posts/eclipse/index.html"]
    assert b"The eclipse" in site["index.html"]
    assert b"The eclipse" in site["feed.xml"]
    assert "tags/sky/index.html" in site
    status = stack.statuses(["posts/eclipse.md"])["posts/eclipse.md"]
    assert status is not None and (status.status, status.until) == ("published", None)


def test_publish_date_schedules_and_an_update_before_the_time_moves_it(
    stack: LocalStack,
) -> None:
    key = "posts/tide-tables.md"
    upload(
        stack, {key: _post("Tide tables", "date: 2024-01-01\npublishDate: 2031-05-04T09:30:00Z\n")}
    )
    upload(stack, {key: _post("Tide tables", "date: 2024-01-01\npublishDate: 2032-01-01\n")})
    assert stack.scheduler.waiting() == [LATER], "the earlier schedule was cancelled"

    _at(stack, FUTURE)
    assert "posts/tide-tables/index.html" not in stack.site_objects(), "the time moved"
    _at(stack, LATER)
    page = stack.site_objects()["posts/tide-tables/index.html"]
    assert b"Tide tables" in page
    assert b"2024" in page, "shown by its date, published at its publish date"


def test_a_post_item_an_earlier_release_wrote_still_has_its_schedule_moved(
    stack: LocalStack,
) -> None:
    """Items written before post items kept `changes_at` (their schedule was the post's
    time in UTC): an update before the time still cancels the schedule they made."""
    key = "posts/tide-tables.md"
    upload(stack, {key: _post("Tide tables", "publishDate: 2031-05-04T09:30:00Z\n")})
    dynamodb = stack.session.client("dynamodb")
    dynamodb.update_item(
        TableName=stack.index.table,
        Key={"pk": {"S": "POST#tide-tables"}, "sk": {"S": "POST"}},
        UpdateExpression="REMOVE changes_at",
    )

    upload(stack, {key: _post("Tide tables", "publishDate: 2032-01-01\n")})

    assert stack.scheduler.waiting() == [LATER], "the earlier schedule was cancelled"


def test_a_delete_before_the_time_cancels_the_schedule(stack: LocalStack) -> None:
    key = "posts/eclipse.md"
    upload(stack, {key: _post("The eclipse", "date: 2031-05-04T09:30:00Z\n")})
    assert stack.scheduler.waiting() == [FUTURE]
    delete(stack, key)
    assert stack.scheduler.waiting() == []
    _at(stack, FUTURE)
    assert "posts/eclipse/index.html" not in stack.site_objects()


def test_expiry_date_unpublishes_at_its_time(stack: LocalStack) -> None:
    key = "posts/festival.md"
    upload(
        stack,
        {key: _post("Harbour festival", "date: 2024-06-01\nexpiryDate: 2031-05-04T09:30:00Z\n")},
    )
    assert b"Harbour festival" in stack.site_objects()["posts/festival/index.html"]
    status = stack.statuses([key])[key]
    assert status is not None and (status.status, status.until) == ("published", FUTURE)

    _at(stack, FUTURE)
    site = stack.site_objects()
    assert "posts/festival/index.html" not in site
    assert b"Harbour festival" not in site["index.html"]
    status = stack.statuses([key])[key]
    assert status is not None and status.status == "expired"


IN_LOS_ANGELES = b"title: Harbour notes\ntimezone: America/Los_Angeles\n"
"""A site whose configuration places times written without a zone in Los Angeles, seven
hours behind UTC in May."""


def test_a_time_written_without_a_zone_is_released_in_the_sites_time_zone(
    stack: LocalStack,
) -> None:
    posts = {
        "posts/eclipse.md": _post("The eclipse", "date: 2031-05-04 09:30\n"),
        "posts/tides.md": _post("Tide tables", "date: 2024-01-01\npublishDate: 2031-05-04 09:30\n"),
        "posts/festival.md": _post(
            "Harbour festival", "date: 2024-06-01\nexpiryDate: 2031-05-04 09:30\n"
        ),
    }
    upload(stack, {"pressroom.yaml": IN_LOS_ANGELES, **posts})
    in_los_angeles = FUTURE + timedelta(hours=7)
    statuses = stack.statuses(list(posts))
    assert {key: (s.status, s.until) for key, s in statuses.items() if s} == {
        "posts/eclipse.md": ("scheduled", in_los_angeles),
        "posts/tides.md": ("scheduled", in_los_angeles),
        "posts/festival.md": ("published", in_los_angeles),
    }
    assert stack.scheduler.waiting() == [in_los_angeles] * 3  # one a post

    _at(stack, FUTURE)  # 09:30 in UTC: 02:30 in Los Angeles
    site = stack.site_objects()
    assert "posts/eclipse/index.html" not in site and "posts/tides/index.html" not in site
    assert "posts/festival/index.html" in site

    _at(stack, in_los_angeles)
    site = stack.site_objects()
    assert "posts/eclipse/index.html" in site and "posts/tides/index.html" in site
    assert "posts/festival/index.html" not in site


def test_a_schedule_that_fires_late_or_twice_changes_nothing_more(stack: LocalStack) -> None:
    """A one-time schedule delivers at least once: a second release of the same time, or one
    for a time the post has since left, is a no-op."""
    key = "posts/eclipse.md"
    upload(stack, {key: _post("The eclipse", "date: 2031-05-04T09:30:00Z\n")})
    _at(stack, FUTURE + timedelta(days=3))
    before = stack.site_objects()
    stack.scheduler.release_again(FUTURE)
    stack.router.drain()
    assert stack.site_objects() == before


def test_a_preview_shows_a_scheduled_post_marked_with_its_time_until_it_is_public(
    preview_stack: LocalStack,
) -> None:
    upload(
        preview_stack, {"posts/eclipse.md": _post("The eclipse", "date: 2031-05-04T09:30:00Z\n")}
    )
    page = preview_stack.site_objects()["posts/eclipse/index.html"].decode()
    assert "<strong>Scheduled</strong>" in page
    assert 'datetime="2031-05-04T09:30:00Z"' in page
    assert '<meta name="robots" content="noindex">' in page
    assert b"The eclipse" not in preview_stack.site_objects()["index.html"]
    renderer = preview_stack.renderer()
    for _ in renderer.rebuild(renderer.plan_rebuild()):
        pass
    assert "posts/eclipse/index.html" in preview_stack.site_objects(), (
        "a preview's rebuild keeps it"
    )

    _at(preview_stack, FUTURE)
    page = preview_stack.site_objects()["posts/eclipse/index.html"].decode()
    assert 'class="draft-banner"' not in page
    assert b"The eclipse" in preview_stack.site_objects()["index.html"]


def test_publish_reports_scheduled_posts_apart(tmp_path: Path) -> None:
    folder = tmp_path / "blog"
    (folder / "posts").mkdir(parents=True)
    (folder / "posts" / "spring-tides.md").write_bytes(PAST_POST)
    (folder / "posts" / "eclipse.md").write_bytes(_post("The eclipse", "date: 2031-05-04\n"))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(
            [
                "publish",
                str(folder),
                "--site",
                str(tmp_path / "site"),
                "--site-url",
                SITE_URL,
                "--json",
            ]
        )
    summary = json.loads(out.getvalue())
    assert code == 0
    assert (summary["published"], summary["scheduled"], summary["rejected"]) == (
        ["spring-tides"],
        ["eclipse"],
        [],
    )
    assert not (tmp_path / "site" / "posts" / "eclipse").exists()
