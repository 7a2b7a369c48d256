"""Which listings a batch touches, and the batch's own changes laid over a stale listing index."""

from __future__ import annotations

from datetime import UTC, datetime

from pressroom.indexing import PostRecord
from pressroom.listings import PostChange, plan_listings
from pressroom.models import PostSummary


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
    assert plan.months == {(2025, 3)}
    assert plan.tags == {"php", "open-source"}
    assert plan.new_items


def test_a_date_and_tag_change_touches_both_months_and_all_tags() -> None:
    before = live(post("a", month=3, tags=("old",)))
    after = live(post("a", month=5, tags=("new",)))

    plan = plan_listings([PostChange(old=before, new=after)])

    assert plan.months == {(2025, 3), (2025, 5)}
    assert plan.tags == {"old", "new"}


def test_a_draft_edit_touches_nothing() -> None:
    draft = live(post("a"), status="draft")

    plan = plan_listings([PostChange(old=draft, new=live(post("a", title="U"), status="draft"))])

    assert (plan.home, plan.months, plan.tags) == (False, frozenset(), frozenset())


def test_a_tombstone_created_by_a_late_event_still_renders_the_home_page() -> None:
    plan = plan_listings([PostChange(old=None, new=gone("a"))])

    assert plan.home
    assert not plan.months
