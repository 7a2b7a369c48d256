"""What the checks of the rendered site share: the site URL, the posts the corpus publishes,
the published folder, and missing system tools.

A check whose system tool (Java, Chromium) is missing skips on a workstation and fails
under `CI=true`, where `.ci/run` installs every tool first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from pressroom.models import PostDocument, format_instant
from pressroom.sources import collect_sources
from pressroom.validation import validate_post
from tests.corpus import PROJECT_ROOT, cases

SITE_URL = "https://news.example.org/"
EXAMPLES = PROJECT_ROOT / "examples" / "posts"
SEED_SLUG = "armenia-azerbaijan-truce"
TEST_OUTPUT = PROJECT_ROOT / "test-output"


@dataclass(frozen=True)
class Post:
    """A post that must be on the site, as its source file says."""

    slug: str
    title: str
    date: datetime
    tags: tuple[str, ...]
    path: str
    """Its page's site path: `posts/<slug>/`, or the permalink it keeps."""

    @property
    def url(self) -> str:
        return f"{SITE_URL}{self.path}"


@cache
def published_posts() -> tuple[Post, ...]:
    """Every post the corpus and the examples publish, newest first.

    Which files publish, and with which slug and date, is EXPECTED.json's word; titles and
    tags are read by the validator (EXPECTED.json gives them for some files only). The
    examples are published too; a slug both claim is one post.
    """
    posts: dict[str, Post] = {}
    for case in cases("good"):
        if not case.expected["publish"]:
            continue
        document = _document(case.path, case.name)
        assert document.slug == case.expected["slug"], case.id
        if "date" in case.expected:
            assert format_instant(document.date) == case.expected["date"], case.id
        posts[document.slug] = _post(document)
    for key, path in collect_sources([EXAMPLES]):
        document = _document(path, key)
        if not document.draft:
            posts.setdefault(document.slug, _post(document))
    return tuple(sorted(posts.values(), key=lambda post: post.date, reverse=True))


@cache
def draft_slugs() -> frozenset[str]:
    return frozenset(
        case.expected["slug"] for case in cases("good") if not case.expected["publish"]
    )


def _document(path: Path, key: str) -> PostDocument:
    outcome = validate_post(path.read_bytes(), key, first_seen=datetime.now(UTC))
    assert outcome.document is not None, f"{path} no longer validates: {outcome.errors}"
    assert not outcome.document.dated_by_upload, f"{path}: give it a date, tests compare dates"
    return outcome.document


def _post(document: PostDocument) -> Post:
    return Post(document.slug, document.title, document.date, document.tags, document.page_path)


@dataclass(frozen=True)
class PublishedSite:
    """The site folder `pressroom publish` wrote, and its `--json` summary."""

    root: Path
    summary: dict[str, Any] = field(repr=False)

    def file_for(self, url: str) -> Path:
        """The file that serves an absolute URL of the site (`…/x/` is `x/index.html`)."""
        assert url.startswith(SITE_URL), f"{url} is not on the site ({SITE_URL})"
        path = unquote(url.removeprefix(SITE_URL))
        return self.root / (f"{path}index.html" if path == "" or path.endswith("/") else path)

    def read(self, key: str) -> bytes:
        """A file of the site by its bucket key; fails the test, naming it, if it is missing."""
        path = self.root / key
        assert path.is_file(), f"{key} is not on the site"
        return path.read_bytes()
