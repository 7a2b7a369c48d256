"""Front-matter keys other generators write (DESIGN.md's "Front matter" table), read as
the validator and `check` read them: one code path, validate_post."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pressroom.dates import parse_date
from pressroom.models import PostDocument
from pressroom.validation import validate_post

UPLOADED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def validated(raw: str, key: str = "posts/ferry-timetable.md") -> PostDocument:
    outcome = validate_post(raw.encode(), key, first_seen=UPLOADED)
    assert outcome.errors == ()
    assert outcome.document is not None
    return outcome.document


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("Jul 01 2022", datetime(2022, 7, 1, tzinfo=UTC)),
        ("Jul 1, 2022", datetime(2022, 7, 1, tzinfo=UTC)),
        ("July 1 2022", datetime(2022, 7, 1, tzinfo=UTC)),
        ("1 Jul 2022", datetime(2022, 7, 1, tzinfo=UTC)),
    ],
)
def test_a_date_written_with_the_month_name_is_read(written: str, read: datetime) -> None:
    assert parse_date(written) == read


@pytest.mark.parametrize("written", ["Jul 32 2022", "Juli 1 2022", "next tuesday-ish"])
def test_a_month_name_date_that_is_no_date_is_refused_naming_the_forms(written: str) -> None:
    with pytest.raises(ValueError, match="Jul 01 2022"):
        parse_date(written)


@pytest.mark.parametrize(
    ("front_matter", "date"),
    [
        ('pubDate: "Jul 01 2022"\n', datetime(2022, 7, 1, tzinfo=UTC)),  # Astro
        ("published: 2021-03-04\n", datetime(2021, 3, 4, tzinfo=UTC)),  # Eleventy, dev.to
        ("post_date: 2020-05-06 10:00:00\n", datetime(2020, 5, 6, 10, tzinfo=UTC)),
        ("date: 2019-01-01\npubDate: 2018-01-01\n", datetime(2019, 1, 1, tzinfo=UTC)),
    ],
)
def test_other_date_keys_date_the_post(front_matter: str, date: datetime) -> None:
    document = validated(f"---\ntitle: Ferry timetable\n{front_matter}---\nLate again.\n")

    assert document.date == date
    assert not document.dated_by_upload and not document.draft


def test_published_false_is_still_a_draft() -> None:
    assert validated("---\ntitle: Ferry\ndate: 2021-03-04\npublished: false\n---\nx\n").draft


def test_a_date_under_another_key_that_is_no_date_is_refused_naming_that_key() -> None:
    outcome = validate_post(
        b"---\ntitle: Ferry\npubDate: someday\n---\nx\n", "posts/f.md", first_seen=UPLOADED
    )

    assert [(issue.field, issue.line) for issue in outcome.errors] == [("pubDate", 3)]


@pytest.mark.parametrize("key", ["updated", "lastmod", "modified", "last_modified_at"])
def test_each_updated_key_is_read(key: str) -> None:
    document = validated(f"---\ntitle: Ferry\ndate: 2021-03-04\n{key}: 2021-04-05\n---\nx\n")

    assert document.updated == datetime(2021, 4, 5, tzinfo=UTC)
    assert key not in document.extra


def test_zola_taxonomies_give_tags_and_categories() -> None:
    document = validated(
        "+++\n"
        'title = "Island hopping on a budget"\n'
        "date = 2022-08-14\n"
        "[taxonomies]\n"
        'tags = ["croatia", "ferries"]\n'
        'categories = ["travel"]\n'
        "+++\n"
        "Four islands, one week.\n"
    )

    assert document.tags == ("croatia", "ferries")
    assert document.categories == ("travel",)


def test_a_taxonomy_that_is_not_a_list_is_refused() -> None:
    outcome = validate_post(
        b'+++\ntitle = "x"\n[taxonomies]\ntags = 3\n+++\nx\n', "posts/x.md", first_seen=UPLOADED
    )

    assert [issue.field for issue in outcome.errors] == ["taxonomies"]
