"""Slugs: the URL-safe names that pages and tags are published under."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath
from urllib.parse import quote

# Matched with fullmatch: `$` would also match before a trailing newline.
_SLUG = re.compile(r"[a-z0-9](?:[a-z0-9_.-]{0,198}[a-z0-9])?")
# A run of dots is unsafe too: `..` would make the slug a way out of its folder.
_UNSAFE_RUN = re.compile(r"(?:[^a-z0-9_.]|\.{2,})+")
_DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}-")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)

SLUG_RULE = (
    "lower-case letters, digits, '-', '_' and '.', starting and ending with a letter or digit"
)


def slugify(text: str) -> str:
    """A slug made from free text: accents folded, anything else becomes `-`.

    May return "" when nothing URL-safe is left (a title in Cyrillic, say).
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _UNSAFE_RUN.sub("-", folded.lower()).strip("-._")[:200].rstrip("-._")


def tag_key(tag: str) -> str:
    """The one spelling of a tag used in URLs and the index: `Open Source` → `open-source`."""
    return slugify(tag) or quote(tag.casefold(), safe="")


def slug_from_source_key(key: str) -> str:
    """`posts/2016-04-21-common-files.md` → `common-files`."""
    stem = PurePosixPath(key).stem
    return slugify(_DATE_PREFIX.sub("", stem))


def slug_from_permalink(permalink: str) -> str:
    """The last segment of a permalink, `.html` dropped: `/blog/x.html` → `x`."""
    segment = permalink.rstrip("/").rsplit("/", 1)[-1]
    return segment.removesuffix(".html").removesuffix(".htm")


def slug_problem(slug: str) -> str | None:
    """Why `slug` cannot name a page, or None when it can."""
    if _SCHEME.match(slug):
        return f"{slug!r} looks like a URL; a slug is one path segment, not an address"
    if "/" in slug or "\\" in slug or ".." in slug:
        return f"{slug!r} would leave its folder ('/', '\\' and '..' are not allowed)"
    if not _SLUG.fullmatch(slug):
        return f"{slug!r} is not URL-safe: use {SLUG_RULE}"
    return None


def permalink_problem(permalink: str) -> str | None:
    """Why a permalink cannot be used, or None: it must stay on this site."""
    if _SCHEME.match(permalink) or permalink.startswith("//"):
        return (
            f"{permalink!r} points to another site; a permalink is a path on this site, "
            "like /blog/my-post/"
        )
    if ".." in permalink.split("/"):
        return f"{permalink!r} would leave the site ('..' is not allowed)"
    return None
