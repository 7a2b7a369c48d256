"""Split a source file into front matter and body, and parse the front matter safely.

Three syntaxes, as Jekyll, Jigsaw and Hugo write them: YAML between `---`
lines, TOML between `+++` lines, or a JSON object at the very start. The
YAML is walked as a node graph before anything is constructed, so that
aliases, unknown tags, duplicate keys and deep nesting are refused before
they cost memory or time.
"""

from __future__ import annotations

import codecs
import json
import re
import sys
import tomllib
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from pressroom.characters import describe_character, first_unpublishable
from pressroom.exceptions import FrontMatterError
from pressroom.limits import Limits
from pressroom.models import excerpt

FrontMatterFormat = Literal["yaml", "toml", "json"]

_FENCES: dict[str, FrontMatterFormat] = {"---": "yaml", "+++": "toml"}

_YAML_STR = "tag:yaml.org,2002:str"
_YAML_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")
)
# The tags YAML's core schema resolves plain values to, plus explicit
# `!!str`-style spellings of the same, each on the kind of node it describes.
# Anything else (`!!python/...`, `!!binary`, `!!set`, custom `!tags`) has no
# business in front matter.
_ALLOWED_YAML_TAGS: dict[type[Node], frozenset[str]] = {
    ScalarNode: _YAML_SCALAR_TAGS,
    SequenceNode: frozenset({"tag:yaml.org,2002:seq"}),
    MappingNode: frozenset({"tag:yaml.org,2002:map"}),
}
_KNOWN_YAML_TAGS = frozenset().union(*_ALLOWED_YAML_TAGS.values())
_YAML_NUMBER_TAGS = frozenset({"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"})


class _FrontMatterLoader(yaml.CSafeLoader):
    """libyaml's safe loader without YAML 1.1's base-60 numbers, which YAML 1.2 dropped:
    `title: 1:30` stays the text "1:30" instead of becoming 90."""


# The only plain numbers with a colon are base-60 ones, so a number may hold none.
_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [
        (tag, re.compile(r"(?![^:]*:)" + regexp.pattern, regexp.flags))
        if tag in _YAML_NUMBER_TAGS
        else (tag, regexp)
        for tag, regexp in resolvers
    ]
    for first, resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class FrontMatter:
    """A source file taken apart."""

    format: FrontMatterFormat
    data: dict[str, Any]
    """The front matter as plain Python values."""
    body: str
    """Markdown after the closing delimiter."""
    key_lines: dict[str, int] = field(default_factory=dict)
    """1-based source line of each top-level key, for error messages."""


# Byte order marks, UTF-32's first: its little-endian mark begins with UTF-16's.
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)


