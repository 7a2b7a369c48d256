"""Property-based tests: validate_post ends every input as a document or as errors.

The validator is the gate for files anyone can upload, so no input may make it
raise, hang or balloon. Hypothesis feeds it, in four tests of 2,500 examples
each (10,000 per run):

- random bytes, some behind a `---`, `+++`, `{` or BOM start so that they
  reach the parsers;
- the real posts of ../shared/corpus/good mutated: bytes flipped, files cut
  short, bytes and hostile lines inserted, lines duplicated or dropped, line
  endings and BOM changed;
- YAML front matter dumped with yaml.safe_dump from generated nested
  mappings, lists and scalars (odd keys, dates, NaN and infinities, huge
  integers, deep nesting), often holding the keys Pressroom gives a meaning;
- TOML and JSON front matter generated the same way.

Every call must finish within a safety bound of time and traced memory. Each
accepted document must satisfy the front-matter rules of DESIGN.md (slug
rule, trimmed title, UTC date in whole seconds); each error must say
something and point at a real line, if at any.
"""

from __future__ import annotations

import json
import math
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta, timezone
from datetime import time as clock_time
from functools import cache
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pressroom.models import ValidationOutcome
from pressroom.slugs import slug_problem
from pressroom.validation import validate_post
from tests.corpus import CORPUS

UPLOADED = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

# Safety bounds, not benchmarks: far above what any single file costs today,
# far below what would hurt a Lambda function.
MAX_SECONDS = 1.0
MAX_PEAK_BYTES = 32 * 1024 * 1024

EXAMPLES_PER_TEST = 2_500

FUZZ = settings(
    max_examples=EXAMPLES_PER_TEST,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

KNOWN_KEYS = (
    "title", "date", "updated", "lastmod", "layout", "extends", "template", "slug",
    "permalink", "draft", "published", "tags", "categories", "description", "image",
)  # fmt: skip

# Lines that each touch one rule of the validator, for splicing into real posts.
HOSTILE_LINES = (
    b"date: 2020-13-45",
    b"date: 0001-01-01 00:00:00 +01:00",
    b"date: '99999999999999999999999'",
    b"slug: ../../etc/passwd",
    b"permalink: https://evil.example/x",
    b"image: javascript:alert(1)",
    b'image: "http://["',
    b"title: !!python/object/apply:os.system ['id']",
    b"tags: !!set {a, b}",
    b"x: !!binary aGVsbG8=",
    b"x: !custom value",
    b'x: !!bool ""',
    b'x: !!timestamp "soon"',
    b"a: &a [1, 2]",
    b"b: *a",
    b"<<: {x: 1}",
    b"title: title",
    b"tags: [" + b"t, " * 40 + b"u]",
    b"x: 0x" + b"f" * 4000,
    b"x = 0x" + b"f" * 4000,
    b"x = 07:32:00",
    b'{"title": "json", "x": "\\ud800"}',
    b"deep: " + b"[" * 40 + b"]" * 40,
    b"---",
    b"+++",
    b"...",
    b"\t- tab",
)


@cache
def corpus_posts() -> tuple[tuple[str, bytes], ...]:
    return tuple((path.name, path.read_bytes()) for path in sorted((CORPUS / "good").glob("*.md")))


def measured_validate(raw: bytes, source_key: str) -> ValidationOutcome:
    """validate_post, failing the example if one call costs more than the safety bounds."""
    already_tracing = tracemalloc.is_tracing()
    if already_tracing:
        tracemalloc.reset_peak()
    else:
        tracemalloc.start()
    baseline = tracemalloc.get_traced_memory()[0]
    started = time.perf_counter()
    try:
        outcome = validate_post(raw, source_key, first_seen=UPLOADED)
    finally:
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] - baseline
        if not already_tracing:
            tracemalloc.stop()
    assert elapsed < MAX_SECONDS, f"one call took {elapsed:.2f} s"
    assert peak < MAX_PEAK_BYTES, f"one call peaked at {peak / 2**20:.1f} MiB"
    return outcome


