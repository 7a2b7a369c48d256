"""A post's entry in every list (the home page, its month's archive, its tags' and
categories' pages) shows its title, date, summary and tags, each tag linking its page."""

from __future__ import annotations

import pytest

from pressroom_local.stack import LocalStack
from tests.integration.conftest import upload
from tests.integration.html import read_page

POSTS = {
    "_posts/2024-06-03-tram-lines.md": (
        b"---\ntitle: Tram lines of Lisbon\ntags: [Transit, Portugal]\ncategories: [Travel]\n"
        b"---\n\nThe 28 climbs the hill the way it did in 1914.\n"
    ),
    "_posts/2024-06-09-night-bus.md": (
        b"---\ntitle: The night bus\ntags: [transit]\n---\n\nOne bus, two drivers, no sleep.\n"
    ),
}


@pytest.fixture
def site(in_process_stack: LocalStack) -> dict[str, str]:
    upload(in_process_stack, POSTS)
    return {key: body.decode() for key, body in in_process_stack.site_objects().items()}


def _tag_links(html: str) -> list[str]:
    page = read_page(html.split('<ol class="post-list">', 1)[1])
    return [found["href"] for _, found in page.attributes if found.get("rel") == "tag"]


@pytest.mark.parametrize(
    "key",
    [
        "index.html",
        "archive/2024/06/index.html",
        "tags/transit/index.html",
        "categories/travel/index.html",
    ],
)
def test_every_list_shows_each_post_s_tags_linking_their_pages(
    site: dict[str, str], key: str
) -> None:
    links = _tag_links(site[key])

    # Newest first: the night bus, then the trams (only the trams are in Travel).
    trams = ["/tags/transit/", "/tags/portugal/"]
    assert links == (trams if key.startswith("categories/") else ["/tags/transit/", *trams])
    assert '<a href="/tags/portugal/" rel="tag">Portugal</a>' in site[key]
