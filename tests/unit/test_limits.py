"""The limits of pressroom.limits and the refusals that keep hostile front matter cheap.

Each test feeds validate_post one file just past one bound, or with one
construct the validator refuses, and checks that the file is refused with an
error that names the bound (or the problem) so an author can act on it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from pressroom.limits import DEFAULT_LIMITS, Limits
from pressroom.markdown import render_markdown
from pressroom.models import Issue
from pressroom.validation import validate_post

UPLOADED = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
SOURCE_KEY = "posts/limits.md"


def refused(raw: bytes, limits: Limits = DEFAULT_LIMITS) -> tuple[Issue, ...]:
    outcome = validate_post(raw, SOURCE_KEY, first_seen=UPLOADED, limits=limits)
    assert outcome.document is None
    assert outcome.errors
    return outcome.errors


def described(errors: tuple[Issue, ...]) -> str:
    return " ".join(issue.describe(SOURCE_KEY) for issue in errors)


def yaml_post(front_matter: str, body: str = "Body.\n") -> bytes:
    return f"---\n{front_matter}---\n{body}".encode()


def toml_post(front_matter: str) -> bytes:
    return f"+++\n{front_matter}+++\nBody.\n".encode()


def json_post(front_matter: object) -> bytes:
    return (json.dumps(front_matter, indent=2) + "\nBody.\n").encode()


def test_a_well_formed_post_is_accepted_so_the_refusals_below_are_about_the_limit() -> None:
    outcome = validate_post(
        yaml_post("title: Fine\ndate: 2020-01-02\ntags: [a, b]\n"), SOURCE_KEY, first_seen=UPLOADED
    )

    assert outcome.errors == ()
    assert outcome.document is not None


def test_a_file_over_max_object_bytes_is_refused_naming_the_limit() -> None:
    raw = yaml_post("title: Big\n", body="x" * 200)

    errors = refused(raw, Limits(max_object_bytes=100))

    assert "max_object_bytes" in described(errors)


def test_a_file_of_exactly_max_object_bytes_is_read() -> None:
    raw = yaml_post("title: Fits\n")

    outcome = validate_post(
        raw, SOURCE_KEY, first_seen=UPLOADED, limits=Limits(max_object_bytes=len(raw))
    )

    assert outcome.document is not None


@pytest.mark.parametrize(
    "raw",
    [
        yaml_post("title: Big\ndescription: " + "x" * 300 + "\n"),
        toml_post('title = "Big"\ndescription = "' + "x" * 300 + '"\n'),
        json_post({"title": "Big", "description": "x" * 300}),
    ],
    ids=["yaml", "toml", "json"],
)
def test_front_matter_over_max_front_matter_bytes_is_refused_naming_the_limit(raw: bytes) -> None:
    errors = refused(raw, Limits(max_front_matter_bytes=200))

    assert "max_front_matter_bytes" in described(errors)


def test_json_front_matter_longer_than_the_limit_and_never_closed_names_the_limit() -> None:
    raw = b'{"title": "Big", "description": "' + b"x" * 300

    errors = refused(raw, Limits(max_front_matter_bytes=200))

    assert "max_front_matter_bytes" in described(errors)


def nested_lists(depth: int) -> object:
    value: object = "leaf"
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    "raw",
    [
        yaml_post("title: Deep\nextra: " + "[" * 20 + "]" * 20 + "\n"),
        json_post({"title": "Deep", "extra": nested_lists(20)}),
        toml_post('title = "Deep"\nextra = ' + "[" * 20 + "]" * 20 + "\n"),
    ],
    ids=["yaml", "json", "toml"],
)
def test_nesting_deeper_than_max_front_matter_depth_is_refused_naming_the_limit(
    raw: bytes,
) -> None:
    errors = refused(raw)

    assert "max_front_matter_depth" in described(errors)


@pytest.mark.parametrize(
    "raw",
    [
        yaml_post("title: Deep\nextra: " + "[" * 3000 + "]" * 3000 + "\n"),
        b'{"title": "Deep", "extra": ' + b"[" * 3000 + b"]" * 3000 + b"}\n",
        toml_post('title = "Deep"\nextra = ' + "[" * 3000 + "]" * 3000 + "\n"),
    ],
    ids=["yaml", "json", "toml"],
)
def test_nesting_past_the_parsers_own_recursion_is_refused_not_raised(raw: bytes) -> None:
    errors = refused(raw)

    assert "nest" in described(errors)


def test_nesting_of_exactly_max_front_matter_depth_is_accepted() -> None:
    # The mapping is level 1, `extra`'s list level 2, so 14 more lists put the leaf at 16.
    raw = json_post({"title": "Deep", "extra": nested_lists(14)})

    outcome = validate_post(raw, SOURCE_KEY, first_seen=UPLOADED)

    assert outcome.errors == ()


@pytest.mark.parametrize(
    "raw",
    [
        yaml_post("title: Many\nextra: [" + ", ".join(["1"] * 60) + "]\n"),
        json_post({"title": "Many", "extra": [1] * 60}),
        toml_post('title = "Many"\nextra = [' + ", ".join(["1"] * 60) + "]\n"),
    ],
    ids=["yaml", "json", "toml"],
)
def test_more_values_than_max_front_matter_nodes_is_refused_naming_the_limit(raw: bytes) -> None:
    errors = refused(raw, Limits(max_front_matter_nodes=50))

    assert "max_front_matter_nodes" in described(errors)


@pytest.mark.parametrize("field", ["tags", "categories"])
def test_more_entries_than_max_tags_is_refused_naming_the_field_and_the_limit(field: str) -> None:
    words = ", ".join(f"word{number}" for number in range(DEFAULT_LIMITS.max_tags + 1))

    errors = refused(yaml_post(f"title: Tagged\n{field}: [{words}]\n"))

    assert [issue.field for issue in errors] == [field]
    assert "max_tags" in errors[0].message
    assert errors[0].line == 3


def test_tags_and_categories_count_together_against_max_tags() -> None:
    """One index write holds both: 15 tags leave room for 5 categories, not 20."""
    tags = ", ".join(f"tag{number}" for number in range(15))
    categories = ", ".join(f"topic{number}" for number in range(6))

    errors = refused(yaml_post(f"title: Tagged\ntags: [{tags}]\ncategories: [{categories}]\n"))

    assert [issue.field for issue in errors] == ["categories"]
    assert "6 entries beside 15 tags" in errors[0].message
    assert "tags and categories together" in errors[0].message


def test_jekyll_s_singular_category_is_read() -> None:
    outcome = validate_post(
        yaml_post("title: Filed\ncategory: Release notes\n"), SOURCE_KEY, first_seen=UPLOADED
    )

    assert outcome.document is not None
    # One category, spaces and all, as Jekyll reads it; `categories: a b` is two.
    assert outcome.document.categories == ("Release notes",)


def test_duplicate_tags_count_once_against_max_tags() -> None:
    words = ", ".join(["same", "Same", "SAME"] * DEFAULT_LIMITS.max_tags)

    outcome = validate_post(
        yaml_post(f"title: Tagged\ntags: [{words}]\n"), SOURCE_KEY, first_seen=UPLOADED
    )

    assert outcome.document is not None
    assert outcome.document.tags == ("same",)


def test_a_title_over_max_title_chars_is_refused_naming_the_limit() -> None:
    errors = refused(yaml_post("title: " + "t" * (DEFAULT_LIMITS.max_title_chars + 1) + "\n"))

    assert errors[0].field == "title"
    assert "max_title_chars" in errors[0].message


@pytest.mark.parametrize(
    "front_matter",
    [
        "title: Aliased\nbase: &base [a, b]\ncopy: *base\n",
        "title: Bomb\na: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\n",
    ],
    ids=["alias", "bomb"],
)
def test_yaml_aliases_are_refused(front_matter: str) -> None:
    errors = refused(yaml_post(front_matter))

    assert "alias" in described(errors).lower()


@pytest.mark.parametrize(
    "raw",
    [
        yaml_post("title: One\ntitle: Two\n"),
        b'{\n  "title": "One",\n  "title": "Two"\n}\nBody.\n',
    ],
    ids=["yaml", "json"],
)
def test_duplicate_keys_are_refused_naming_the_key(raw: bytes) -> None:
    errors = refused(raw)

    assert "duplicate" in described(errors).lower()
    assert errors[0].field == "title"


def test_a_duplicate_yaml_key_is_reported_at_its_second_line() -> None:
    errors = refused(yaml_post("title: One\ndate: 2020-01-01\ntitle: Two\n"))

    assert errors[0].line == 4


@pytest.mark.parametrize(
    "value",
    [
        "!!python/object/apply:os.system ['echo pwned']",
        "!!python/name:os.system",
        "!!binary aGVsbG8=",
        "!!set {a, b}",
        "!!omap [a: 1]",
        "{<<: {a: 1}}",
        "!custom thing",
        "!<tag:example.com,2024:thing> x",
    ],
)
def test_foreign_yaml_tags_are_refused_naming_the_field_and_line(value: str) -> None:
    errors = refused(yaml_post(f"title: Tagged\nextra: {value}\n"))

    assert "tag" in errors[0].message
    assert errors[0].field == "extra"
    assert errors[0].line == 3


@pytest.mark.parametrize(
    "value", ['!!bool ""', '!!int ""', '!!float ""', "!!timestamp soon", "!!seq x", "!!str [a]"]
)
def test_a_yaml_tag_that_does_not_fit_its_value_is_refused_not_raised(value: str) -> None:
    errors = refused(yaml_post(f"title: Tagged\nextra: {value}\n"))

    assert errors[0].field == "extra"
    assert errors[0].line == 3


def test_explicit_core_yaml_tags_that_fit_are_accepted() -> None:
    outcome = validate_post(
        yaml_post("title: !!str 2020\ndraft: !!bool false\nextra: !!int 7\n"),
        SOURCE_KEY,
        first_seen=UPLOADED,
    )

    assert outcome.document is not None
    assert outcome.document.title == "2020"
    assert outcome.document.extra == {"extra": 7}


def test_invalid_utf8_is_refused_with_its_line() -> None:
    errors = refused(b"---\ntitle: caf\xe9\n---\nBody.\n")

    assert "UTF-8" in errors[0].message
    assert errors[0].line == 2


def test_a_date_that_does_not_exist_is_refused_naming_the_field_and_line() -> None:
    errors = refused(yaml_post("title: Dated\ndate: 2020-13-45\n"))

    assert [(issue.field, issue.line) for issue in errors] == [("date", 3)]
    assert "2020-13-45" in errors[0].message


@pytest.mark.parametrize(
    "raw",
    [
        yaml_post("title: Dated\ndate: '2020-13-45'\n"),
        toml_post('title = "Dated"\ndate = "2020-13-45"\n'),
        b'{\n  "title": "Dated",\n  "date": "2020-13-45"\n}\n',
    ],
    ids=["yaml-quoted", "toml", "json"],
)
def test_a_date_string_that_does_not_exist_is_refused_naming_the_field_and_line(
    raw: bytes,
) -> None:
    errors = refused(raw)

    assert [(issue.field, issue.line) for issue in errors] == [("date", 3)]


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01 00:00:00 +01:00",
        "'9999-12-31T23:59:59-01:00'",
        "'99999999999999999999'",
        "1e400",
        ".nan",
    ],
)
def test_a_date_outside_what_utc_can_hold_is_refused_naming_the_field(value: str) -> None:
    errors = refused(yaml_post(f"title: Dated\ndate: {value}\n"))

    assert [(issue.field, issue.line) for issue in errors] == [("date", 3)]


def test_toml_with_a_syntax_error_gives_its_line() -> None:
    errors = refused(toml_post('title = "Broken"\ndate = \n'))

    assert "TOML" in errors[0].message
    assert errors[0].line == 3


@pytest.mark.parametrize(
    "raw",
    [
        yaml_post("title: Huge\nextra: 0x" + "f" * 4000 + "\n"),
        toml_post('title = "Huge"\nextra = 0x' + "f" * 4000 + "\n"),
        yaml_post("title: Huge\nextra: " + "9" * 5000 + "\n"),
        toml_post('title = "Huge"\nextra = ' + "9" * 5000 + "\n"),
        b'{"title": "Huge", "extra": ' + b"9" * 5000 + b"}\n",
    ],
    ids=["yaml-hex", "toml-hex", "yaml-decimal", "toml-decimal", "json-decimal"],
)
def test_a_number_too_long_for_python_to_write_is_refused_not_raised(raw: bytes) -> None:
    errors = refused(raw)

    assert "quotes" in described(errors)


def test_a_json_lone_surrogate_escape_is_refused_naming_the_field() -> None:
    errors = refused(b'{\n  "title": "Half",\n  "extra": "\\ud800"\n}\n')

    assert [(issue.field, issue.line) for issue in errors] == [("extra", 3)]
    assert "surrogate" in errors[0].message


@pytest.mark.parametrize("image", ["http://[", "https://a\uff0fb/x.png"])
def test_an_image_url_that_cannot_be_split_is_refused_naming_the_field(image: str) -> None:
    errors = refused(yaml_post(f"title: Pictured\nimage: {json.dumps(image)}\n"))

    assert [(issue.field, issue.line) for issue in errors] == [("image", 3)]


def test_a_toml_local_time_is_kept_in_extra_as_text() -> None:
    outcome = validate_post(
        toml_post('title = "Timed"\nalarm = 07:32:00\n'), SOURCE_KEY, first_seen=UPLOADED
    )

    assert outcome.document is not None
    assert outcome.document.extra == {"alarm": "07:32:00"}


@pytest.mark.parametrize(
    ("source_key", "title", "slug"),
    [("posts/a..b.md", "A", "a-b"), ("posts/пост.md", "Wait... what", "wait-what")],
)
def test_a_derived_slug_never_holds_dot_dot(source_key: str, title: str, slug: str) -> None:
    outcome = validate_post(yaml_post(f"title: {title}\n"), source_key, first_seen=UPLOADED)

    assert outcome.document is not None
    assert outcome.document.slug == slug


def test_a_tag_whose_index_key_would_pass_dynamodbs_key_limit_is_refused() -> None:
    cyrillic = "я" * 400
    raw = f"---\ntitle: Long tag\ndate: 2024-01-01\ntags: [{cyrillic}]\n---\nBody.\n".encode()

    outcome = validate_post(raw, "long-tag.md", first_seen=UPLOADED)

    assert not outcome.valid
    assert [issue.field for issue in outcome.errors] == ["tags"]
    assert "max_tag_key_bytes" in outcome.errors[0].message


def _post_with_body(body: str) -> bytes:
    return f"---\ntitle: Notes from the field\ndate: 2024-03-02\n---\n{body}".encode()


def test_quotes_nested_past_max_body_depth_are_refused_naming_the_line() -> None:
    depth = DEFAULT_LIMITS.max_body_depth
    body = f"My editor quoted me quoting her.\n\n{'>' * (depth + 1)} all the way down\n"

    outcome = validate_post(_post_with_body(body), "quotes.md", first_seen=UPLOADED)

    assert not outcome.valid
    [error] = outcome.errors
    assert "max_body_depth" in error.message
    assert error.line == 7
    assert error.describe("quotes.md").startswith("quotes.md:7: ")


def test_quotes_nested_to_max_body_depth_are_accepted() -> None:
    body = f"{'>' * DEFAULT_LIMITS.max_body_depth} as deep as it may go\n"

    outcome = validate_post(_post_with_body(body), "quotes.md", first_seen=UPLOADED)

    assert outcome.valid, outcome.errors


def test_raw_html_nested_past_max_body_depth_is_refused() -> None:
    depth = DEFAULT_LIMITS.max_body_depth + 1
    body = f"Intro.\n\n{'<div>' * depth}deep{'</div>' * depth}\n"

    outcome = validate_post(_post_with_body(body), "divs.md", first_seen=UPLOADED)

    assert [error.line for error in outcome.errors] == [7]
    assert "max_body_depth" in outcome.errors[0].message


def test_a_table_of_more_than_max_table_cells_is_refused_naming_its_line() -> None:
    columns = 100
    rows = DEFAULT_LIMITS.max_table_cells // columns
    header = "|" + "|".join(f"c{n}" for n in range(columns)) + "|\n|" + "-|" * columns + "\n"
    # A row of one letter makes a whole row of cells, the rest empty: 2 bytes for 100 cells.
    body = "The survey, raw.\n\n" + header + "a\n" * rows

    outcome = validate_post(_post_with_body(body), "survey.md", first_seen=UPLOADED)

    assert not outcome.valid
    [error] = outcome.errors
    assert "max_table_cells" in error.message
    assert error.line is not None and error.line >= 7


def test_a_body_of_more_than_max_body_elements_is_refused() -> None:
    body = "*a* " * (DEFAULT_LIMITS.max_body_elements + 1)

    outcome = validate_post(_post_with_body(body), "emphasis.md", first_seen=UPLOADED)

    assert [error.line for error in outcome.errors] == [5]
    assert "max_body_elements" in outcome.errors[0].message


def test_the_largest_accepted_table_renders_within_max_body_html_bytes() -> None:
    columns = 100
    rows = DEFAULT_LIMITS.max_table_cells // columns - 1
    header = "|" + "|".join(f"c{n}" for n in range(columns)) + "|\n|" + "-|" * columns + "\n"
    body = header + "a\n" * rows

    outcome = validate_post(_post_with_body(body), "survey.md", first_seen=UPLOADED)

    assert outcome.document is not None, outcome.errors
    assert len(render_markdown(outcome.document.body_markdown)) <= (
        DEFAULT_LIMITS.max_body_html_bytes
    )


def test_a_body_that_renders_to_more_than_max_body_html_bytes_is_refused() -> None:
    # A `"` is one byte of Markdown and six of HTML (`&quot;`): within every other limit.
    quotes = DEFAULT_LIMITS.max_body_html_bytes // len("&quot;") + 1
    body = "The minutes, as typed.\n\n" + '"' * quotes + "\n"

    outcome = validate_post(_post_with_body(body), "minutes.md", first_seen=UPLOADED)

    assert not outcome.valid
    [error] = outcome.errors
    assert "max_body_html_bytes" in error.message
    assert "bytes of HTML" in error.message
    accepted = body.replace('"' * quotes, '"' * (quotes - 1000))
    assert validate_post(_post_with_body(accepted), "minutes.md", first_seen=UPLOADED).valid