def decode_source(raw: bytes) -> str:
    """Bytes to text: UTF-8 (a BOM is dropped), or UTF-16 or UTF-32 with a BOM, as Windows
    editors save them; LF line endings. Text that no page or feed can carry is refused."""
    codec, encoding = next(
        ((codec, name) for mark, codec, name in _BYTE_ORDER_MARKS if raw.startswith(mark)),
        ("utf-8-sig", "UTF-8"),
    )
    if codec == "utf-8-sig" and b"\x00" in raw[:8192]:
        raise FrontMatterError(
            "this is a binary file, not UTF-8 text: only Markdown text files can be published "
            "(UTF-16 or UTF-32 text without a byte order mark reads as binary: save it as UTF-8)"
        )
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as error:
        line = raw[: error.start].decode(codec, "replace").count("\n") + 1
        raise FrontMatterError(
            f"the file is not valid {encoding} text (invalid bytes at offset {error.start:,}: "
            f"{error.reason}); save it with UTF-8 encoding",
            line=line,
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    position = first_unpublishable(text)
    if position is not None:
        line = text.count("\n", 0, position) + 1
        raise FrontMatterError(
            f"line {line} holds {describe_character(text[position])}, which no web page or "
            "feed can carry; remove it",
            line=line,
        )
    return text


def parse_front_matter(text: str, limits: Limits) -> FrontMatter:
    """Find the front matter at the start of `text` and parse it."""
    first_line, _, _ = text.partition("\n")
    fence = first_line.rstrip()
    if fence in _FENCES:
        return _parse_fenced(text, fence, _FENCES[fence], limits)
    if text.lstrip(" \t\n").startswith("{"):
        return _parse_json(text, limits)
    raise FrontMatterError(
        "no front matter: the file must start with a `---` line, then YAML keys "
        "(at least `title:`), then a closing `---` line (or TOML between `+++`, or a JSON object)",
        line=1,
    )


def load_yaml_mapping(text: str, limits: Limits) -> tuple[dict[str, Any], dict[str, int]]:
    """A whole YAML file (a site configuration) read as front matter is: safely, within the
    limits, checked value by value; its data and the line of each top-level key."""
    _check_size(text, limits)
    data, key_lines = _load_yaml(text, limits, first_line=1)
    _check_values(data, limits, key_lines)
    return data, key_lines


def load_toml_mapping(text: str, limits: Limits) -> tuple[dict[str, Any], dict[str, int]]:
    """A whole TOML file, as `load_yaml_mapping` reads a YAML one."""
    _check_size(text, limits)
    data = _load_toml(text, limits, first_line=1)
    key_lines = _key_lines(text, r"^\s*\[?([A-Za-z0-9_-]+)", first_line=1)
    _check_values(data, limits, key_lines)
    return data, key_lines


def _parse_fenced(text: str, fence: str, fmt: FrontMatterFormat, limits: Limits) -> FrontMatter:
    lines = text.split("\n")
    for index in range(1, len(lines)):
        if lines[index].rstrip() == fence:
            closing = index
            break
    else:
        raise FrontMatterError(
            f"unterminated front matter: the `{fence}` on line 1 has no closing `{fence}` "
            "delimiter line",
            line=1,
        )
    source = "\n".join(lines[1:closing])
    _check_size(source, limits)
    body = "\n".join(lines[closing + 1 :])
    # Front matter starts on line 2 of the file.
    if fmt == "yaml":
        data, key_lines = _load_yaml(source, limits, first_line=2)
    else:
        data = _load_toml(source, limits, first_line=2)
        key_lines = _key_lines(source, r"^\s*([A-Za-z0-9_.-]+)\s*=", first_line=2)
    _check_values(data, limits, key_lines)
    return FrontMatter(format=fmt, data=data, body=body, key_lines=key_lines)


def _parse_json(text: str, limits: Limits) -> FrontMatter:
    start = len(text) - len(text.lstrip(" \t\n"))
    leading_lines = text.count("\n", 0, start)

    def refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        mapping: dict[str, Any] = {}
        for key, value in pairs:
            if key in mapping:
                raise FrontMatterError(f"duplicate key {key!r} in the JSON front matter", field=key)
            mapping[key] = value
        return mapping

    decoder = json.JSONDecoder(object_pairs_hook=refuse_duplicates)
    window = text[start : start + limits.max_front_matter_bytes + 1]
    try:
        data, end = decoder.raw_decode(window)
    except json.JSONDecodeError as error:
        if len(window) > limits.max_front_matter_bytes:
            _check_size(window, limits)
        raise FrontMatterError(
            f"the JSON front matter is not valid JSON: {error.msg}",
            line=leading_lines + error.lineno,
        ) from None
    except RecursionError:
        raise _too_deep(limits) from None
    except ValueError:
        # Not a JSONDecodeError: int() refused a number of thousands of digits.
        raise _too_many_digits() from None
    source = window[:end]
    _check_size(source, limits)
    key_lines = _key_lines(source, r'^\s*"([^"]+)"\s*:', first_line=leading_lines + 1)
    _check_values(data, limits, key_lines)
    body = text[start + end :].removeprefix("\n")
    return FrontMatter(format="json", data=data, body=body, key_lines=key_lines)


def _check_size(source: str, limits: Limits) -> None:
    size = len(source.encode("utf-8"))
    if size > limits.max_front_matter_bytes:
        raise FrontMatterError(
            f"the front matter is {size:,} bytes, over the limit of "
            f"{limits.max_front_matter_bytes:,} bytes (max_front_matter_bytes)"
        )


def _key_lines(source: str, pattern: str, *, first_line: int) -> dict[str, int]:
    """Line of each key written at the start of a line: enough for TOML and JSON errors."""
    key_pattern = re.compile(pattern)
    lines: dict[str, int] = {}
    for offset, line in enumerate(source.split("\n")):
        match = key_pattern.match(line)
        if match:
            lines.setdefault(match.group(1), first_line + offset)
    return lines


def _load_toml(source: str, limits: Limits, *, first_line: int) -> dict[str, Any]:
    try:
        return tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"line (\d+)", str(error))
        # tomllib says "at end of document" instead of a line when the last value is cut off.
        last = source.count("\n") + 1
        line = first_line + (int(match.group(1)) if match else last) - 1
        message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(error))
        raise FrontMatterError(
            f"the TOML front matter is not valid TOML: {message}", line=line
        ) from None
    except RecursionError:
        # tomllib reads nested arrays and inline tables recursively.
        raise _too_deep(limits) from None
    except ValueError:
        # Not a TOMLDecodeError: int() refused a number of thousands of digits.
        raise _too_many_digits() from None


