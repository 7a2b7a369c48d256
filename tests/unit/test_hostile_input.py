"""Hostile and pathological input (issue 16, the input side): characters that no page or
feed can carry, dates that only look like ISO 8601, YAML 1.1's surprises, and text that is
not UTF-8. Each file is refused with an error naming the field and line, or read as its
author meant it; nothing the validator accepts can break a later step."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from pressroom.characters import first_unpublishable
from pressroom.config import SiteConfig
from pressroom.models import Issue, PostDocument, format_instant
from pressroom.site import Theme, render_post_page
from pressroom.syndication import render_feed, render_search_shard
from pressroom.validation import validate_post

UPLOADED = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
SOURCE_KEY = "posts/harbour-notes.md"


def validated(raw: bytes) -> PostDocument:
    outcome = validate_post(raw, SOURCE_KEY, first_seen=UPLOADED)
    assert outcome.errors == ()
    assert outcome.document is not None
    return outcome.document


def refused(raw: bytes) -> tuple[Issue, ...]:
    outcome = validate_post(raw, SOURCE_KEY, first_seen=UPLOADED)
    assert outcome.document is None
    assert outcome.errors
    return outcome.errors


def yaml_post(front_matter: str, body: str = "The ferry was late again.\n") -> bytes:
    return f"---\n{front_matter}---\n{body}".encode()


# Control characters ---------------------------------------------------------------------

# Each is legal as an escape in YAML, TOML and JSON strings, and none can be in XML 1.0
# (C1 and DEL can, but no feed reader or terminal should see them).
CONTROL_CHARACTERS = ["\x07", "\x1b", "\x7f", "\x85", "\x9b", "\ufffe", "\uffff"]


def escaped_in(fmt: str, char: str) -> bytes:
    """A post whose title holds `char`, written as the format's own escape, on line 3."""
    code = f"\\u{ord(char):04x}"
    if fmt == "yaml":
        return yaml_post(f'date: 2021-03-14\ntitle: "Tide tables{code} for March"\n')
    if fmt == "toml":
        return (
            f'+++\ndate = 2021-03-14\ntitle = "Tide tables{code} for March"\n+++\nBody.\n'.encode()
        )
    return (
        '{\n  "date": "2021-03-14",\n  "title": "Tide tables' + code + ' for March"\n}\nBody.\n'
    ).encode()


@pytest.mark.parametrize("char", CONTROL_CHARACTERS, ids=lambda char: f"U+{ord(char):04X}")
@pytest.mark.parametrize("fmt", ["yaml", "toml", "json"])
def test_a_control_character_escape_in_front_matter_is_refused_naming_field_and_line(
    fmt: str, char: str
) -> None:
    errors = refused(escaped_in(fmt, char))

    assert [(issue.field, issue.line) for issue in errors] == [("title", 3)]
    assert f"U+{ord(char):04X}" in errors[0].message


@pytest.mark.parametrize(
    "front_matter",
    [
        'title: Tide tables\nextra:\n  note: "low water\\e[2J"\n',
        'title: Tide tables\nextra:\n  "bell\\a": 1\n',
        'title: Tide tables\nextra: ["ok", "\\x00"]\n',
    ],
    ids=["nested-value", "nested-key", "list-item"],
)
def test_a_control_character_anywhere_in_a_field_names_the_top_level_field(
    front_matter: str,
) -> None:
    errors = refused(yaml_post(front_matter))

    assert [(issue.field, issue.line) for issue in errors] == [("extra", 3)]


@pytest.mark.parametrize("char", ["\x01", "\x0c", "\x1b", "\x85", "\ufffe"])
def test_a_forbidden_character_in_the_body_is_refused_with_its_line(char: str) -> None:
    body = f"The ferry was late again.\n\nThe bell rang{char} twice.\n"

    errors = refused(yaml_post("title: Tide tables\n", body))

    assert [issue.line for issue in errors] == [6]
    assert f"U+{ord(char):04X}" in errors[0].message


@pytest.mark.parametrize(
    "raw",
    [escaped_in(fmt, "\x07") for fmt in ("yaml", "toml", "json")]
    + [yaml_post('title: Tide tables\ndescription: "calm\\eseas"\n')],
    ids=["yaml-title", "toml-title", "json-title", "yaml-description"],
)
def test_nothing_the_validator_accepts_makes_the_feed_unreadable(raw: bytes) -> None:
    outcome = validate_post(raw, SOURCE_KEY, first_seen=UPLOADED)
    if outcome.document is None:
        return  # refused: it never reaches a feed

    feed = render_feed([outcome.document.summary()], SiteConfig())

    ET.fromstring(feed)  # a strict XML 1.0 parser


# Character references ---------------------------------------------------------------------

# Written as references, the characters refused above pass the validator's check of the
# text as written: cmark decodes them in prose, link titles and image alts, ammonia in raw
# HTML's attributes. cmark writes U+FFFE and U+FFFF as bytes that are not UTF-8.
# Each is shown as HTML's parser shows it: a C1 control as windows-1252's character.
CHARACTER_REFERENCES = {
    "&#1;": "\ufffd",
    "&#x7;": "\ufffd",
    "&#27;": "\ufffd",
    "&#x7F;": "\ufffd",
    "&#128;": "\u20ac",
    "&#x9b;": "\u203a",
    "&#x81;": "\ufffd",
    "&#xFFFE;": "\ufffd",
    "&#65535;": "\ufffd",
}


