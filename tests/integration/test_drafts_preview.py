"""`--drafts`: a preview in which drafts (`draft: true`, `_drafts/`) have pages, marked as
drafts, linked from no listing, feed, sitemap or search index; without it, none of them is
written."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

from pressroom_local.cli import main
from pressroom_local.stack import LocalStack
from tests.integration.conftest import SITE_URL

FERRY = """---
title: The night ferry to Split
date: 2024-05-02 21:15
tags: [travel, croatia]
---

The ferry leaves Ancona at nine and docks in Split as the market opens.
"""

HVAR = """---
title: Hvar out of season
date: 2024-05-10
draft: true
tags: [travel, slow-season]
---

Half the island's restaurants are shuttered, and the other half are full of locals.
"""

VIS = """---
title: Notes on Vis
date: 2024-05-12
tags: [islands]
---

The island was closed to visitors until 1989; it still feels that way in the mornings.
"""

Published = tuple[Path, dict[str, Any]]
"""The site folder and `publish --json`'s summary."""

DRAFT_SLUGS = ("hvar-out-of-season", "notes-on-vis")
DRAFT_ONLY_TAGS = ("slow-season", "islands")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("travel")
    for key, text in {
        "posts/2024-05-02-night-ferry.md": FERRY,
        "posts/hvar-out-of-season.md": HVAR,
        "_drafts/notes-on-vis.md": VIS,
    }.items():
        (root / key).parent.mkdir(parents=True, exist_ok=True)
        (root / key).write_text(text, encoding="utf-8")
    return root


def _publish(folder: Path, site: Path, *options: str) -> dict[str, Any]:
    return _run(["publish", str(folder), "--site", str(site), "--site-url", SITE_URL, *options])


def _run(command: list[str]) -> dict[str, Any]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main([*command, "--json"]) == 0
    summary: dict[str, Any] = json.loads(out.getvalue())
    return summary