def check_outcome(raw: bytes, source_key: str) -> ValidationOutcome:
    outcome = measured_validate(raw, source_key)
    assert outcome.source_key == source_key
    # Lines count as the decoder sees them: CR, CRLF and LF each end one.
    last_line = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1
    for issue in (*outcome.errors, *outcome.warnings):
        assert issue.message.strip()
        assert issue.line is None or 1 <= issue.line <= last_line, issue
    document = outcome.document
    if document is None:
        assert outcome.errors, "no document and no error"
        return outcome
    assert outcome.errors == ()
    assert slug_problem(document.slug) is None, document.slug
    assert document.title.strip()
    assert document.title == document.title.strip()
    for instant in (document.date, document.updated):
        if instant is not None:
            assert instant.utcoffset() == timedelta(0)
            assert instant.microsecond == 0
    assert len(document.content_hash) == 64
    return outcome


# Random bytes -------------------------------------------------------------------------

STARTS = st.sampled_from(
    [b"", b"---\n", b"+++\n", b"{", b"\xef\xbb\xbf---\r\n", b"---\ntitle: t\n", b" \n{"]
)
NOISE = st.one_of(st.binary(max_size=512), st.text(max_size=256).map(str.encode))
ENDINGS = st.sampled_from([b"", b"\n---\n", b"\n+++\n", b"}\n"])


@FUZZ
@given(start=STARTS, middle=NOISE, end=ENDINGS, body=st.binary(max_size=64))
def test_random_bytes_end_as_document_or_errors(
    start: bytes, middle: bytes, end: bytes, body: bytes
) -> None:
    check_outcome(start + middle + end + body, "posts/random.md")


# Mutated corpus posts -----------------------------------------------------------------


def flip_byte(raw: bytes, position: int, mask: int) -> bytes:
    if not raw:
        return raw
    index = position % len(raw)
    return raw[:index] + bytes([raw[index] ^ mask]) + raw[index + 1 :]


def truncate(raw: bytes, position: int, _: int) -> bytes:
    return raw[: position % (len(raw) + 1)]


def duplicate_line(raw: bytes, position: int, times: int) -> bytes:
    lines = raw.split(b"\n")
    index = position % len(lines)
    return b"\n".join(lines[:index] + [lines[index]] * (times % 4 + 2) + lines[index + 1 :])


def drop_line(raw: bytes, position: int, _: int) -> bytes:
    lines = raw.split(b"\n")
    del lines[position % len(lines)]
    return b"\n".join(lines)


def insert_hostile_line(raw: bytes, position: int, choice: int) -> bytes:
    lines = raw.split(b"\n")
    # Mostly inside the front matter, where the rules are.
    lines.insert(1 + position % min(len(lines), 8), HOSTILE_LINES[choice % len(HOSTILE_LINES)])
    return b"\n".join(lines)


def toggle_crlf(raw: bytes, _: int, __: int) -> bytes:
    if b"\r\n" in raw:
        return raw.replace(b"\r\n", b"\n")
    return raw.replace(b"\n", b"\r\n")


def toggle_bom(raw: bytes, _: int, times: int) -> bytes:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:]
    return b"\xef\xbb\xbf" * (times % 2 + 1) + raw


def bare_cr(raw: bytes, _: int, __: int) -> bytes:
    return raw.replace(b"\n", b"\r")


MUTATIONS = (
    flip_byte, truncate, duplicate_line, drop_line, insert_hostile_line,
    toggle_crlf, toggle_bom, bare_cr,
)  # fmt: skip


