"""The registry of front-matter fields (validation.FRONT_MATTER_FIELDS) against what it
promises: every key it reads is in the authors' table, each key has one meaning, and a
key it does not know is kept for templates."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime

import pytest

from pressroom.validation import FRONT_MATTER_FIELDS, validate_post
from tests.corpus import PROJECT_ROOT

AUTHORS_GUIDE = PROJECT_ROOT / "docs" / "authors.md"
READ_KEYS = sorted(
    {key for entry in FRONT_MATTER_FIELDS for key in (*entry.keys, *entry.also_reads)}
)
# A key as the table writes it: alone (`slug`), with a value (`draft: true`, TOML's
# `tags = [...]`), or as a TOML table (`[taxonomies]`).
NAMED_KEY = re.compile(r"`\[?([A-Za-z_]+)(?:\]|:| =|`)")


def front_matter_table() -> str:
    text = AUTHORS_GUIDE.read_text(encoding="utf-8")
    start = text.index("| title | `title` |")
    rows = text[start:].split("\n\n", 1)[0]
    assert rows.count("\n") > 10, "the table ends where it should not"
    return rows


@pytest.mark.parametrize("key", READ_KEYS)
def test_every_key_the_registry_reads_is_in_the_authors_table(key: str) -> None:
    assert key in NAMED_KEY.findall(front_matter_table())


def test_no_key_is_claimed_by_two_fields() -> None:
    claims = Counter(key for entry in FRONT_MATTER_FIELDS for key in entry.keys)

    assert [key for key, count in claims.items() if count > 1] == []


def test_each_document_field_is_made_once_and_hashed_by_its_own_entry() -> None:
    made = [name for entry in FRONT_MATTER_FIELDS for name in entry.fields]

    assert len(made) == len(set(made))
    for entry in FRONT_MATTER_FIELDS:
        assert set(entry.hashed_unless) <= set(entry.fields)


def test_a_key_the_registry_does_not_know_is_kept_in_extra() -> None:
    raw = b"---\ntitle: Ferry\ndate: 2021-03-04\nferry_operator: Jadrolinija\n---\nLate.\n"

    outcome = validate_post(raw, "posts/ferry.md", first_seen=datetime(2026, 1, 2, tzinfo=UTC))

    assert outcome.document is not None
    assert outcome.document.extra == {"ferry_operator": "Jadrolinija"}
