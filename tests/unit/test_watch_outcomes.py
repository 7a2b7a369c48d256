"""What `pressroom local --watch` prints of each file's outcome (`watch.describe_outcome`)."""

from __future__ import annotations

from datetime import UTC, datetime

from pressroom.indexing import SourceStatus, SourceStatusName
from pressroom_local.watch import describe_outcome

AT = datetime(2026, 12, 2, tzinfo=UTC)


def _status(key: str, status: SourceStatusName, slug: str) -> SourceStatus:
    return SourceStatus(source_key=key, status=status, sequencer="01", event_time=AT, slug=slug)


def test_a_published_post_names_its_page() -> None:
    lines = describe_outcome(_status("posts/walk.md", "published", "walk"))
    assert lines == ["published posts/walk.md → /posts/walk/"]


def test_a_draft_names_its_page_only_in_a_drafts_preview() -> None:
    draft = _status("_drafts/wip.md", "draft", "wip")
    assert describe_outcome(draft) == ["draft     _drafts/wip.md"]
    assert describe_outcome(draft, drafts=True) == ["draft     _drafts/wip.md → /posts/wip/"]


def test_the_site_settings_say_what_they_are_not_a_page() -> None:
    lines = describe_outcome(_status("pressroom.yaml", "published", "@pressroom.yaml"))
    assert lines == ["published pressroom.yaml (the site's settings: every page follows)"]


def test_a_scheduled_post_says_when_it_is_published_and_a_published_one_until_when() -> None:
    release = datetime(2031, 5, 4, 9, 30, tzinfo=UTC)
    scheduled = _status("posts/eclipse.md", "scheduled", "eclipse").model_copy(
        update={"until": release}
    )
    expiring = _status("posts/sale.md", "published", "sale").model_copy(update={"until": release})

    assert describe_outcome(scheduled) == [
        "scheduled posts/eclipse.md (published at 2031-05-04T09:30:00Z)"
    ]
    assert describe_outcome(expiring) == [
        "published posts/sale.md → /posts/sale/ (until 2031-05-04T09:30:00Z)"
    ]