@st.composite
def mutated_posts(draw: st.DrawFn) -> tuple[str, bytes]:
    name, raw = draw(st.sampled_from(corpus_posts()))
    steps = draw(
        st.lists(
            st.tuples(
                st.sampled_from(MUTATIONS),
                st.integers(min_value=0, max_value=1 << 20),
                st.integers(min_value=1, max_value=255),
            ),
            min_size=1,
            max_size=6,
        )
    )
    for mutate, position, amount in steps:
        raw = mutate(raw, position, amount)
    if draw(st.booleans()):
        inserted = draw(st.binary(min_size=1, max_size=16))
        position = draw(st.integers(min_value=0, max_value=len(raw)))
        raw = raw[:position] + inserted + raw[position:]
    return name, raw


@FUZZ
@given(post=mutated_posts())
def test_mutated_corpus_posts_end_as_document_or_errors(post: tuple[str, bytes]) -> None:
    name, raw = post
    check_outcome(raw, f"posts/{name}")


# Generated front matter ---------------------------------------------------------------

ODD_TEXT = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["", " ", "~", "null", "yes", "no", "0x1F", "1e3", "---", "+++", "- a", "#x"]),
    st.sampled_from(["2020-13-45", "2020-02-30", "0001-01-01T00:00:00+01:00", "12345678901234"]),
    st.sampled_from(["../x", "http://[", "javascript:alert(1)", "/ok", "a..b", "Ünïcödé tïtle"]),
)
NUMBERS = st.one_of(
    st.integers(),
    st.sampled_from([2**63, -(2**63) - 1, 10**100, -(10**4000), 253402300800]),
    st.floats(),
    st.sampled_from([math.nan, math.inf, -math.inf, 1e308, -0.0, 5e-324]),
)
INSTANTS = st.one_of(
    st.dates(),
    st.datetimes(),
    st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=14))])),
    st.datetimes(timezones=st.sampled_from([timezone(-timedelta(hours=23, minutes=59))])),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, ODD_TEXT, INSTANTS)
EDGE_INSTANTS = st.sampled_from(
    [
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))),
        datetime(9999, 12, 31, 23, 59, tzinfo=timezone(-timedelta(hours=1))),
        datetime(1970, 1, 1, 0, 0, 0, 999_999),
        "9999-12-31T23:59:59-01:00",
        "1" * 30,
        "-1" * 3,
        1e300,
    ]
)
# Values aimed at the rule behind each key that has a meaning, so that those
# rules are reached far more often than random values would reach them.
AIMED = {
    "date": st.one_of(INSTANTS, EDGE_INSTANTS, NUMBERS, ODD_TEXT),
    "slug": st.one_of(st.from_regex(r"[a-z0-9._/-]{0,12}", fullmatch=True), ODD_TEXT),
    "permalink": st.one_of(
        st.from_regex(r"(/[a-z.]{0,5}){0,3}/?(\.html)?", fullmatch=True), ODD_TEXT
    ),
    "image": st.one_of(
        st.sampled_from(["http://[", "https://a\uff0fb/x", "//cdn", "data:,x", "/i.png"]),
        st.text(max_size=12).map(lambda text: "https://" + text),
    ),
    "tags": st.one_of(st.lists(st.text(max_size=8), max_size=40), st.text(max_size=30)),
    "draft": st.one_of(st.booleans(), SCALARS),
    "title": st.one_of(st.text(max_size=40), ODD_TEXT, NUMBERS),
    "layout": st.sampled_from(["post", "page", " page ", "post.html", "_layouts.post", "nope"]),
}
AIMED.update(updated=AIMED["date"], lastmod=AIMED["date"], categories=AIMED["tags"])
AIMED.update(published=AIMED["draft"], description=AIMED["title"])
AIMED.update(extends=AIMED["layout"], template=AIMED["layout"])


def nested(scalars: st.SearchStrategy[Any], keys: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    tree = st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4)
        ),
        max_leaves=12,
    )
    # Deep but narrow, around max_front_matter_depth, which random trees rarely reach.
    deep = st.tuples(tree, st.integers(min_value=10, max_value=40), st.booleans()).map(
        lambda spec: wrap(spec[0], spec[1], as_list=spec[2])
    )
    return st.one_of(tree, deep)


