"""Static files through the whole pipeline (issue 17, item 1): published by a copy inside S3
of the version validated, with their type and cache headers; one file owns a site path;
deletes unpublish; a rebuild keeps them; `_drafts/` never reaches the site (item 5)."""

from __future__ import annotations

from pressroom.assets import ASSET_CACHE_CONTROL
from pressroom.indexing import PostKey
from pressroom_local.stack import LocalStack
from tests.unit.test_static_files import TINY_GIF, tiny_png

SCRIPTED_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="alert(1)">'
    b"<script>alert(2)</script><rect width='10' height='10' fill='teal'/></svg>"
)


def _put(stack: LocalStack, key: str, body: bytes) -> str:
    s3 = stack.session.client("s3")
    return s3.put_object(Bucket=stack.content_bucket, Key=key, Body=body)["VersionId"]


def _site_object(stack: LocalStack, key: str) -> dict[str, object] | None:
    s3 = stack.session.client("s3")
    try:
        response = s3.get_object(Bucket=stack.site_bucket, Key=key)
    except s3.exceptions.NoSuchKey:
        return None
    return {
        "body": response["Body"].read(),
        "type": response["ContentType"],
        "cache": response.get("CacheControl"),
    }


def test_static_files_are_published_owned_unpublished_and_rebuilt(
    stack: LocalStack,
) -> None:
    gif_elsewhere = TINY_GIF.replace(b"GIF89a", b"GIF87a")
    version = _put(stack, "images/cat.png", tiny_png())
    _put(stack, "static/logo.gif", TINY_GIF)
    _put(stack, "pic.svg", SCRIPTED_SVG)
    _put(stack, "_drafts/wip.md", b"---\ntitle: Not yet\n---\nDraft.\n")
    _put(stack, "page.html", b"<script>alert(3)</script>")
    stack.router.drain()
    _put(stack, "logo.gif", gif_elsewhere)  # the same site path, uploaded second
    stack.router.drain()

    cat = _site_object(stack, "images/cat.png")
    assert cat == {"body": tiny_png(), "type": "image/png", "cache": ASSET_CACHE_CONTROL}
    assert _site_object(stack, "logo.gif") == {
        "body": TINY_GIF,
        "type": "image/gif",
        "cache": ASSET_CACHE_CONTROL,
    }
    svg = _site_object(stack, "pic.svg")
    assert svg is not None and svg["type"] == "image/svg+xml"
    assert b"script" not in svg["body"] and b"onload" not in svg["body"]  # type: ignore[operator]
    assert b"<rect" in svg["body"]  # type: ignore[operator]
    assert _site_object(stack, "page.html") is None
    assert _site_object(stack, "posts/wip/index.html") is None

    statuses = stack.statuses(
        ["images/cat.png", "logo.gif", "static/logo.gif", "_drafts/wip.md", "page.html"]
    )
    assert {key: s.status for key, s in statuses.items() if s} == {
        "images/cat.png": "published",
        "static/logo.gif": "published",
        "logo.gif": "conflict",
        "_drafts/wip.md": "ignored",
        "page.html": "invalid",
    }
    conflict = statuses["logo.gif"]
    assert conflict is not None and "'static/logo.gif'" in conflict.errors[0].message
    stored = stack.index.post("/images/cat.png")
    assert stored is not None and stored.published_asset is not None
    copied_from = stored.published_asset.copy_source
    assert copied_from is not None
    assert (copied_from.bucket, copied_from.version_id) == (stack.content_bucket, version)

    # The owner goes: the next file takes the path over. A deleted asset leaves the site.
    s3 = stack.session.client("s3")
    s3.delete_object(Bucket=stack.content_bucket, Key="static/logo.gif")
    s3.delete_object(Bucket=stack.content_bucket, Key="images/cat.png")
    stack.router.drain()

    assert _site_object(stack, "images/cat.png") is None
    logo = _site_object(stack, "logo.gif")
    assert logo is not None and logo["body"] == gif_elsewhere
    tombstone = stack.index.post("/images/cat.png")
    assert tombstone is not None and tombstone.status == "deleted"

    # A rebuild writes the assets again, and sweeps none of them away.
    for key in ("logo.gif", "pic.svg"):
        s3.delete_object(Bucket=stack.site_bucket, Key=key)
    renderer = stack.renderer()
    plan = renderer.plan_rebuild()
    written = list(renderer.rebuild(plan))

    assert len(written) == plan.steps
    assert {"logo.gif", "pic.svg"} <= set(written)
    assert _site_object(stack, "logo.gif") == logo
    assert _site_object(stack, "pic.svg") == svg
    assert stack.index.read([PostKey("/logo.gif")])
