"""`pressroom rebuild` renders from the index exactly what the stream's increments rendered."""

from __future__ import annotations

from pathlib import Path

import pytest

from pressroom_local.stack import LocalStack
from tests.corpus import CORPUS, PROJECT_ROOT
from tests.integration.conftest import LISTINGS


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
