"""A post's body is rendered once, by the validator, and kept in its document: a renderer
writing the page again (a post joined beside it) renders no Markdown, unless the body was
rendered by other code (another release)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import nh3
import pygments
import pytest

from pressroom import bodies
from pressroom.bodies import rebase_relative_links, rendering_fingerprint
from pressroom.config import DEFAULT_THEME, SiteConfig
from pressroom.markdown import render_markdown
from pressroom.models import PostDocument
from pressroom.site import Theme, forget_rendered_bodies, render_post_page
from pressroom.validation import BODY_RENDERED_HERE_BYTES, validate_post

SITE = SiteConfig(title="Field notes", base_url="https://notes.example.org/")
UPLOADED = datetime(2024, 3, 2, 9, 30, tzinfo=UTC)

POST = b"""---
title: Tuning the weather station
date: 2024-03-01
toc: true
---
## Why the readings drifted

The sensor sat in the sun after ten o'clock :sunny:, and the enclosure warmed.

```python
def corrected(reading: float, offset: float = -1.5) -> float:
    return reading + offset
```

## What changed

A louvred screen, painted white.[^1]

![The screen in March](screen.jpg)

[^1]: Two coats, a week apart.
"""


def validated(raw: bytes = POST) -> PostDocument:
    outcome = validate_post(raw, "posts/weather-station.md", first_seen=UPLOADED)
    assert outcome.document is not None, outcome.errors
    return outcome.document


def test_the_validator_keeps_the_body_as_the_renderer_would_render_it() -> None:
    document = validated()

    assert document.body_rendered_by == rendering_fingerprint()
    rendered = render_markdown(document.body_markdown, table_of_contents=True)
    assert document.body_html == rebase_relative_links(rendered, "posts/weather-station.md")
    assert 'class="hl-k"' in document.body_html  # highlighted once, here
    assert 'src="/posts/screen.jpg"' in document.body_html  # beside the post's file
    assert "body_html" not in document.summary().model_dump()


def test_the_kept_body_is_no_part_of_the_content_hash() -> None:
    document = validated()
    again = PostDocument.model_validate(
        document.model_dump() | {"body_html": None, "body_rendered_by": None}
    )

    assert validated().content_hash == document.content_hash == again.content_hash


def test_a_page_is_written_with_the_kept_body_when_this_code_rendered_it() -> None:
    document = validated().model_copy(update={"body_html": "<p>As the validator kept it.</p>"})

    page = render_post_page(document, SITE, Theme(DEFAULT_THEME))

    assert "As the validator kept it." in page
    assert "louvred screen" not in page


def test_a_body_rendered_by_other_code_is_rendered_again() -> None:
    forget_rendered_bodies()
    stale = validated().model_copy(
        update={"body_html": "<p>An older release's HTML.</p>", "body_rendered_by": "0" * 32}
    )
    unrendered = stale.model_copy(update={"body_html": None, "body_rendered_by": None})

    for document in (stale, unrendered):
        page = render_post_page(document, SITE, Theme(DEFAULT_THEME))
        assert "An older release" not in page
        assert "louvred screen" in page
        assert 'src="/posts/screen.jpg"' in page
        assert 'href="#user-content-why-the-readings-drifted"' in page  # toc: true


def test_the_fingerprint_names_the_installed_libraries() -> None:
    assert bodies._installed_version("nh3") == nh3.__version__
    assert bodies._installed_version("pygments") == pygments.__version__
    assert bodies._installed_version("no-such-library") == "absent"


def test_the_fingerprint_changes_with_a_library_version(monkeypatch: pytest.MonkeyPatch) -> None:
    before = rendering_fingerprint()
    installed = bodies._installed_version

    def newer_pygments(distribution: str) -> str:
        return "99.0" if distribution == "pygments" else installed(distribution)

    monkeypatch.setattr(bodies, "_installed_version", newer_pygments)
    rendering_fingerprint.cache_clear()
    try:
        assert rendering_fingerprint() != before
    finally:
        monkeypatch.undo()
        rendering_fingerprint.cache_clear()
    assert rendering_fingerprint() == before


def test_a_long_body_is_left_to_the_renderer() -> None:
    paragraph = "The station logged a reading every minute, all winter long. " * 20
    body = "\n\n".join([paragraph] * (BODY_RENDERED_HERE_BYTES // len(paragraph) + 1))
    document = validated(POST.replace(b"## Why", body.encode() + b"\n\n## Why", 1))

    assert document.body_html is None
    assert document.body_rendered_by is None
    assert "louvred screen" in render_post_page(document, SITE, Theme(DEFAULT_THEME))


def test_without_its_sources_the_code_trusts_no_kept_body(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if the package had shipped as bytecode alone.
    monkeypatch.setattr(bodies, "__file__", str(tmp_path / "bodies.py"))
    rendering_fingerprint.cache_clear()
    try:
        first = rendering_fingerprint()
        rendering_fingerprint.cache_clear()
        assert rendering_fingerprint() != first
    finally:
        monkeypatch.undo()
        rendering_fingerprint.cache_clear()