@pytest.fixture(scope="module")
def published(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Published:
    site = tmp_path_factory.mktemp("site")
    return site, _publish(folder, site)


@pytest.fixture(scope="module")
def previewed(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Published:
    site = tmp_path_factory.mktemp("preview")
    return site, _publish(folder, site, "--drafts")


def _every_file(site: Path) -> dict[str, str]:
    return {
        str(path.relative_to(site)): path.read_text(encoding="utf-8")
        for path in site.rglob("*")
        if path.is_file() and path.suffix in {".html", ".xml", ".json"}
    }


def test_the_default_publish_writes_no_draft(published: Published) -> None:
    site, summary = published

    assert summary["published"] == ["night-ferry"]
    assert summary["drafts"] == ["hvar-out-of-season"]
    statuses = {Path(source["path"]).name: source["status"] for source in summary["sources"]}
    assert statuses["notes-on-vis.md"] == "ignored"
    for slug in DRAFT_SLUGS:
        assert not (site / "posts" / slug).exists()
    for path, text in _every_file(site).items():
        assert not any(slug in text for slug in DRAFT_SLUGS), path
        assert 'class="draft-banner"' not in text, path


def test_a_preview_renders_each_draft_marked_as_one(
    previewed: Published,
) -> None:
    site, summary = previewed

    assert summary["published"] == ["night-ferry"]
    assert sorted(summary["drafts"]) == sorted(DRAFT_SLUGS)
    urls = {Path(source["path"]).name: source["url"] for source in summary["sources"]}
    assert urls["notes-on-vis.md"] == "/posts/notes-on-vis/"
    for slug in DRAFT_SLUGS:
        page = (site / "posts" / slug / "index.html").read_text(encoding="utf-8")
        assert 'class="draft-banner"' in page
        assert '<meta name="robots" content="noindex">' in page
        # Its month and tags list no draft: the page links to neither.
        assert 'rel="tag"' not in page
        assert "/archive/2024/05/" not in page
    ferry = (site / "posts" / "night-ferry" / "index.html").read_text(encoding="utf-8")
    assert 'class="draft-banner"' not in ferry


def test_no_listing_of_a_preview_names_a_draft(previewed: Published) -> None:
    site, _ = previewed

    listings = {
        path: text for path, text in _every_file(site).items() if not path.startswith("posts/")
    }

    assert "feed.xml" in listings
    assert "index.html" in listings
    assert any(path.startswith("sitemaps/") for path in listings)
    assert any(path.startswith("search/2024-05") for path in listings)
    for path, text in listings.items():
        assert not any(slug in text for slug in DRAFT_SLUGS), path
    for tag in DRAFT_ONLY_TAGS:
        assert not (site / "tags" / tag).exists()
    assert (site / "tags" / "croatia" / "index.html").is_file()


def _page(stack: LocalStack, slug: str) -> str | None:
    page = stack.site_objects().get(f"posts/{slug}/index.html")
    return page.decode("utf-8") if page is not None else None


def test_in_a_preview_a_draft_made_public_loses_its_mark_and_a_deleted_one_its_page(
    preview_stack: LocalStack, tmp_path: Path
) -> None:
    source = tmp_path / "hvar-out-of-season.md"
    source.write_text(HVAR, encoding="utf-8")
    preview_stack.upload([("posts/hvar-out-of-season.md", source)])
    preview_stack.router.drain()
    draft = _page(preview_stack, "hvar-out-of-season")
    assert draft is not None and 'class="draft-banner"' in draft
    assert "hvar-out-of-season" not in _page_or_empty(preview_stack, "index.html")

    source.write_text(HVAR.replace("draft: true\n", ""), encoding="utf-8")
    preview_stack.upload([("posts/hvar-out-of-season.md", source)])
    preview_stack.router.drain()
    public = _page(preview_stack, "hvar-out-of-season")
    assert public is not None and 'class="draft-banner"' not in public
    assert "hvar-out-of-season" in _page_or_empty(preview_stack, "index.html")

    source.write_text(HVAR, encoding="utf-8")
    preview_stack.upload([("posts/hvar-out-of-season.md", source)])
    preview_stack.router.drain()
    again = _page(preview_stack, "hvar-out-of-season")
    assert again is not None and 'class="draft-banner"' in again
    assert "hvar-out-of-season" not in _page_or_empty(preview_stack, "index.html")

    s3 = preview_stack.session.client("s3", endpoint_url=preview_stack.endpoint_url)
    s3.delete_object(Bucket=preview_stack.content_bucket, Key="posts/hvar-out-of-season.md")
    preview_stack.router.drain()
    assert _page(preview_stack, "hvar-out-of-season") is None


def _page_or_empty(stack: LocalStack, key: str) -> str:
    return stack.site_objects().get(key, b"").decode("utf-8")


@pytest.mark.parametrize("made_public", [False, True], ids=["still-a-draft", "made-public"])
def test_in_a_preview_a_draft_that_moves_leaves_nothing_behind_as_a_rebuild_of_it_does(
    preview_stack: LocalStack, tmp_path: Path, made_public: bool
) -> None:
    """A draft's URL was never public: when the draft moves, its old page goes, as a
    rebuild of the preview leaves none there (the index keeps the places of versions that
    were no draft only, so a rebuild writes no redirect for a draft's)."""
    source = tmp_path / "hvar-out-of-season.md"
    source.write_text(
        HVAR.replace("draft: true\n", "draft: true\npermalink: /2024/hvar/\n"), "utf-8"
    )
    preview_stack.upload([("posts/hvar-out-of-season.md", source)])
    preview_stack.router.drain()
    assert "2024/hvar/index.html" in preview_stack.site_objects()

    moved = (
        "permalink: /croatia/hvar/\n" if made_public else "draft: true\npermalink: /croatia/hvar/\n"
    )
    source.write_text(HVAR.replace("draft: true\n", moved), "utf-8")
    preview_stack.upload([("posts/hvar-out-of-season.md", source)])
    preview_stack.router.drain()
    streamed = preview_stack.site_objects()
    assert "croatia/hvar/index.html" in streamed
    assert "2024/hvar/index.html" not in streamed

    s3 = preview_stack.session.client("s3")
    for key in streamed:
        s3.delete_object(Bucket=preview_stack.site_bucket, Key=key)
    renderer = preview_stack.renderer().configured()  # as `pressroom rebuild` makes it
    for _ in renderer.rebuild(renderer.plan_rebuild()):
        pass
    assert set(preview_stack.site_objects()) == set(streamed)
