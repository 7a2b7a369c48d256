"""Slugs: the URL-safe names that pages and tags are published under."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath

# Matched with fullmatch: `$` would also match before a trailing newline.
_SLUG = re.compile(r"[a-z0-9](?:[a-z0-9_.-]{0,198}[a-z0-9])?")
# A run of dots is unsafe too: `..` would make the slug a way out of its folder.
_UNSAFE_RUN = re.compile(r"(?:[^a-z0-9_.]|\.{2,})+")
# The same for a tag key, whose other characters `_kept_in_key` has already made `-`.
_TAG_UNSAFE_RUN = re.compile(r"(?:-|\.{2,})+")
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
    """The one spelling of a tag in the index, its page's key and (percent-encoded) its link:
    `Open Source` → `open-source`, `Café` → `cafe`, `日本語` → `日本語`.

    Letters, marks and digits of every script are kept, as NFC text: a key is written as
    UTF-8 in S3 and percent-encoded in links (docs/architecture.md, "Tag pages"). Latin
    letters lose their accents, as slugs do, so keys made before Unicode keys stay the same.
    Anything else is a `-`, and the ends are trimmed of `-`, `_` and `.`: no key is empty,
    `.` or `..`, or holds `/`. A tag with no letter or digit at all (`+`, `★`, `..`) is
    named by its code points (`u2b`). A key is its own key.
    """
    # Folded, then case-folded again: compatibility forms fold to capitals (`ᴬ` → `A`).
    folded = _fold_latin(tag.casefold()).casefold()
    kept = "".join(char if _kept_in_key(char) else "-" for char in folded)
    key = _TAG_UNSAFE_RUN.sub("-", kept).strip("-._")[:200].rstrip("-._")
    return key or "-".join(f"u{ord(char):x}" for char in tag) or "u0"


def _fold_latin(text: str) -> str:
    """`Café` → `Cafe`, `ﬁ` → `fi`, `İ` → `I`, and `プ` and `हिन्दी` as they are (NFC)."""
    kept: list[str] = []
    for char in unicodedata.normalize("NFKD", text):
        # Only the marks on an ASCII letter go: dropping one from `プ` or `ी` makes another word.
        if not (unicodedata.combining(char) and kept and kept[-1].isascii() and kept[-1].isalpha()):
            kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


def _kept_in_key(char: str) -> bool:
    # Letters, marks and numbers (categories L*, M*, N*): never a control, format character,
    # space, surrogate or separator, which a URL or an S3 key would trip on.
    return unicodedata.category(char)[0] in "LMN" or char in "_."


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
