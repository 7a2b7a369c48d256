"""The site's configuration as an author uploads it: `pressroom.yaml` at the root of the
content bucket, else the documented keys of Jekyll's `_config.yml` or Hugo's `hugo.toml`
(`config.toml`), so that a migrated site keeps its title and its settings.

`pressroom.yaml` is checked as strictly as front matter: unknown keys and bad values are
errors naming the key and its line. Another generator's file holds much that Pressroom has
no use for, so only its documented keys are read, and a value that cannot be used is a
warning naming its key, not an error.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from pressroom.exceptions import FrontMatterError
from pressroom.frontmatter import decode_source, load_toml_mapping, load_yaml_mapping
from pressroom.limits import Limits
from pressroom.models import (
    CONFIG_KEY,
    CONFIG_SOURCES,
    JEKYLL_CONFIG_KEY,
    Issue,
    SiteSettings,
    SiteSource,
)

MAX_CONFIG_BYTES = 64 * 1024
"""A configuration file's size limit: a site's settings are a few hundred bytes; Hugo's
files with their menus and parameters a few kilobytes."""


def is_config_source(key: str) -> bool:
    return key in CONFIG_SOURCES


@dataclass(frozen=True)
class ConfigVerdict:
    settings: SiteSettings | None
    errors: tuple[Issue, ...] = ()
    warnings: tuple[Issue, ...] = ()


def validate_config(key: str, body: bytes | None, size: int, limits: Limits) -> ConfigVerdict:
    """Read a configuration file: `pressroom.yaml` strictly, another generator's leniently."""
    if body is None or size > MAX_CONFIG_BYTES:
        return ConfigVerdict(
            None,
            errors=(
                Issue(
                    message=f"the file is {size:,} bytes, over the limit of "
                    f"{MAX_CONFIG_BYTES:,} bytes for a site configuration"
                ),
            ),
        )
    config_limits = limits.model_copy(update={"max_front_matter_bytes": MAX_CONFIG_BYTES})
    try:
        text = decode_source(body)
        if key.endswith(".toml"):
            data, key_lines = load_toml_mapping(text, config_limits)
        else:
            data, key_lines = load_yaml_mapping(text, config_limits)
    except FrontMatterError as error:
        message = error.message.replace("front matter", "file").replace("front-matter", "file's")
        return ConfigVerdict(
            None, errors=(Issue(field=error.field, message=message, line=error.line),)
        )
    if key == CONFIG_KEY:
        return _strict(data, key_lines)
    read = _from_jekyll(data) if key == JEKYLL_CONFIG_KEY else _from_hugo(data)
    return _lenient(read, key_lines)


def _strict(data: Mapping[str, Any], key_lines: Mapping[str, int]) -> ConfigVerdict:
    errors = [
        Issue(
            field=str(name),
            message="is not a setting Pressroom knows; the settings are "
            + ", ".join(SiteSettings.model_fields),
            line=key_lines.get(str(name)),
        )
        for name in data
        if name not in SiteSettings.model_fields
    ]
    known = {name: value for name, value in data.items() if name in SiteSettings.model_fields}
    try:
        settings = SiteSettings.model_validate(known)
    except ValidationError as error:
        errors += _issues(error, key_lines)
        settings = None
    if errors:
        return ConfigVerdict(None, errors=tuple(sorted(errors, key=_by_line)))
    return ConfigVerdict(settings)


def _lenient(read: Mapping[str, tuple[str, Any]], key_lines: Mapping[str, int]) -> ConfigVerdict:
    """`read` maps each setting to (the key it came from, its value): a value Pressroom cannot
    use is left out, with a warning naming the generator's key."""
    values = {name: value for name, (_, value) in read.items()}
    warnings: list[Issue] = []
    while True:
        try:
            return ConfigVerdict(SiteSettings.model_validate(values), warnings=tuple(warnings))
        except ValidationError as error:
            for problem in error.errors():
                setting = str(problem["loc"][0])
                origin = read[setting][0]
                warnings.append(
                    Issue(
                        field=origin,
                        message=str(problem["msg"]).removeprefix("Value error, ") + "; not used",
                        line=key_lines.get(origin.partition(".")[0]),
                    )
                )
                values.pop(setting, None)


def _issues(error: ValidationError, key_lines: Mapping[str, int]) -> list[Issue]:
    issues = []
    for problem in error.errors():
        location = [str(part) for part in problem["loc"]]
        message = str(problem["msg"]).removeprefix("Value error, ")
        if problem["type"] == "extra_forbidden":
            message = f"`{location[-1]}` is not a field here"
            location = location[:-1]
        issues.append(
            Issue(field=".".join(location), message=message, line=key_lines.get(location[0]))
        )
    return issues