def referenced_in_body(reference: str) -> bytes:
    body = (
        f"The bell rang{reference} twice at the harbour.\n\n"
        f'![Tide chart{reference}](/images/tides.png "Low water{reference}")\n\n'
        f'<abbr title="High water{reference}">HW</abbr> was at noon.\n'
    )
    return yaml_post('title: Tide tables\ndescription: "Calm seas"\ntags: [harbour]\n', body)


@pytest.mark.parametrize(("reference", "shown"), CHARACTER_REFERENCES.items())
def test_a_character_reference_to_a_forbidden_character_never_reaches_page_or_feed(
    reference: str, shown: str
) -> None:
    document = validated(referenced_in_body(reference))

    page = render_post_page(document, SiteConfig(), Theme())
    feed = render_feed([document.summary()], SiteConfig())
    shard = render_search_shard([document.summary()], SiteConfig())

    assert first_unpublishable(page) is None
    assert page.count(shown) == 4
    ET.fromstring(feed)  # a strict XML 1.0 parser
    assert first_unpublishable(shard.decode()) is None


# Right-to-left overrides ------------------------------------------------------------------


@pytest.mark.parametrize("char", ["\u202e", "\u202b", "\u2066", "\u2069"])
@pytest.mark.parametrize("field", ["title", "tags", "categories", "description"])
def test_a_bidi_control_in_a_one_line_field_is_refused_naming_it(field: str, char: str) -> None:
    value = json.dumps(f"Harbour {char}notes")
    front_matter = f"title: Tide tables\n{field}: {value}\n"
    if field == "title":
        front_matter = f"title: {value}\n"

    errors = refused(yaml_post(front_matter))

    assert [issue.field for issue in errors] == [field]
    assert f"U+{ord(char):04X}" in errors[0].message


def test_right_to_left_text_without_controls_is_accepted() -> None:
    document = validated(yaml_post("title: מזג האוויר בנמל\n"))

    assert document.title == "מזג האוויר בנמל"


# Dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "written"),
    [
        (datetime(999, 5, 4, tzinfo=UTC), "0999-05-04T00:00:00Z"),
        (datetime(1, 1, 1, tzinfo=UTC), "0001-01-01T00:00:00Z"),
        (datetime(2020, 10, 10, 16, 30, 15, tzinfo=UTC), "2020-10-10T16:30:15Z"),
    ],
)
def test_instants_are_written_with_a_four_digit_year(instant: datetime, written: str) -> None:
    assert format_instant(instant) == written


@pytest.mark.parametrize(
    "date",
    ["2020-10-10t16:30:00z", "2020-10-10t16:30:00+02:00", '"2020-10-10T16:30:00z"'],
)
def test_lowercase_t_and_z_are_read_as_rfc_3339_allows(date: str) -> None:
    document = validated(yaml_post(f"title: Tide tables\ndate: {date}\n"))

    assert document.date.hour in {14, 16}
    assert document.date.date() == datetime(2020, 10, 10).date()


@pytest.mark.parametrize(
    "raw",
    [
        yaml_post("title: Tide tables\ndate: 20200101\n"),
        yaml_post('title: Tide tables\ndate: "20200101"\n'),
        b'{"title": "Tide tables", "date": 20200101}\nBody.\n',
        b'{"title": "Tide tables", "date": "20200101"}\nBody.\n',
        b'+++\ntitle = "Tide tables"\ndate = 20200101\n+++\nBody.\n',
    ],
    ids=["yaml-number", "yaml-quoted", "json-number", "json-string", "toml-number"],
)
def test_a_compact_date_is_refused_as_ambiguous_however_it_is_written(raw: bytes) -> None:
    errors = refused(raw)

    assert [issue.field for issue in errors] == ["date"]
    assert "2020-01-01" in errors[0].message
    assert "epoch" in errors[0].message


def test_epoch_seconds_that_cannot_be_a_compact_date_are_still_epoch_seconds() -> None:
    document = validated(yaml_post("title: Tide tables\ndate: 1602347415\n"))

    assert format_instant(document.date) == "2020-10-10T16:30:15Z"


# YAML 1.1 -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("1:30", "1:30"),
        ("12:30:45", "12:30:45"),
        ("-1:30", "-1:30"),
        ("190:20:30.15", "190:20:30.15"),
    ],
)
def test_base_60_numbers_stay_text(written: str, read: str) -> None:
    document = validated(yaml_post(f"title: {written}\nrunning_time: {written}\n"))

    assert document.title == read
    assert document.extra["running_time"] == read


def test_plain_numbers_are_still_numbers() -> None:
    document = validated(yaml_post("title: Tide tables\nweight: 1_000\nratio: 2.5\nneg: -3\n"))

    assert document.extra == {"weight": 1000, "ratio": 2.5, "neg": -3}


# Encodings ------------------------------------------------------------------------------

POST = "---\ntitle: Höhenmeter und Gezeiten\ndate: 2021-03-14\n---\nDie Fähre kam wieder zu spät.\n"


@pytest.mark.parametrize(
    "encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"]
)
def test_utf_16_and_utf_32_with_a_byte_order_mark_are_read(encoding: str) -> None:
    raw = POST.encode(encoding)
    if not encoding.endswith(("16", "32")):
        raw = "\ufeff".encode(encoding) + raw

    document = validated(raw)

    assert document.title == "Höhenmeter und Gezeiten"
    assert document.body_markdown == "Die Fähre kam wieder zu spät.\n"


def test_utf_16_without_a_byte_order_mark_is_refused_naming_the_encoding() -> None:
    errors = refused(POST.encode("utf-16-le"))

    assert "UTF-16" in errors[0].message


def test_a_truncated_utf_16_file_is_refused_naming_the_encoding() -> None:
    errors = refused(POST.encode("utf-16")[:-1])

    assert "UTF-16" in errors[0].message
