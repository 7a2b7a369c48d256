"""The seed article, parsed exactly: what a Jigsaw export really looks like."""

from __future__ import annotations

from datetime import UTC, datetime

from pressroom.frontmatter import decode_source, parse_front_matter
from pressroom.limits import DEFAULT_LIMITS
from pressroom.validation import validate_post
from tests.corpus import SEED

SEED_TITLE = "Armenia and Azerbaijan Say Cease-Fire Truce Fails to Hold"


def test_seed_front_matter_keeps_yaml_semantics() -> None:
    front_matter = parse_front_matter(decode_source(SEED.read_bytes()), DEFAULT_LIMITS)

    assert front_matter.format == "yaml"
    # Folded scalars keep their trailing space and newline; the validator trims them.
    assert front_matter.data["title"] == SEED_TITLE + " \n"
    # An epoch date comes back as a float, fractions and all.
    assert front_matter.data["date"] == 1602347415.0514307
    assert front_matter.key_lines["date"] == 9
    assert front_matter.body.startswith("MOSCOW — Armenia and Azerbaijan agreed")


def test_seed_becomes_a_canonical_document() -> None:
    outcome = validate_post(SEED.read_bytes(), "armenia-azerbaijan-truce.md", first_seen=_now())

    document = outcome.document
    assert document is not None
    assert document.title == SEED_TITLE
    assert document.date == datetime(2020, 10, 10, 16, 30, 15, tzinfo=UTC)
    assert document.layout == "post"  # from `extends: _layouts.post`
    assert document.description is not None
    assert document.description.startswith("If the truce holds")
    assert document.image is not None
    assert document.image.startswith("https://api.time.com/")
    assert document.extra == {"section": "content"}
    assert outcome.warnings == ()


def test_content_hash_is_stable_and_follows_the_content() -> None:
    raw = SEED.read_bytes()
    first = validate_post(raw, "a.md", first_seen=_now()).document
    again = validate_post(raw, "a.md", first_seen=_now()).document
    edited = validate_post(raw.replace(b"MOSCOW", b"Moscow"), "a.md", first_seen=_now()).document

    assert first is not None and again is not None and edited is not None
    assert first.content_hash == again.content_hash
    assert first.content_hash != edited.content_hash


def _now() -> datetime:
    return datetime(2026, 1, 1, tzinfo=UTC)
