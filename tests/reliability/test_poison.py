"""A message that always fails is parked, shown, and redriven once its cause is fixed."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pressroom_local.cli import main
from pressroom_local.faults import Invoke, observe_invocations
from pressroom_local.runtime import LocalFunction
from pressroom_local.s3_events import in_process_aws
from pressroom_local.stack import LocalStack
from reliability.harness import PROJECT_ROOT, SITE_URL, dead_letter_counts, generate_posts
from tests.refusals import Error, refused

POISON = "posts/poison.md"


@pytest.fixture
def stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalStack]:
    """A local stack that `pressroom status` and `redrive` find from this folder."""
    with in_process_aws() as session:
        local = LocalStack.create(session, project_root=PROJECT_ROOT, site_url=SITE_URL)
        local.router.drain()
        monkeypatch.chdir(tmp_path)
        (tmp_path / ".pressroom").mkdir()
        (tmp_path / ".pressroom" / "local.json").write_text(
            local.resources.to_json(
                endpoint_url=None,
                functions={name: f.environment for name, f in local.functions.items()},
            )
        )
        yield local


@pytest.fixture
def unreadable_poison() -> Iterator[Callable[[], None]]:
    """The cause: the validator may not read one object (as a wrong key policy would do).
    Gives the fix."""
    with refused(
        "before-call.s3.GetObject",
        lambda params: params["url_path"].endswith("/posts/poison.md"),
        Error("AccessDenied", "Access Denied", 403),
    ) as fix:
        yield fix


def test_a_poison_message_is_parked_shown_and_redriven(
    stack: LocalStack, unreadable_poison: Callable[[], None], capsys: pytest.CaptureFixture[str]
) -> None:
    s3 = stack.session.client("s3")
    mates = generate_posts(9)
    for post in mates[:4]:
        s3.put_object(Bucket=stack.content_bucket, Key=post.key, Body=post.body)
    s3.put_object(Bucket=stack.content_bucket, Key=POISON, Body=mates[0].body)
    for post in mates[4:]:
        s3.put_object(Bucket=stack.content_bucket, Key=post.key, Body=post.body)

    batches: list[tuple[list[str], Any]] = []

    def record(function: LocalFunction, invoke: Invoke, event: dict[str, Any]) -> Any:
        response = invoke(function, event)
        if function.name == "ValidatorFunction":
            batches.append(([r["messageId"] for r in event["Records"]], response))
        return response

    with observe_invocations(record):
        stack.router.drain()

    # The poison shared its first batch with its mates, and only it was reported failed.
    first_ids, first_response = batches[0]
    assert len(first_ids) == 10
    assert [failure["itemIdentifier"] for failure in first_response["batchItemFailures"]] == [
        first_ids[4]
    ]
    # Its batch-mates flowed: every one published, none parked with it.
    for post in mates:
        status = stack.index.source_status(post.key)
        assert status is not None and status.status == "published", post.key
    assert dead_letter_counts(stack) == {
        "IngestDLQ": 1,
        "IndexDLQ": 0,
        "RenderDLQ": 0,
        "ListingDLQ": 0,
    }

    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert "dead letters: IngestDLQ 1" in out
    assert f"S3 event: {POISON}" in out

    assert main(["status", POISON, "--json"]) == 0
    [parked] = json.loads(capsys.readouterr().out)
    assert parked["status"] == "dead-letter"
    assert parked["source_key"] == POISON
    assert parked["queue"] == "IngestDLQ"
    assert parked["receive_count"] >= 5  # maxReceiveCount in template.yaml
    assert "validator's log" in parked["reason"]


def test_redrive_puts_it_back_once_the_cause_is_fixed(
    stack: LocalStack,
    unreadable_poison: Callable[[], None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    s3 = stack.session.client("s3")
    s3.put_object(Bucket=stack.content_bucket, Key=POISON, Body=generate_posts(1)[0].body)
    stack.router.drain()
    assert dead_letter_counts(stack)["IngestDLQ"] == 1

    assert main(["redrive", "--queue", "IngestDLQ"]) == 0  # the cause is still there
    assert "IngestDLQ: 1 message back on" in capsys.readouterr().out
    stack.router.drain()
    assert dead_letter_counts(stack)["IngestDLQ"] == 1

    unreadable_poison()  # the cause fixed
    assert main(["redrive"]) == 0
    stack.router.drain()

    assert dead_letter_counts(stack) == {
        "IngestDLQ": 0,
        "IndexDLQ": 0,
        "RenderDLQ": 0,
        "ListingDLQ": 0,
    }
    status = stack.index.source_status(POISON)
    assert status is not None and status.status == "published"
    assert main(["status", POISON]) == 0
    assert "dead letters" not in capsys.readouterr().out


def test_a_render_dead_letter_is_redriven_by_a_rebuild(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    post = generate_posts(1)[0]
    stack.session.client("s3").put_object(Bucket=stack.content_bucket, Key=post.key, Body=post.body)
    stack.router.drain()
    site = stack.session.client("s3")
    page = f"posts/{post.slug}/index.html"
    site.delete_object(Bucket=stack.site_bucket, Key=page)  # a batch whose retries ran out
    stack.session.client("sqs").send_message(
        QueueUrl=stack.resources.queues["RenderDLQ"].url,
        MessageBody=json.dumps(
            {"DDBStreamBatchInfo": {"batchSize": 1, "startSequenceNumber": "1"}}
        ),
    )

    assert main(["status"]) == 0
    assert "dead letters: RenderDLQ 1" in capsys.readouterr().out
    assert main(["redrive", "--queue", "RenderDLQ", "--quiet"]) == 0

    assert "RenderDLQ: 1 message let go after a rebuild" in capsys.readouterr().out
    assert site.get_object(Bucket=stack.site_bucket, Key=page)["ContentLength"] > 0
    assert dead_letter_counts(stack)["RenderDLQ"] == 0


@pytest.fixture
def unwritable_poison() -> Iterator[None]:
    """The cause: index writes for one file are refused (as a wrong table policy would do)."""
    with refused(
        "before-call.dynamodb.TransactWriteItems",
        lambda params: POISON in params["body"].decode(),
        Error("AccessDeniedException", "not authorized to write", 400),
    ):
        yield


def test_an_index_dead_letter_says_why_it_is_parked(
    stack: LocalStack, unwritable_poison: None, capsys: pytest.CaptureFixture[str]
) -> None:
    s3 = stack.session.client("s3")
    s3.put_object(Bucket=stack.content_bucket, Key=POISON, Body=generate_posts(1)[0].body)

    stack.router.drain()

    assert dead_letter_counts(stack)["IndexDLQ"] == 1
    assert main(["status", POISON, "--json"]) == 0
    [parked] = json.loads(capsys.readouterr().out)
    assert parked["queue"] == "IndexDLQ"
    assert "indexer failed on receive 5" in parked["reason"]
    assert "not authorized to write" in parked["reason"]
    assert main(["status", POISON]) == 0
    assert "why: indexer failed on receive 5" in capsys.readouterr().out


def test_a_listing_that_always_fails_is_parked_and_the_listings_beside_it_are_not(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    s3 = stack.session.client("s3")

    def post(slug: str, tags: str) -> bytes:
        front_matter = f"title: {slug}\ndate: 2024-03-0{len(tags) % 9 + 1}\ntags: [{tags}]"
        return f"---\n{front_matter}\n---\n\nA line.\n".encode()

    with refused(
        "before-call.s3.PutObject",
        lambda params: "/tags/cursed/" in params["url_path"],
        Error("AccessDenied", "Access Denied", 403),
    ):
        s3.put_object(
            Bucket=stack.content_bucket, Key="posts/hex.md", Body=post("hex", "cursed, folk")
        )
        s3.put_object(Bucket=stack.content_bucket, Key="posts/charm.md", Body=post("charm", "folk"))
        stack.router.drain()

    # The tag's page is asked for again in messages of its own, then parked with its reason;
    # the home page and the other tag, asked for in the same messages, were rendered.
    assert dead_letter_counts(stack)["ListingDLQ"] == 1
    home = s3.get_object(Bucket=stack.site_bucket, Key="index.html")["Body"].read().decode()
    assert "/posts/hex/" in home and "/posts/charm/" in home
    folk = s3.get_object(Bucket=stack.site_bucket, Key="tags/folk/index.html")["Body"].read()
    assert b"/posts/hex/" in folk
    assert main(["status"]) == 0
    assert "listing requests: tag:cursed@" in capsys.readouterr().out

    # With its cause gone, a redrive renders it.
    assert main(["redrive", "--queue", "ListingDLQ"]) == 0
    stack.router.drain()
    assert dead_letter_counts(stack)["ListingDLQ"] == 0
    page = s3.get_object(Bucket=stack.site_bucket, Key="tags/cursed/index.html")
    assert "/posts/hex/" in page["Body"].read().decode()
