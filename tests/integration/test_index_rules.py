"""The index rules through the pipeline: deletes, unchanged content, slug owners, bad updates."""

from __future__ import annotations

import json

from pressroom_local.stack import LocalStack

POST = b"---\ntitle: %s\ndate: 2024-02-03\nslug: %s\n---\n\nBody of %s.\n"


def _put(stack: LocalStack, key: str, body: bytes) -> None:
    stack.session.client("s3").put_object(Bucket=stack.content_bucket, Key=key, Body=body)
    stack.router.drain()


def _delete(stack: LocalStack, key: str) -> None:
    stack.session.client("s3").delete_object(Bucket=stack.content_bucket, Key=key)
    stack.router.drain()


def _site(stack: LocalStack) -> dict[str, str]:
    s3 = stack.session.client("s3")
    listing = s3.list_objects_v2(Bucket=stack.site_bucket).get("Contents", [])
    return {
        entry["Key"]: s3.get_object(Bucket=stack.site_bucket, Key=entry["Key"])["Body"]
        .read()
        .decode()
        for entry in listing
    }


def test_events_from_the_embedded_aws_carry_sequencers_and_versions(stack: LocalStack) -> None:
    sqs = stack.session.client("sqs")
    s3 = stack.session.client("s3")
    s3.put_object(Bucket=stack.content_bucket, Key="a.md", Body=b"one")
    s3.put_object(Bucket=stack.content_bucket, Key="a.md", Body=b"two")

    messages = sqs.receive_message(
        QueueUrl=stack.resources.queues["IngestQueue"].url, MaxNumberOfMessages=10
    )["Messages"]

    objects = [json.loads(message["Body"])["Records"][0]["s3"]["object"] for message in messages]
    assert len(objects) == 2
    assert objects[0]["sequencer"] < objects[1]["sequencer"]
    assert objects[0]["versionId"] != objects[1]["versionId"]


def test_deleting_a_file_unpublishes_its_post_from_every_listing(stack: LocalStack) -> None:
    _put(stack, "stays.md", b"---\ntitle: Stays\ndate: 2024-02-09\ntags: [news]\n---\nStays.\n")
    _put(stack, "hello.md", b"---\ntitle: Hello\ndate: 2024-02-03\ntags: [news, php]\n---\nHi.\n")
    before = _site(stack)
    listings = [
        "index.html",
        "feed.xml",
        "tags/news/index.html",
        "archive/2024/02/index.html",
        "sitemaps/2024-02.xml",
        "search/2024-02.json",
    ]
    assert all("/posts/hello/" in before[key] for key in listings)
    assert "tags/php/index.html" in before

    _delete(stack, "hello.md")

    site = _site(stack)
    assert "posts/hello/index.html" not in site
    assert "tags/php/index.html" not in site
    assert not [key for key in listings if "/posts/hello/" in site[key]]
    assert all("/posts/stays/" in site[key] for key in listings)
    status = stack.index.source_status("hello.md")
    assert status is not None
    assert status.status == "deleted"
    tombstone = stack.index.post("hello")
    assert tombstone is not None
    assert tombstone.status == "deleted"


def test_unchanged_content_is_not_rendered_again(stack: LocalStack) -> None:
    body = POST % (b"Same", b"same", b"same")
    _put(stack, "same.md", body)
    before = stack.index.post("same")
    status_before = stack.index.source_status("same.md")
    page_before = stack.session.client("s3").head_object(
        Bucket=stack.site_bucket, Key="posts/same/index.html"
    )

    _put(stack, "same.md", body)

    after = stack.index.post("same")
    page_after = stack.session.client("s3").head_object(
        Bucket=stack.site_bucket, Key="posts/same/index.html"
    )
    assert after == before
    assert page_after["ETag"] == page_before["ETag"]
    assert page_after["LastModified"] == page_before["LastModified"]
    status = stack.index.source_status("same.md")
    assert status is not None and status_before is not None
    assert status.sequencer > status_before.sequencer


def test_a_second_file_waits_for_a_published_slug(stack: LocalStack) -> None:
    _put(stack, "first.md", POST % (b"First", b"shared", b"first"))

    _put(stack, "second.md", POST % (b"Second", b"shared", b"second"))

    status = stack.statuses(["second.md"])["second.md"]
    assert status is not None
    assert status.status == "conflict"
    assert "first.md" in status.errors[0].message
    assert "Body of first." in _site(stack)["posts/shared/index.html"]

    _delete(stack, "first.md")

    assert "Body of second." in _site(stack)["posts/shared/index.html"]
    promoted = stack.index.source_status("second.md")
    assert promoted is not None
    assert (promoted.status, promoted.errors) == ("published", ())


def test_an_invalid_update_keeps_the_published_version(stack: LocalStack) -> None:
    _put(stack, "keep.md", POST % (b"Keep", b"keep", b"keep"))

    _put(stack, "keep.md", b"---\ntitle: ''\n---\nbroken\n")

    status = stack.index.source_status("keep.md")
    assert status is not None
    assert status.status == "invalid"
    assert status.errors[0].field == "title"
    assert "Body of keep." in _site(stack)["posts/keep/index.html"]


def test_changing_the_slug_moves_the_page(stack: LocalStack) -> None:
    _put(stack, "moving.md", POST % (b"Moving", b"old-place", b"moving"))

    _put(stack, "moving.md", POST % (b"Moving", b"new-place", b"moving"))

    site = _site(stack)
    assert "posts/old-place/index.html" not in site
    assert "posts/new-place/index.html" in site
    assert "/posts/old-place/" not in site["index.html"]
