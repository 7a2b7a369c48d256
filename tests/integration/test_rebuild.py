"""`pressroom rebuild` renders from the index exactly what the stream's increments rendered."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from pressroom_local.stack import LocalStack
from tests.corpus import CORPUS, PROJECT_ROOT
from tests.integration.conftest import LISTINGS
from tests.integration.stale_reads import FirstReadBeforeTheCommit
from tests.unit.test_static_files import tiny_png


@pytest.mark.parametrize(
    "configuration",
    [None, b"title: Dispatches\npermalink: date\ntimezone: Asia/Tokyo\n"],
    ids=["posts at posts/<slug>/", "the site's URL style"],
)
def test_a_rebuild_from_the_index_gives_the_same_site(
    stack: LocalStack, configuration: bytes | None, tmp_path: Path
) -> None:
    if configuration is not None:
        (tmp_path / "pressroom.yaml").write_bytes(configuration)
        stack.upload([("pressroom.yaml", tmp_path / "pressroom.yaml")])
        stack.router.drain()
    stack.upload(
        (f"posts/{path.name}", path)
        for folder in (CORPUS / "good", PROJECT_ROOT / "examples" / "posts")
        for path in sorted(folder.glob("*.md"))
    )
    stack.router.drain()
    incremental = stack.site_objects()
    s3 = stack.session.client("s3")
    for key in incremental:
        s3.delete_object(Bucket=stack.site_bucket, Key=key)
    renderer = stack.renderer().configured()  # as `pressroom rebuild` runs it

    plan = renderer.plan_rebuild()
    written = list(renderer.rebuild(plan))

    assert len(written) == plan.steps
    # Each post's page; a post at its own URL also has a redirect at `posts/<slug>/`.
    post_pages = [
        key
        for key, body in incremental.items()
        if key.endswith(".html") and not key.startswith(LISTINGS) and b'"refresh"' not in body
    ]
    assert plan.post_count == len(post_pages)
    assert stack.site_objects() == incremental


def test_a_rebuild_removes_the_pages_whose_post_month_or_tag_is_gone(stack: LocalStack) -> None:
    # As a site is left when the stream batches that deleted things were lost (RenderDLQ).
    stack.upload([("posts/seed.md", CORPUS / "good" / "armenia-azerbaijan-truce.md")])
    stack.router.drain()
    built = stack.site_objects()
    s3 = stack.session.client("s3")
    stale = [
        "posts/gone/index.html",
        "tags/gone/index.html",
        "archive/1999/01/index.html",
        "sitemaps/1999-01.xml",
        "search/1999-01.json",
    ]
    not_ours = "images/cover.png"
    for key in [*stale, not_ours]:
        s3.put_object(Bucket=stack.site_bucket, Key=key, Body=b"left over")
    renderer = stack.renderer().configured()  # as `pressroom rebuild` runs it

    for _ in renderer.rebuild(renderer.plan_rebuild()):
        pass

    assert stack.site_objects() == {**built, not_ours: b"left over"}


def _rebuilt_while_deleted(
    stack: LocalStack, read: str, source_key: str, site_key: str
) -> dict[str, bytes]:
    """The site after a rebuild that planned, and made its first `read` of the index
    (`published_posts`, `published_assets`), before `source_key` was deleted; the file's
    own renderer removed `site_key` meanwhile."""
    renderer = stack.renderer().configured()
    plan = renderer.plan_rebuild()
    read_before = list(getattr(stack.index, read)())
    stack.session.client("s3").delete_object(Bucket=stack.content_bucket, Key=source_key)
    stack.router.drain()
    assert site_key not in stack.site_objects()

    slow = replace(renderer, catalog=FirstReadBeforeTheCommit(stack.index, read, read_before))
    list(slow.rebuild(plan))
    return stack.site_objects()


def test_a_post_deleted_while_a_rebuild_runs_keeps_no_page(stack: LocalStack) -> None:
    s3 = stack.session.client("s3")
    for slug, day in (("sleeper", 3), ("ferry", 5)):
        body = f"---\ntitle: {slug.title()}\ndate: 2024-02-{day:02d}\n---\n\nNotes.\n"
        s3.put_object(Bucket=stack.content_bucket, Key=f"{slug}.md", Body=body.encode())
    stack.router.drain()

    site = _rebuilt_while_deleted(
        stack, "published_posts", "sleeper.md", "posts/sleeper/index.html"
    )

    assert "posts/sleeper/index.html" not in site
    assert "posts/ferry/index.html" in site
    assert b"/posts/sleeper/" not in site["posts/ferry/index.html"]


def test_an_image_deleted_while_a_rebuild_runs_is_not_published_again(stack: LocalStack) -> None:
    s3 = stack.session.client("s3")
    s3.put_object(Bucket=stack.content_bucket, Key="images/cat.png", Body=tiny_png())
    s3.put_object(Bucket=stack.content_bucket, Key="images/dog.png", Body=tiny_png())
    stack.router.drain()

    site = _rebuilt_while_deleted(stack, "published_assets", "images/cat.png", "images/cat.png")

    assert "images/cat.png" not in site
    assert "images/dog.png" in site