def _too_deep(
    limits: Limits, *, line: int | None = None, field: str | None = None
) -> FrontMatterError:
    return FrontMatterError(
        f"the front matter is nested more than {limits.max_front_matter_depth} levels "
        "deep (max_front_matter_depth)",
        line=line,
        field=field,
    )


def _too_many_nodes(limits: Limits) -> FrontMatterError:
    return FrontMatterError(
        f"the front matter has more than {limits.max_front_matter_nodes:,} values "
        "(max_front_matter_nodes)"
    )


def _too_many_digits(*, line: int | None = None, field: str | None = None) -> FrontMatterError:
    return FrontMatterError(
        f"a number has more than {sys.get_int_max_str_digits():,} digits, more than Python "
        "reads or writes; put it in quotes to keep it as text",
        line=line,
        field=field,
    )


def _load_yaml(
    source: str, limits: Limits, *, first_line: int
) -> tuple[dict[str, Any], dict[str, int]]:
    loader = _FrontMatterLoader(source)
    try:
        try:
            root = loader.get_single_node()
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = first_line + mark.line if mark else None
            problem = error.problem or "cannot be parsed"
            raise FrontMatterError(
                f"the YAML front matter is not valid YAML: {problem}"
                + (f" ({error.context})" if error.context else ""),
                line=line,
            ) from None
        except yaml.YAMLError as error:
            raise FrontMatterError(f"the YAML front matter is not valid YAML: {error}") from None
        if root is None:
            return {}, {}
        _check_yaml_graph(root, loader, limits, first_line=first_line)
        if not isinstance(root, MappingNode):
            raise FrontMatterError(
                "the front matter must be a mapping of keys to values (`title: ...`), "
                f"not a {_yaml_kind(root)}",
                line=first_line + root.start_mark.line,
            )
        key_lines = {
            str(key.value): first_line + key.start_mark.line
            for key, _ in root.value
            if isinstance(key, ScalarNode)
        }
        try:
            data = loader.construct_document(root)
        except yaml.MarkedYAMLError as error:
            # Every scalar was built once already, so what is left is a key that
            # cannot be a key, such as a list.
            mark = error.problem_mark or error.context_mark
            raise FrontMatterError(
                f"a front-matter value cannot be read: {error.problem or error}",
                line=first_line + mark.line if mark else None,
            ) from None
    finally:
        loader.dispose()
    if any(not isinstance(key, str) for key in data):
        raise FrontMatterError("front-matter keys must be text")
    return data, key_lines


def _check_yaml_graph(
    root: Node, loader: yaml.CSafeLoader, limits: Limits, *, first_line: int
) -> None:
    """Refuse aliases, foreign tags, duplicate keys, deep nesting and bad values, unbuilt.

    An alias makes the composer hand out the same node twice, so a node met
    a second time is an alias: that is how a billion-laughs document is
    caught while it is still a few hundred bytes of graph.
    """
    seen: set[int] = set()
    # Each entry carries the top-level key it sits under, so errors can name the field.
    stack: list[tuple[Node, int, str | None, int | None]] = [(root, 1, None, None)]
    while stack:
        node, depth, field, field_line = stack.pop()
        line = first_line + node.start_mark.line
        if id(node) in seen:
            # The node's own mark is where the anchor was defined; the key that
            # uses the alias is what the author has to change.
            raise FrontMatterError(
                "YAML anchors and aliases (`&name` / `*name`) are not allowed in front matter",
                line=field_line or line,
                field=field,
            )
        seen.add(id(node))
        if len(seen) > limits.max_front_matter_nodes:
            raise _too_many_nodes(limits)
        if depth > limits.max_front_matter_depth:
            raise _too_deep(limits, line=line, field=field)
        _check_yaml_tag(node, line=line, field=field)
        if isinstance(node, ScalarNode):
            _check_yaml_scalar(node, loader, line=line, field=field)
        elif isinstance(node, MappingNode):
            keys: set[str] = set()
            children: list[tuple[Node, int, str | None, int | None]] = []
            for key, value in node.value:
                if isinstance(key, ScalarNode):
                    if key.value in keys:
                        raise FrontMatterError(
                            f"duplicate key {key.value!r}: each key may appear once",
                            line=first_line + key.start_mark.line,
                            field=key.value,
                        )
                    keys.add(key.value)
                if node is root:
                    field, field_line = _scalar_text(key), first_line + key.start_mark.line
                children.append((key, depth + 1, field, field_line))
                children.append((value, depth + 1, field, field_line))
            # Reversed, so that the walk meets problems in document order.
            stack.extend(reversed(children))
        elif isinstance(node, SequenceNode):
            stack.extend((item, depth + 1, field, field_line) for item in reversed(node.value))


