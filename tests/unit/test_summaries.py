"""What listings and the feed show of a post (issue 18, item 6): `summary` or `excerpt`,
else its description, else its text before `<!--more-->`, else its first paragraph."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pressroom.config import SiteConfig
from pressroom.listings import ListingTail
from pressroom.markdown import SUMMARY_CHARS, summary_text
from pressroom.models import PostDocument
from pressroom.site import Theme, render_archive_pages
from pressroom.syndication import render_feed
from pressroom.validation import validate_post

NOW = datetime(2026, 12, 2, tzinfo=UTC)


def document(front_matter: str, body: str) -> PostDocument:
    raw = f"---\ntitle: Night trains\ndate: 2021-01-14\n{front_matter}---\n{body}"
    outcome = validate_post(raw.encode(), "night-trains.md", first_seen=NOW)
    assert outcome.document is not None, outcome.errors
    return outcome.document


BODY = "The sleeper left *Zurich* at ten, [on time](https://sbb.example/).\n\nWe slept.\n"


@pytest.mark.parametrize(
    ("front_matter", "body", "shown"),
    [
        ("summary: Two nights on rails.\n", BODY, "Two nights on rails."),
        ("excerpt: Two nights on rails.\n", BODY, "Two nights on rails."),
        ("description: A description.\n", BODY, "A description."),
        ("", BODY, "The sleeper left Zurich at ten, on time."),
        ("", "## Day 1\n\nFirst.\n\nSecond.\n<!--more-->\nThird.\n", "Day 1 First. Second."),
        ("", "![A map](map.png)\n\nWe left.\n", "We left."),
        ("", "", None),
    ],
)
def test_the_summary_is_the_first_of_its_sources(
    front_matter: str, body: str, shown: str | None
) -> None:
    assert document(front_matter, body).excerpt == shown


def test_a_long_first_paragraph_is_cut_at_a_word() -> None:
    summary = summary_text("Sleeper " * 200)

    assert summary is not None and len(summary) <= SUMMARY_CHARS
    assert summary.endswith("Sleeper…")


def test_a_summary_carries_no_character_a_feed_cannot_hold_nor_a_bidi_override() -> None:
    assert summary_text("Left &#1; at \u202eten.") == "Left \ufffd at ten."


def test_a_summary_shows_in_listings_and_the_feed() -> None:
    post = document("", BODY).summary()
    site = SiteConfig(base_url="https://notes.example.org/")

    [(_, archive)] = render_archive_pages(2021, 1, ListingTail(0, (post,)), site, Theme())

    assert '<p class="summary">The sleeper left Zurich at ten, on time.</p>' in archive
    assert b"<summary>The sleeper left Zurich at ten, on time.</summary>" in render_feed(
        [post], site
    )


def test_a_derived_summary_leaves_the_content_hash_as_it_was_and_a_written_one_counts() -> None:
    plain = document("", BODY)

    assert document("summary: Two nights.\n", BODY).content_hash != plain.content_hash
    assert document("summary: Two nights!\n", BODY).content_hash != (
        document("summary: Two nights.\n", BODY).content_hash
    )
