"""An author's files through a deployed stack: S3 event, queues, the three functions, the index,
the site bucket and CloudFront, and `pressroom status` reading what happened.

Each test names its posts after this run's folder (`e2e/<run>/`), so that neither their
URLs nor their slugs meet a real post or another run's.
"""

from __future__ import annotations

import json

from tests.e2e_aws.conftest import DeployedStack

# The smallest PNG: one transparent pixel.
PIXEL_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def _post(title: str, path: str, *, aliases: tuple[str, ...] = ()) -> bytes:
    old = "".join(f"\n  - {alias}" for alias in aliases)
    front_matter = f"title: {title}\ndate: 2001-02-03\npermalink: {path}\n"
    if aliases:
        front_matter += f"aliases:{old}\n"
    return f"---\n{front_matter}---\nWritten by the end-to-end suite.\n".encode()


def _run(deployed: DeployedStack) -> str:
    """This run's id, the last segment of its folder: unique slugs and URLs."""
    return deployed.folder.rstrip("/").rsplit("/", 1)[-1]


def test_a_dropped_post_is_published_updated_and_removed(deployed: DeployedStack) -> None:
    path = f"/{deployed.folder}post-{_run(deployed)}/"
    page = f"{path.lstrip('/')}index.html"

    def shows(title: str) -> bool:
        found = deployed.site_object(page)
        return found is not None and title.encode() in found[0]

    key = deployed.put("post.md", _post("Dropped on AWS", path))
    deployed.eventually(lambda: shows("Dropped on AWS"))
    served = deployed.fetch(path)
    assert served.status == 200
    assert served.headers["content-type"].startswith("text/html")
    assert b"Dropped on AWS" in served.body

    deployed.put("post.md", _post("Edited on AWS", path))
    deployed.eventually(lambda: shows("Edited on AWS"))

    deployed.delete(key)
    deployed.eventually(lambda: deployed.site_object(page) is None)


def test_an_invalid_file_is_explained_by_pressroom_status(deployed: DeployedStack) -> None:
    key = deployed.put("broken.md", b"---\ntitle: ''\n---\nNo title.\n")

    def recorded() -> list[dict[str, object]] | None:
        done = deployed.pressroom("status", key, "--json")
        return json.loads(done.stdout) if done.returncode == 0 else None

    listed = deployed.eventually(recorded)

    assert [entry["status"] for entry in listed] == ["invalid"]
    errors = listed[0]["errors"]
    assert isinstance(errors, list)
    assert {"field": "title", "message": "must not be blank", "line": 2} in errors
    text = deployed.pressroom("status", key)
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith("invalid")
    assert f"{key}:2: title:" in text.stdout


def test_an_asset_is_published_at_its_path_with_its_type(deployed: DeployedStack) -> None:
    key = deployed.put("pixel.png", PIXEL_PNG, content_type="image/png")

    found = deployed.eventually(lambda: deployed.site_object(key))

    assert found == (PIXEL_PNG, "image/png")
    served = deployed.fetch(f"/{key}")
    assert served.status == 200
    assert served.headers["content-type"] == "image/png"
    assert served.body == PIXEL_PNG


def test_an_old_address_sends_readers_to_the_post(deployed: DeployedStack) -> None:
    run = _run(deployed)
    path, old = f"/{deployed.folder}moved-{run}/", f"/{deployed.folder}old-{run}/"
    deployed.put("moved.md", _post("Moved on AWS", path, aliases=(old,)))

    redirect = deployed.eventually(lambda: deployed.site_object(f"{old.lstrip('/')}index.html"))

    assert f'content="0; url={path}"'.encode() in redirect[0]
    # Without its slash the old address is answered by the viewer-request function, then
    # the page left there by the viewer-response function: a 301 to the post.
    bare = deployed.fetch(old.rstrip("/"))
    assert (bare.status, bare.headers["location"]) == (301, old)
    served = deployed.fetch(old)
    assert (served.status, served.headers["location"]) == (301, path)
    assert "x-amz-website-redirect-location" not in served.headers