def _by_line(issue: Issue) -> tuple[int, str]:
    return (issue.line or 0, issue.field or "")


def _from_jekyll(data: Mapping[str, Any]) -> dict[str, tuple[str, Any]]:
    """Jekyll's documented keys (https://jekyllrb.com/docs/configuration/default/), and the
    `author` and `description` its default theme reads."""
    read: dict[str, tuple[str, Any]] = {}
    for setting, key in (
        ("title", "title"),
        ("description", "description"),
        ("timezone", "timezone"),
        ("permalink", "permalink"),
        ("home_page_size", "paginate"),
        ("language", "lang"),
        ("date_format", "date_format"),
    ):
        if data.get(key) is not None:
            read[setting] = (key, data[key])
    # Jekyll's own default, so that a blog without the key keeps its URLs.
    read.setdefault("permalink", ("permalink", "date"))
    author = data.get("author")
    if isinstance(author, Mapping):
        author = author.get("name")
    if author is not None:
        read["author"] = ("author", author)
    if isinstance(url := data.get("url"), str) and url:
        base = data.get("baseurl") or ""
        read["base_url"] = ("url", url.rstrip("/") + "/" + str(base).strip("/"))
    return read


def _from_hugo(data: Mapping[str, Any]) -> dict[str, tuple[str, Any]]:
    """Hugo's documented keys (https://gohugo.io/configuration/all/) and the `params` its
    themes commonly read for a description and an author."""
    params: Mapping[str, Any] = data["params"] if isinstance(data.get("params"), Mapping) else {}
    read: dict[str, tuple[str, Any]] = {}
    for setting, key, value in (
        ("title", "title", data.get("title")),
        ("base_url", "baseURL", data.get("baseURL") or data.get("baseurl")),
        ("language", "languageCode", data.get("languageCode")),
        ("timezone", "timeZone", data.get("timeZone")),
        ("description", "params.description", params.get("description")),
        ("author", "params.author", params.get("author") or data.get("author")),
        ("home_page_size", "pagination.pagerSize", _nested(data, "pagination", "pagerSize")),
        ("home_page_size", "paginate", data.get("paginate")),
        ("permalink", "permalinks.posts", _hugo_permalink(data.get("permalinks"))),
    ):
        if value is not None and setting not in read:
            read[setting] = (key, value)
    if isinstance(read.get("author", (None, None))[1], Mapping):
        read["author"] = ("params.author", read["author"][1].get("name"))
    menu = _nested(data, "menus", "main") or _nested(data, "menu", "main")
    if isinstance(menu, list):
        read["menu"] = (
            "menus.main",
            [
                {
                    "name": entry.get("name"),
                    "url": entry.get("url") or entry.get("pageRef"),
                    "weight": entry.get("weight", 0),
                }
                for entry in menu
                if isinstance(entry, Mapping)
            ],
        )
    return read


def _nested(data: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)  # type: ignore[assignment]
    return data


_HUGO_TAXONOMIES = frozenset({"tags", "categories", "series", "authors"})
"""Keys of Hugo's `permalinks` before 0.120 that place a taxonomy's pages, not posts."""


def _hugo_permalink(permalinks: Any) -> str | None:
    """Hugo's `permalinks` name a pattern per section (Hugo 0.120 and later under `page`):
    posts' (or post's) is the one a blog has, else the only one there is (a blog's posts
    in `content/blog/`). Pressroom places every post by it, `:section` being each one's."""
    if not isinstance(permalinks, Mapping):
        return None
    by_section = permalinks.get("page")
    if not isinstance(by_section, Mapping):
        by_section = permalinks
    patterns = {
        section: pattern
        for section, pattern in by_section.items()
        if isinstance(pattern, str) and section not in _HUGO_TAXONOMIES
    }
    for section in ("posts", "post"):
        for sections in (permalinks, by_section):
            if isinstance(sections.get(section), str):
                return str(sections[section])
    return next(iter(patterns.values())) if len(patterns) == 1 else None


def site_source(key: str, settings: SiteSettings) -> SiteSource:
    canonical = json.dumps(settings.model_dump(mode="json"), sort_keys=True).encode()
    return SiteSource(
        source_key=key, settings=settings, content_hash=hashlib.sha256(canonical).hexdigest()
    )
