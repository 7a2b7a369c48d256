"""Split a source file into front matter and body, and parse the front matter safely.

Three syntaxes, as Jekyll, Jigsaw and Hugo write them: YAML between `---`
lines, TOML between `+++` lines, or a JSON object at the very start. The
YAML is walked as a node graph before anything is constructed, so that
aliases, unknown tags, duplicate keys and deep nesting are refused before
they cost memory or time.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from pressroom.exceptions import FrontMatterError
from pressroom.limits import Limits

FrontMatterFormat = Literal["yaml", "toml", "json"]

_FENCES: dict[str, FrontMatterFormat] = {"---": "yaml", "+++": "toml"}

# The tags YAML's core schema resolves plain scalars to, plus explicit
# `!!str`-style spellings of the same. Anything else (`!!python/...`,
# `!!binary`, `!!set`, custom `!tags`) has no business in front matter.
_ALLOWED_YAML_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
)


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


def decode_source(raw: bytes) -> str:
    """Bytes to text: UTF-8 (a BOM is dropped), LF line endings."""
    if b"\x00" in raw[:8192]:
        raise FrontMatterError(
            "this is a binary file, not UTF-8 text: only Markdown text files can be published"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise FrontMatterError(
            f"the file is not valid UTF-8 text (invalid byte 0x{raw[error.start]:02x}); "
            "save it with UTF-8 encoding",
            line=line,
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


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
        data = _load_toml(source, first_line=2)
        key_lines = _key_lines(source, r"^\s*([A-Za-z0-9_.-]+)\s*=", first_line=2)
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
        raise FrontMatterError("the JSON front matter is nested too deeply") from None
    source = window[:end]
    _check_size(source, limits)
    _check_json_depth(data, limits)
    body = text[start + end :].removeprefix("\n")
    key_lines = _key_lines(source, r'^\s*"([^"]+)"\s*:', first_line=leading_lines + 1)
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


def _load_toml(source: str, *, first_line: int) -> dict[str, Any]:
    try:
        return tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"line (\d+)", str(error))
        line = first_line + int(match.group(1)) - 1 if match else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        raise FrontMatterError(
            f"the TOML front matter is not valid TOML: {message}", line=line
        ) from None


def _load_yaml(
    source: str, limits: Limits, *, first_line: int
) -> tuple[dict[str, Any], dict[str, int]]:
    loader = yaml.CSafeLoader(source)
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
        _check_yaml_graph(root, limits, first_line=first_line)
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
        except (ValueError, OverflowError, yaml.YAMLError) as error:
            raise _unreadable_value(root, loader, error, first_line=first_line) from None
    finally:
        loader.dispose()
    if any(not isinstance(key, str) for key in data):
        raise FrontMatterError("front-matter keys must be text")
    return data, key_lines


def _unreadable_value(
    root: MappingNode, loader: yaml.CSafeLoader, error: Exception, *, first_line: int
) -> FrontMatterError:
    """Name the key whose value broke construction (say `date: 2020-13-45`)."""
    for key, value in root.value:
        if isinstance(value, ScalarNode) and value.tag == "tag:yaml.org,2002:timestamp":
            try:
                loader.construct_yaml_timestamp(value)
            except ValueError as bad_date:
                return FrontMatterError(
                    f"{value.value!r} is not a real date: {bad_date}",
                    line=first_line + value.start_mark.line,
                    field=str(key.value),
                )
    return FrontMatterError(f"a front-matter value cannot be read: {error}")


def _check_yaml_graph(root: Node, limits: Limits, *, first_line: int) -> None:
    """Refuse aliases, foreign tags, duplicate keys and deep nesting, before construction.

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
            raise FrontMatterError(
                f"the front matter has more than {limits.max_front_matter_nodes:,} values "
                "(max_front_matter_nodes)"
            )
        if depth > limits.max_front_matter_depth:
            raise FrontMatterError(
                f"the front matter is nested more than {limits.max_front_matter_depth} levels "
                "deep (max_front_matter_depth)",
                line=line,
                field=field,
            )
        if node.tag not in _ALLOWED_YAML_TAGS:
            raise FrontMatterError(
                f"the YAML tag {_short_tag(node.tag)!r} is not allowed in front matter: "
                "write plain values",
                line=line,
                field=field,
            )
        if isinstance(node, MappingNode):
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


def _scalar_text(node: Node) -> str | None:
    return str(node.value) if isinstance(node, ScalarNode) else None


def _check_json_depth(data: Any, limits: Limits) -> None:
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limits.max_front_matter_depth:
            raise FrontMatterError(
                f"the front matter is nested more than {limits.max_front_matter_depth} levels "
                "deep (max_front_matter_depth)"
            )
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)


def _short_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def _yaml_kind(node: Node) -> str:
    if isinstance(node, SequenceNode):
        return "list"
    if isinstance(node, ScalarNode):
        return "single value"
    return "mapping"
