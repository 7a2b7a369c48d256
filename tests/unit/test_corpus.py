"""Every file of the shared corpus ends as EXPECTED.json says, through the validator alone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pressroom.models import format_instant
from pressroom.validation import validate_post
from tests.corpus import CorpusCase, cases

UPLOADED = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("case", cases("good"), ids=lambda case: case.id)
def test_good_file_is_accepted_as_expected(case: CorpusCase) -> None:
    outcome = validate_post(case.path.read_bytes(), case.name, first_seen=UPLOADED)

    assert outcome.errors == ()
    document = outcome.document
    assert document is not None
    expected = case.expected
    assert document.slug == expected["slug"]
    assert document.draft is (not expected["publish"])
    if "title" in expected:
        assert document.title == expected["title"]
    if "date" in expected:
        assert format_instant(document.date) == expected["date"]
    for field in ("tags", "categories"):
        if field in expected:
            assert list(getattr(document, field)) == expected[field]
    for field in ("layout", "image", "description"):
        if field in expected:
            assert getattr(document, field) == expected[field]
    for key, value in expected.get("extra", {}).items():
        assert document.extra[key] == value


@pytest.mark.parametrize("case", cases("bad"), ids=lambda case: case.id)
def test_bad_file_is_refused_naming_the_problem(case: CorpusCase) -> None:
    outcome = validate_post(case.path.read_bytes(), case.name, first_seen=UPLOADED)

    assert outcome.document is None
    assert outcome.errors
    described = " ".join(issue.describe(case.name) for issue in outcome.errors).lower()
    assert any(word.lower() in described for word in case.expected["mentions"]), described


@pytest.mark.parametrize("case", cases(), ids=lambda case: case.id)
def test_every_error_names_the_file_and_where_known_the_line(case: CorpusCase) -> None:
    outcome = validate_post(case.path.read_bytes(), case.name, first_seen=UPLOADED)

    for issue in outcome.errors:
        assert issue.describe(case.name).startswith(case.name)
        assert issue.line is None or issue.line >= 1
