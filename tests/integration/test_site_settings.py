"""The site's configuration through the pipeline (issue 19): `pressroom.yaml` uploaded like a
post, indexed, and read by the renderer; a change renders every page again through the
listing queue, and the other generators' files count when there is no `pressroom.yaml`."""

from __future__ import annotations

import re

from pressroom.listings import site_pages_chain, site_pages_cursor, site_pages_request
from pressroom_local.stack import LocalStack
from tests.integration.conftest import delete, upload
from tests.integration.html import read_page

POSTS = {
    f"posts/2024-0{month}-0{day}-walk-{month}-{day}.md": (
        f"---\ntitle: Walk {month}.{day}\ntags: [walking, coast]\n---\nAlong the cliffs.\n"
    ).encode()
    for month in (3, 4)
    for day in (1, 2, 3)
}


def _titles(stack: LocalStack) -> dict[str, str]:
    """The site title each HTML page shows in its header, by key."""
    titles = {}
    for key, body in stack.site_objects().items():
        if key.endswith(".html") and b'class="brand"' in body:
            page = body.decode()
            start = page.index('class="brand"')
            titles[key] = page[page.index(">", start) + 1 : page.index("</a>", start)]
    return titles


def test_a_new_title_reaches_every_page_and_the_feed(stack: LocalStack) -> None:
    upload(stack, POSTS)
    upload(stack, {"pressroom.yaml": b"title: Coast Paths\nfeed_size: 2\n"})
    titles = _titles(stack)
    assert len(titles) > len(POSTS) + 4, "posts, home, tags, archives, search, 404"
    assert set(titles.values()) == {"Coast Paths"}

    upload(
        stack,
        {
            "pressroom.yaml": b"""title: Cliff Walks
author: Ana Reyes
date_format: "%b %-d, %Y"
menu:
  - {name: About, url: /about/, weight: 2}
  - {name: Maps, url: https://maps.example.org/, weight: 1}
footer: Walked and written by Ana.
"""
        },
    )
    titles = _titles(stack)
    assert set(titles.values()) == {"Cliff Walks"}, "every page rendered again"
    site = stack.site_objects()
    home = read_page(site["index.html"].decode())
    assert home.links().index("https://maps.example.org/") < home.links().index("/about/")
    assert "Mar 3, 2024" in site["index.html"].decode()
    assert b"Walked and written by Ana." in site["posts/walk-3-1/index.html"]
    assert b"<name>Ana Reyes</name>" in site["feed.xml"]
    assert site["feed.xml"].count(b"<entry>") == 6, "feed_size back to the default"


def test_pressroom_yaml_wins_over_jekyll_and_hugo_and_its_delete_hands_back(
    stack: LocalStack,
) -> None:
    upload(stack, POSTS)
    upload(stack, {"_config.yml": b"title: Jekyll Title\nplugins: [jekyll-feed]\n"})
    assert set(_titles(stack).values()) == {"Jekyll Title"}
    upload(stack, {"pressroom.yaml": b"title: Pressroom Title\n"})
    assert set(_titles(stack).values()) == {"Pressroom Title"}
    delete(stack, "pressroom.yaml")
    assert set(_titles(stack).values()) == {"Jekyll Title"}
    delete(stack, "_config.yml")
    assert set(_titles(stack).values()) == {"Pressroom"}, "the stack's default"


def test_an_invalid_configuration_keeps_the_last_valid_one_and_says_why(
    stack: LocalStack,
) -> None:
    upload(stack, POSTS)
    upload(stack, {"pressroom.yaml": b"title: Good Title\n"})
    upload(stack, {"pressroom.yaml": b"title: Bad Title\nhome_size: 5\nfeed_size: many\n"})
    assert set(_titles(stack).values()) == {"Good Title"}
    status = stack.statuses(["pressroom.yaml"])["pressroom.yaml"]
    assert status is not None
    assert status.status == "invalid"
    assert [(issue.field, issue.line) for issue in status.errors] == [
        ("home_size", 2),
        ("feed_size", 3),
    ]


def _navigation(page: str) -> list[str]:
    """The names in a page's site navigation, in order."""
    nav = page[page.index("<ul>", page.index('<nav class="wrap"')) : page.index("</nav>")]
    return re.findall(r">([^<>]*)</a>", nav)


def _navigations(stack: LocalStack) -> set[tuple[str, ...]]:
    return {
        tuple(_navigation(body.decode()))
        for key, body in stack.site_objects().items()
        if key.endswith(".html") and b'<nav class="wrap"' in body
    }


ABOUT = b"""---
title: About these walks
layout: page
permalink: /about/
menu:
  main:
    name: About
    weight: 2
---
Who walks, and why.
"""


def test_pages_join_the_navigation_and_the_sitemap_and_leave_them(stack: LocalStack) -> None:
    upload(stack, POSTS)
    upload(
        stack,
        {
            "pressroom.yaml": b"menu:\n  - {name: Photos, url: /photos/, weight: 1}\n",
            "about.md": ABOUT,
            "contact.md": b"---\ntitle: Contact\nlayout: page\n---\nWrite to me.\n",
        },
    )
    chrome = ["Archive", "Tags", "Search", "Feed"]
    assert _navigations(stack) == {("Photos", "About", *chrome)}
    pages_sitemap = stack.site_objects()["sitemaps/pages.xml"].decode()
    assert "/about/</loc>" in pages_sitemap
    assert "/contact/</loc>" in pages_sitemap

    upload(stack, {"about.md": ABOUT.replace(b"name: About", b"name: Me").replace(b"2", b"0")})
    assert _navigations(stack) == {("Me", "Photos", *chrome)}, "every page rendered again"

    delete(stack, "about.md")
    assert _navigations(stack) == {("Photos", *chrome)}
    assert "/about/</loc>" not in stack.site_objects()["sitemaps/pages.xml"].decode()


def test_a_site_wide_render_walks_the_whole_index_a_step_at_a_time(stack: LocalStack) -> None:
    upload(stack, {**POSTS, "about.md": ABOUT})
    s3 = stack.session.client("s3")
    pages = [key for key in stack.site_objects() if key.startswith(("posts/", "about/"))]
    for key in pages:
        s3.delete_object(Bucket=stack.site_bucket, Key=key)
    renderer = stack.renderer().configured()

    steps, follow_ups = 0, []
    request: str | None = site_pages_request("walk")
    while request is not None:
        asked = renderer.render_site_pages(request, step_items=5)
        steps += 1
        request = next((r for r in asked if r.startswith("pages:")), None)
        follow_ups += [r for r in asked if not r.startswith("pages:")]

    assert steps > 5, "the index is more than a few steps of five items"
    assert sorted(key for key in stack.site_objects() if key in pages) == sorted(pages)
    assert follow_ups[:2] == ["newest", "site-indexes"]
    assert {"month:2024-03", "month:2024-04", "tag:walking", "tag:coast"} <= set(follow_ups)


def test_a_site_pages_request_keeps_its_chain_and_a_cursor_that_holds_an_at_sign() -> None:
    cursor = '{"pk": {"S": "SOURCE#notes/me@home.md"}, "sk": {"S": "STATUS"}}'
    request = site_pages_request("0f3a", cursor)

    assert (site_pages_chain(request), site_pages_cursor(request)) == ("0f3a", cursor)
