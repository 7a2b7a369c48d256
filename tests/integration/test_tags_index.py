"""`/tags/`: every tag as its posts spell it, each linking its page, written when a tag
appears or goes, and bounded."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pressroom.services import renderer
from pressroom_local.s3_events import in_process_aws
from pressroom_local.stack import LocalStack
from tests.corpus import PROJECT_ROOT
from tests.integration.conftest import SITE_URL
from tests.integration.html import Page, read_page

POSTS = {
    "posts/composer-audit.md": ("Auditing dependencies", "2024-03-04", "[PHP, Open Source]"),
    "posts/kyoto-in-the-rain.md": ("Kyoto in the rain", "2024-04-11", "[日本語, Travel]"),
    "posts/night-ferry.md": ("The night ferry to Split", "2024-05-02", "[Travel]"),
}


@pytest.fixture
def stack() -> Iterator[LocalStack]:
    with in_process_aws() as session:
        local = LocalStack.create(session, project_root=PROJECT_ROOT, site_url=SITE_URL)
        local.router.drain()
        yield local


def _put(stack: LocalStack, key: str, title: str, date: str, tags: str) -> None:
    body = f"---\ntitle: {title}\ndate: {date}\ntags: {tags}\n---\n\nWritten on the road.\n"
    stack.session.client("s3").put_object(
        Bucket=stack.content_bucket, Key=key, Body=body.encode("utf-8")
    )


def _publish_all(stack: LocalStack) -> None:
    for key, (title, date, tags) in POSTS.items():
        _put(stack, key, title, date, tags)
    stack.router.drain()


def _tags_index(stack: LocalStack) -> Page:
    return read_page(stack.site_objects()["tags/index.html"].decode("utf-8"))


def test_the_index_lists_each_tag_as_written_linking_its_page(stack: LocalStack) -> None:
    _publish_all(stack)

    site = stack.site_objects()
    index = site["tags/index.html"].decode("utf-8")

    for name, path in [
        ("Open Source", "/tags/open-source/"),
        ("PHP", "/tags/php/"),
        ("Travel", "/tags/travel/"),
        ("日本語", "/tags/%E6%97%A5%E6%9C%AC%E8%AA%9E/"),
    ]:
        assert f'<a href="{path}">{name}</a>' in index
        assert (
            path.removeprefix("/").replace("%E6%97%A5%E6%9C%AC%E8%AA%9E", "日本語") + "index.html"
            in site
        )
    # Alphabetical, as a reader scans it, not by key.
    assert index.index(">Open Source<") < index.index(">PHP<") < index.index(">Travel<")
    # Beside Archive in every page's navigation.
    home = site["index.html"].decode("utf-8")
    assert '<li><a href="/archive/">Archive</a></li>\n      <li><a href="/tags/">Tags</a></li>' in (
        home
    )


def test_a_tag_leaves_the_index_with_its_last_post_and_joins_with_its_first(
    stack: LocalStack,
) -> None:
    _publish_all(stack)

    stack.session.client("s3").delete_object(
        Bucket=stack.content_bucket, Key="posts/composer-audit.md"
    )
    _put(
        stack, "posts/night-ferry.md", "The night ferry to Split", "2024-05-02", "[Travel, Croatia]"
    )
    stack.router.drain()

    site = stack.site_objects()
    index = site["tags/index.html"].decode("utf-8")
    assert "/tags/php/" not in index
    assert "/tags/open-source/" not in index
    assert not any(key.startswith(("tags/php/", "tags/open-source/")) for key in site)
    assert '<a href="/tags/croatia/">Croatia</a>' in index
    assert '<a href="/tags/travel/">Travel</a>' in index


def test_the_index_shows_the_name_its_newest_post_gives_a_tag(stack: LocalStack) -> None:
    _put(stack, "posts/composer-audit.md", "Auditing dependencies", "2024-03-04", "[php]")
    stack.router.drain()
    _put(stack, "posts/php-8-4.md", "What PHP 8.4 changes", "2024-11-21", "[PHP]")
    stack.router.drain()

    index = stack.site_objects()["tags/index.html"].decode("utf-8")

    assert '<a href="/tags/php/">PHP</a>' in index


def test_past_its_limit_the_index_lists_the_first_tags_and_counts_the_rest(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(renderer, "MAX_TAGS_INDEXED", 2)
    _publish_all(stack)
    stack.renderer().write_terms_index()

    index = stack.site_objects()["tags/index.html"].decode("utf-8")

    # The first two keys as S3 lists them (open-source, php); travel and 日本語 counted.
    assert "/tags/open-source/" in index
    assert "/tags/php/" in index
    assert "/tags/travel/" not in index
    assert "And 2 more tags" in index


def test_an_empty_site_has_a_tags_index_saying_so(stack: LocalStack) -> None:
    stack.renderer().write_site_indexes()

    index = _tags_index(stack)

    assert "No post carries a tag yet." in index.texts["p"]


def test_a_rebuild_writes_the_same_index(stack: LocalStack) -> None:
    _publish_all(stack)
    before = stack.site_objects()

    service = stack.renderer()
    for _ in service.rebuild(service.plan_rebuild()):
        pass

    after = stack.site_objects()
    assert after["tags/index.html"] == before["tags/index.html"]
    assert {key for key in after if key.endswith("/tag.json")} == {
        key for key in before if key.endswith("/tag.json")
    }