def wrap(value: Any, depth: int, *, as_list: bool) -> Any:
    for _ in range(depth):
        value = [value] if as_list else {"k": value}
    return value


@st.composite
def front_matter(
    draw: st.DrawFn, scalars: st.SearchStrategy[Any], keys: st.SearchStrategy[Any]
) -> dict[Any, Any]:
    """A mapping that often looks like a post, with any of the keys that have a meaning."""
    values = nested(scalars, keys)
    # Mostly what an author would write, so that many examples become documents.
    aimed = st.integers(min_value=0, max_value=3).map(bool)
    data: dict[Any, Any] = {}
    if draw(st.integers(min_value=0, max_value=9)):
        data["title"] = draw(AIMED["title"] if draw(aimed) else values)
    for key in draw(st.lists(st.sampled_from(KNOWN_KEYS), max_size=5, unique=True)):
        data[key] = draw(AIMED.get(key, values) if draw(aimed) else values)
    top_keys = st.text(max_size=12) if draw(aimed) else keys
    data.update(draw(st.dictionaries(top_keys, values, max_size=4)))
    return data


YAML_KEYS = st.one_of(st.text(max_size=12), st.integers(), st.booleans(), st.none(), st.dates())
BODY = st.text(max_size=80)


@FUZZ
@given(
    data=front_matter(SCALARS, YAML_KEYS),
    flow=st.sampled_from([None, True, False]),
    unicode=st.booleans(),
    body=BODY,
)
def test_generated_yaml_front_matter_ends_as_document_or_errors(
    data: dict[Any, Any], flow: bool | None, unicode: bool, body: str
) -> None:
    dumped = yaml.safe_dump(
        data, default_flow_style=flow, allow_unicode=unicode, sort_keys=False, width=60
    )
    check_outcome(f"---\n{dumped}---\n{body}".encode(), "posts/generated.md")


# TOML has no writer in the standard library; this one covers the value types tomllib reads.
def toml_value(value: Any) -> str:
    if value is None:
        # TOML has no null: `key = ` with nothing after it is a syntax error, worth feeding too.
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return toml_key(value)
    if isinstance(value, datetime | date | clock_time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        pairs = (f"{toml_key(key)} = {toml_value(item)}" for key, item in value.items())
        return "{" + ", ".join(pairs) + "}"
    raise TypeError(type(value).__name__)


def toml_key(text: str) -> str:
    # A JSON string is a TOML basic string, except that TOML has no `\/` (json never writes it).
    return json.dumps(text, ensure_ascii=False)


TOML_SCALARS = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(),
    ODD_TEXT,
    INSTANTS,
    st.times(),
)
JSON_SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, ODD_TEXT)
JSON_KEYS = st.text(max_size=12)


@st.composite
def toml_or_json_files(draw: st.DrawFn) -> bytes:
    if draw(st.booleans()):
        data = draw(front_matter(TOML_SCALARS, JSON_KEYS))
        lines = [f"{toml_key(key)} = {toml_value(value)}" for key, value in data.items()]
        if draw(st.booleans()):
            lines.insert(
                draw(st.integers(0, len(lines))), draw(st.sampled_from(HOSTILE_LINES)).decode()
            )
        source = "+++\n" + "\n".join(lines) + "\n+++\n"
    else:
        data = draw(front_matter(JSON_SCALARS, JSON_KEYS))
        indent = draw(st.sampled_from([None, 0, 2]))
        source = draw(st.sampled_from(["", "\n", "  "])) + json.dumps(
            data, indent=indent, ensure_ascii=draw(st.booleans()), default=date.isoformat
        )
    return (source + "\n" + draw(BODY)).encode()


@FUZZ
@given(raw=toml_or_json_files())
def test_generated_toml_and_json_front_matter_ends_as_document_or_errors(raw: bytes) -> None:
    check_outcome(raw, "posts/generated.md")
