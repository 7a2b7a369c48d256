"""Every corpus file through the whole pipeline: what EXPECTED.json says reaches the site, and
nothing else; every rejection is recorded where `pressroom status` shows it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pressroom.indexing import SourceStatus
from pressroom.models import format_instant
from pressroom.site import claimed_path, page_object_key
from pressroom_local.cli import main
from pressroom_local.emulator import embedded_aws
from pressroom_local.stack import LocalStack
from tests.corpus import PROJECT_ROOT, CorpusCase, cases
from tests.integration.conftest import LISTINGS, SITE_URL
from tests.integration.html import read_page


@dataclass(frozen=True)
class Published:
    stack: LocalStack
    statuses: dict[str, SourceStatus | None]
    site: dict[str, str]
    """Site-bucket key → body."""
    content_keys: set[str]


@pytest.fixture(scope="module")
def published() -> Iterator[Published]:
    """The whole corpus dropped into the content bucket at once, the pipeline run until quiet."""
    with (
        embedded_aws() as aws,
        LocalStack.create(
            aws.session, project_root=PROJECT_ROOT, site_url=SITE_URL, endpoint_url=aws.endpoint_url
        ) as stack,
    ):
        stack.upload((case.id, case.path) for case in cases())
        stack.router.drain()
        s3 = stack.session.client("s3")
        site = {
            entry["Key"]: s3.get_object(Bucket=stack.site_bucket, Key=entry["Key"])["Body"]
            .read()
            .decode("utf-8")
            for entry in s3.list_objects_v2(Bucket=stack.site_bucket).get("Contents", [])
        }
        content = s3.list_objects_v2(Bucket=stack.content_bucket).get("Contents", [])
        yield Published(
            stack=stack,
            statuses=stack.statuses(case.id for case in cases()),
            site=site,
            content_keys={entry["Key"] for entry in content},
        )


def _page(published: Published, case: CorpusCase) -> str | None:
    """The page of a corpus file, at the path its status names (its permalink, or
    `posts/<slug>/`)."""
    status = published.statuses[case.id]
    assert status is not None and status.slug is not None
    return published.site.get(page_object_key(claimed_path(status.slug, status.path)))


@pytest.mark.parametrize("case", cases("good"), ids=lambda case: case.id)
def test_good_file_reaches_the_site_as_expected(published: Published, case: CorpusCase) -> None:
    status = published.statuses[case.id]
    expected = case.expected

    assert status is not None
    assert status.errors == ()
    assert status.slug == expected["slug"]
    page = _page(published, case)
    url = "/" + claimed_path(status.slug, status.path)
    if expected["publish"]:
        assert status.status == "published"
        assert page is not None
        assert f'href="{url}"' in published.site["index.html"]
    else:
        assert status.status == "draft"
        assert page is None
        assert url not in published.site["index.html"]


@pytest.mark.parametrize(
    "case", [case for case in cases("good") if "date" in case.expected], ids=lambda case: case.id
)
def test_index_holds_the_expected_date(published: Published, case: CorpusCase) -> None:
    record = published.stack.index.post(case.expected["slug"])

    assert record is not None
    assert format_instant(record.post.date) == case.expected["date"]


def test_hostile_html_is_shown_as_text_and_never_runs(published: Published) -> None:
    (case,) = [case for case in cases("good") if case.expected.get("no_active_content")]
    html = _page(published, case)

    assert html is not None
    page = read_page(html)
    # Escaped text may spell `<script>`; what must not exist is an element or attribute that runs.
    tags = [tag for tag, _ in page.attributes]
    assert not {"script", "iframe", "object", "embed", "form"} & set(tags)
    for tag, attributes in page.attributes:
        assert not [name for name in attributes if name.startswith("on")], (tag, attributes)
        for name in ("href", "src", "action"):
            value = attributes.get(name, "").strip().lower()
            assert not value.startswith(("javascript:", "data:", "vbscript:")), (tag, attributes)
    for text in case.expected["shows_text"]:
        assert text in html


@pytest.mark.parametrize("case", cases("bad"), ids=lambda case: case.id)
def test_bad_file_is_recorded_as_invalid_and_kept(published: Published, case: CorpusCase) -> None:
    status = published.statuses[case.id]

    assert status is not None
    assert status.status == "invalid"
    described = " ".join(issue.describe(case.id) for issue in status.errors).lower()
    assert any(word.lower() in described for word in case.expected["mentions"]), described
    assert case.id in published.content_keys


def test_only_good_published_posts_have_pages(published: Published) -> None:
    statuses = [published.statuses[case.id] for case in cases("good") if case.expected["publish"]]
    expected_pages = {
        page_object_key(claimed_path(status.slug, status.path))
        for status in statuses
        if status is not None and status.slug is not None
    }
    # Not the redirect a post at its own URL has at `posts/<slug>/`.
    pages = {
        key
        for key, body in published.site.items()
        if key.endswith(".html") and not key.startswith(LISTINGS) and '"refresh"' not in body
    }

    assert pages == expected_pages


def test_status_command_tells_an_author_why_a_file_is_not_on_the_site(
    published: Published,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".pressroom").mkdir()
    (tmp_path / ".pressroom" / "local.json").write_text(
        published.stack.resources.to_json(endpoint_url=None)
    )

    assert main(["status", "bad/blank-title.md"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("invalid")
    assert "bad/blank-title.md:2: title: must not be blank" in out

    assert main(["status", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {entry["source_key"] for entry in listed} == {case.id for case in cases()}
