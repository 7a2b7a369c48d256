"""A blog that moved in with its pictures (issue 17), in Chromium: a Jekyll site placing its
posts by its URL style, a post with a site-relative image under `assets/`, a Hugo-style page
bundle with an image beside it and an SVG in a folder below, published with `pressroom
publish` and served over HTTP. Every image on each post's page is loaded and drawn."""

from __future__ import annotations

import contextlib
import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from pressroom_local.cli import main
from tests.site.conftest import serve_folder
from tests.unit.test_static_files import tiny_png

if TYPE_CHECKING:
    from playwright.sync_api import Browser

MAP = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
    b'<rect width="40" height="20" fill="teal"/></svg>'
)
BLOG = {
    "_config.yml": b"title: Coast paths\npermalink: pretty\n",
    "_posts/2023-06-10-harbour-towns.md": b"""---
title: Harbour towns
categories: [walks]
---
Boats at rest.

![The harbour](/assets/img/harbour.png)
""",
    "posts/coastal-walk/index.md": b"""---
title: A coastal walk
date: 2023-07-01
---
Cliffs all the way.

![The cliffs](cliffs.png)

The route: ![map](maps/route.svg)
""",
    "posts/coastal-walk/cliffs.png": tiny_png(),
    "posts/coastal-walk/maps/route.svg": MAP,
    "assets/img/harbour.png": tiny_png(),
}


@pytest.fixture(scope="module")
def blog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    """The blog published and served: its base URL and its posts' URLs."""
    sources = tmp_path_factory.mktemp("blog")
    for key, body in BLOG.items():
        (sources / key).parent.mkdir(parents=True, exist_ok=True)
        (sources / key).write_bytes(body)
    site: Path = tmp_path_factory.mktemp("blog-site")
    out = io.StringIO()
    logging.disable(logging.INFO)
    try:
        with contextlib.redirect_stdout(out):
            exit_code = main(["publish", str(sources), "--site", str(site), "--json"])
    finally:
        logging.disable(logging.NOTSET)
    assert exit_code == 0, out.getvalue()
    report = json.loads(out.getvalue())
    posts = [source["url"] for source in report["sources"] if source["kind"] == "post"]
    with serve_folder(site) as base_url:
        yield base_url, posts


def test_every_image_of_a_moved_blog_loads_in_chromium(
    browser: Browser, blog: tuple[str, list[str]]
) -> None:
    base_url, posts = blog
    assert sorted(posts) == ["/2023/07/01/coastal-walk/", "/walks/2023/06/10/harbour-towns/"]
    page = browser.new_page()
    try:
        failed: list[str] = []
        page.on("response", lambda response: response.status >= 400 and failed.append(response.url))
        drawn: dict[str, list[list[object]]] = {}
        for post in posts:
            page.goto(base_url + post.lstrip("/"), wait_until="load")
            drawn[post] = page.locator("article img").evaluate_all(
                "images => images.map(i => [i.getAttribute('src'), i.complete, i.naturalWidth])"
            )
    finally:
        page.close()

    assert not failed
    assert drawn == {
        "/walks/2023/06/10/harbour-towns/": [["/assets/img/harbour.png", True, 1]],
        "/2023/07/01/coastal-walk/": [
            ["/posts/coastal-walk/cliffs.png", True, 1],
            ["/posts/coastal-walk/maps/route.svg", True, 40],
        ],
    }
