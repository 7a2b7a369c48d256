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


CATEGORY_PREFIX = "categories/"
"""What sets a category's key apart from a tag's: no tag key holds a `/`."""


def category_key(category: str) -> str:
    """A category's key in the index: its folder, then the key a tag of its name would
    have (`News` → `categories/news`). Categories share the tag entries' items, listings
    and cards (docs/architecture.md, "Categories"), and a tag `News` is another listing."""
    return f"{CATEGORY_PREFIX}{tag_key(category)}"


def is_category_key(key: str) -> bool:
    return key.startswith(CATEGORY_PREFIX)


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
    """`posts/2016-04-21-common-files.md` → `common-files`; a page bundle's
    `posts/2024-05-my-trip/index.md` → `my-trip`, its folder's name, as Hugo names it."""
    path = PurePosixPath(key)
    stem = path.stem
    if stem == "index" and path.parent.name:
        stem = path.parent.name
    return slugify(_DATE_PREFIX.sub("", stem))


def slug_from_permalink(permalink: str) -> str:
    """The last segment of a permalink, `.html` dropped: `/blog/x.html` → `x`; an
    `index.html` is named by its folder."""
    segment = permalink.rstrip("/").rsplit("/", 1)[-1]
    if segment in _INDEX_FILES and "/" in permalink.strip("/"):
        segment = permalink.strip("/").rsplit("/", 2)[-2]
    return segment.removesuffix(".html").removesuffix(".htm")


def claimed_slug(path: str) -> str:
    """The slug a page at site path `path` claims in the index: its last segment (its
    folder's for an `index.html`), `.html` dropped, made URL-safe. One path, one slug, so
    two files that ask for one URL claim one slug and conflict."""
    segment = slug_from_permalink(path)
    return segment if slug_problem(segment) is None else slugify(segment)


_INDEX_FILES = frozenset({"index.html", "index.htm"})
_PAGE_FILE_SUFFIXES = (".html", ".htm")
_PATH_SEGMENT = re.compile(r"[a-z0-9_~-](?:[a-z0-9._~-]{0,198})?")
MAX_PAGE_PATH_BYTES = 200
"""A page path is part of S3 keys and of DynamoDB sort keys: kept well inside both."""
GENERATED_FOLDERS = frozenset({"tags", "archive", "categories", "sitemaps", "search", "page"})
"""Top folders the renderer writes listings into: no page may be published there."""
GENERATED_FILES = frozenset({"index.html", "404.html", "feed.xml", "sitemap.xml", "search.json"})


def page_path(written: str) -> str:
    """A `permalink`, `url`, alias or `redirect_from` as the site path of a page:
    `/2021/01/14/x.html` stays `2021/01/14/x.html`, `/about` and `/about/` are `about/`.

    ValueError says why it cannot be one: another site's address, a way out of the site,
    a segment that is not lower-case and URL-safe, or a place the renderer writes its own
    files (`/tags/…`, `/feed.xml`).
    """
    problem = permalink_problem(written)
    if problem:
        raise ValueError(problem)
    path = written.strip().lstrip("/")
    segments = path.rstrip("/").split("/")
    if not path:
        raise ValueError(f"{written!r} is the home page, which lists the newest posts")
    if len(path.encode("utf-8")) > MAX_PAGE_PATH_BYTES:
        raise ValueError(f"{written[:40]!r}… is over {MAX_PAGE_PATH_BYTES} bytes")
    if segments[0] in GENERATED_FOLDERS or path.rstrip("/") in GENERATED_FILES:
        raise ValueError(f"{written!r} is where Pressroom writes its own listings")
    for segment in segments:
        if not _PATH_SEGMENT.fullmatch(segment) or ".." in segment:
            raise ValueError(
                f"{written!r}: {segment[:40]!r} is not a lower-case, URL-safe segment "
                "(letters a-z, digits, '-', '_', '.', '~'; no '..', '?' or '#')"
            )
    if not path.endswith("/") and not path.endswith(_PAGE_FILE_SUFFIXES):
        path += "/"
    return path


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