def _check_yaml_tag(node: Node, *, line: int, field: str | None) -> None:
    if node.tag in _ALLOWED_YAML_TAGS[type(node)]:
        return
    where = f" on a {_yaml_kind(node)}" if node.tag in _KNOWN_YAML_TAGS else " in front matter"
    raise FrontMatterError(
        f"the YAML tag {_short_tag(node.tag)!r} is not allowed{where}: write plain values",
        line=line,
        field=field,
    )


def _check_yaml_scalar(
    node: ScalarNode, loader: yaml.CSafeLoader, *, line: int, field: str | None
) -> None:
    """Build one scalar now, so that a value that cannot be built is reported at its own line.

    PyYAML's scalar constructors trust that the resolver's pattern matched, so
    an explicit tag on text that does not fit (`!!bool ""`, `!!timestamp x`)
    fails with KeyError, IndexError or AttributeError rather than a YAMLError.
    Built through construct_object, the value is cached for the document's
    construction, which then does not build it again.
    """
    if node.tag == _YAML_STR:
        return
    try:
        value = loader.construct_object(node)
    except (ValueError, OverflowError, LookupError, AttributeError) as error:
        raise FrontMatterError(_unreadable_scalar(node, error), line=line, field=field) from None
    if isinstance(value, int) and not _writable(value):
        raise _too_many_digits(line=line, field=field)


def _unreadable_scalar(node: ScalarNode, error: Exception) -> str:
    text = excerpt(node.value)
    if node.tag == "tag:yaml.org,2002:timestamp":
        reason = f": {error}" if isinstance(error, ValueError) else ""
        return f"{text} is not a real date{reason}"
    if node.tag == "tag:yaml.org,2002:int" and isinstance(error, ValueError):
        return f"{text} is not a number Python can read; put it in quotes to keep it as text"
    return f"{text} does not fit its YAML tag {_short_tag(node.tag)!r}: write a plain value"


def _scalar_text(node: Node) -> str | None:
    return str(node.value) if isinstance(node, ScalarNode) else None


def _check_values(data: dict[str, Any], limits: Limits, key_lines: dict[str, int]) -> None:
    """Refuse what the parser let through but no later step can handle.

    TOML and JSON are not walked as a graph before they are built, so depth
    and size are checked here; all three can yield numbers that Python cannot
    write back out as text (hex literals of thousands of digits), and all three
    have escapes (`"\\a"`, `"\\u0007"`) for characters that no page or feed can
    carry, or that no UTF-8 file can hold (lone surrogates).
    """
    nodes = 0
    # Each entry carries the top-level key it sits under, so errors can name the field.
    stack: list[tuple[Any, int, str | None]] = [(data, 1, None)]
    while stack:
        value, depth, field = stack.pop()
        nodes += 1
        line = key_lines.get(field) if field else None
        if nodes > limits.max_front_matter_nodes:
            raise _too_many_nodes(limits)
        if depth > limits.max_front_matter_depth:
            raise _too_deep(limits, line=line, field=field)
        if isinstance(value, dict):
            for key, item in value.items():
                stack.append((key, depth + 1, field or str(key)))
                stack.append((item, depth + 1, field or str(key)))
        elif isinstance(value, list):
            stack.extend((item, depth + 1, field) for item in value)
        elif isinstance(value, int) and not _writable(value):
            raise _too_many_digits(line=line, field=field)
        elif isinstance(value, str) and (position := first_unpublishable(value)) is not None:
            raise FrontMatterError(
                f"{excerpt(value)} holds {describe_character(value[position])}, which no "
                "web page or feed can carry; remove it (or the escape that wrote it)",
                line=line,
                field=field,
            )


def _writable(number: int) -> bool:
    """Whether Python can write `number` in decimal (sys.get_int_max_str_digits())."""
    try:
        str(number)
    except ValueError:
        return False
    return True


def _short_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def _yaml_kind(node: Node) -> str:
    if isinstance(node, SequenceNode):
        return "list"
    if isinstance(node, ScalarNode):
        return "single value"
    return "mapping"
