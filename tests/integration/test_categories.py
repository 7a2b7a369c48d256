"""Categories have pages as tags do: `categories/<key>/`, paginated, kept in step with the
index, and `categories/`, every category as written; a post links the categories it is
filed under."""

from __future__ import annotations

import pytest

from pressroom_local.stack import LocalStack
from tests.integration.conftest import delete, upload
from tests.integration.html import Page, read_page

POSTS = {
    "_posts/2024-03-04-composer-audit.md": (
        "Auditing dependencies",
        "categories: [Engineering, Open Source]\ntags: [php]",
    ),
    "_posts/2024-04-11-kyoto-in-the-rain.md": (
        "Kyoto in the rain",
        "categories: travel 日本語",
        # Jekyll's space-separated string, as `_config.yml` sites write it.
    ),
    "_posts/2024-05-02-night-ferry.md": (
        "The night ferry to Split",
        "categories: [Travel]\ntags: [travel, croatia]",
    ),
}


@pytest.fixture
def stack(in_process_stack: LocalStack) -> LocalStack:
    return in_process_stack


def _post(title: str, front_matter: str) -> bytes:
    return f"---\ntitle: {title}\n{front_matter}\n---\n\nNotes from the week.\n".encode()


def _publish_all(stack: LocalStack) -> None:
    upload(stack, {key: _post(*fields) for key, fields in POSTS.items()})


def _text(site: dict[str, bytes], key: str) -> str:
    return site[key].decode("utf-8")


def _posts(page: Page) -> list[str]:
    return [link for link in page.links() if link.startswith("/posts/")]


def _categories(stack: LocalStack) -> dict[str, bytes]:
    site = stack.site_objects()
    return {key: body for key, body in site.items() if key.startswith("categories/")}


def test_each_category_has_a_page_listing_its_posts_newest_first(stack: LocalStack) -> None:
    _publish_all(stack)

    site = stack.site_objects()
    travel = read_page(_text(site, "categories/travel/index.html"))

    # Named as its newest post spells it.
    assert travel.texts["h1"] == ["Filed under Travel"]
    assert _posts(travel) == [
        "/posts/night-ferry/",
        "/posts/kyoto-in-the-rain/",
    ]
    engineering = read_page(_text(site, "categories/engineering/index.html"))
    assert _posts(engineering) == ["/posts/composer-audit/"]
    assert "categories/open-source/index.html" in site
    assert "categories/日本語/index.html" in site


def test_a_post_links_the_categories_it_is_filed_under(stack: LocalStack) -> None:
    _publish_all(stack)

    page = _text(stack.site_objects(), "posts/composer-audit/index.html")

    assert '<a href="/categories/engineering/">Engineering</a>' in page
    assert '<a href="/categories/open-source/">Open Source</a>' in page
    assert '<a href="/tags/php/" rel="tag">php</a>' in page


def test_the_categories_index_lists_each_category_as_written(stack: LocalStack) -> None:
    _publish_all(stack)

    index = _text(stack.site_objects(), "categories/index.html")

    for name, path in [
        ("Engineering", "/categories/engineering/"),
        ("Open Source", "/categories/open-source/"),
        ("Travel", "/categories/travel/"),
        ("日本語", "/categories/%E6%97%A5%E6%9C%AC%E8%AA%9E/"),
    ]:
        assert f'<a href="{path}">{name}</a>' in index
    assert index.index(">Engineering<") < index.index(">Open Source<") < index.index(">Travel<")
    # Categories are not tags: the tags index lists only tags.
    tags = _text(stack.site_objects(), "tags/index.html")
    assert "/categories/" not in tags.split("<main", 1)[1]
    assert '<a href="/tags/travel/">travel</a>' in tags


def test_a_category_and_a_tag_of_one_name_are_two_listings(stack: LocalStack) -> None:
    _publish_all(stack)

    site = stack.site_objects()
    tag = read_page(_text(site, "tags/travel/index.html"))
    category = read_page(_text(site, "categories/travel/index.html"))

    assert _posts(tag) == ["/posts/night-ferry/"]
    assert len(_posts(category)) == 2


def test_a_category_goes_with_its_last_post_and_comes_with_its_first(stack: LocalStack) -> None:
    _publish_all(stack)

    delete(stack, "_posts/2024-03-04-composer-audit.md")
    upload(
        stack,
        {"_posts/2024-05-02-night-ferry.md": _post("The night ferry to Split", "category: Boats")},
    )

    site = stack.site_objects()
    index = _text(site, "categories/index.html")
    gone = ("categories/engineering/", "categories/open-source/")
    assert not any(key.startswith(gone) for key in site)
    assert "/categories/engineering/" not in index
    assert '<a href="/categories/boats/">Boats</a>' in index
    travel = read_page(_text(site, "categories/travel/index.html"))
    assert _posts(travel) == ["/posts/kyoto-in-the-rain/"]


def test_an_empty_site_has_a_categories_index_saying_so(stack: LocalStack) -> None:
    stack.renderer().write_site_indexes()

    index = read_page(_text(stack.site_objects(), "categories/index.html"))

    assert "No post is filed under a category yet." in index.texts["p"]


def test_a_rebuild_writes_the_same_category_pages(stack: LocalStack) -> None:
    _publish_all(stack)
    before = _categories(stack)

    service = stack.renderer()
    for _ in service.rebuild(service.plan_rebuild()):
        pass

    after = _categories(stack)
    assert before
    assert after == before
