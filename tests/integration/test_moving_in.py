"""A Jekyll blog and a Hugo blog moving in (issue 17): each synced into the bucket as its
author keeps it, published through the whole pipeline, and crawled: every link and image
on every page answers, every post keeps its URL, every old URL redirects."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import unquote

import pytest

from pressroom.site import page_object_key
from pressroom_local.cli import main
from pressroom_local.serve import SiteServer
from pressroom_local.stack import LocalStack
from tests.integration.conftest import SITE_URL
from tests.integration.html import read_page
from tests.unit.test_static_files import tiny_png

JEKYLL_BLOG = {
    "_config.yml": b"title: Slow Travel\npermalink: /:year/:month/:day/:title.html\n",
    "_drafts/packing-list.md": b"---\ntitle: What to pack\n---\nSocks.\n",
    "_posts/2021-01-14-night-trains.md": b"""---
layout: post
title: Night trains across the Alps
permalink: /2021/01/14/night-trains.html
redirect_from:
  - /trains/
  - /2021/01/night-trains/
tags: [rail, alps]
---
The sleeper left Zurich at ten.

![The sleeper at dawn](/assets/img/sleeper.png)

More in [the ferry post](/2021/03/02/ferry-to-the-islands/) and [about me](/about/).
""",
    "_posts/2021-03-02-ferry-to-the-islands.md": b"""---
layout: post
title: A ferry to the islands
permalink: /2021/03/02/ferry-to-the-islands/
tags: [sea]
---
Four hours on deck. Back to [the trains](/2021/01/14/night-trains.html), or
[by its file]({% post_url 2021-01-14-night-trains %}).
""",
    "about.md": b"""---
layout: page
title: About
permalink: /about/
---
I write about slow ways of getting places.
""",
    "assets/img/sleeper.png": tiny_png(),
}

HUGO_BLOG = {
    "config.toml": b'title = "Coast paths"\n',
    "content/posts/coastal-walk/index.md": b"""+++
title = "A coastal walk"
date = 2023-06-10
tags = ["walking"]
aliases = ["/2023/06/coastal-walk/", "/walks/coast.html"]
+++
Cliffs all the way.

![The cliffs](cliffs.png)

The route: ![map](maps/route.png)
""",
    "content/posts/coastal-walk/cliffs.png": tiny_png(),
    "content/posts/coastal-walk/maps/route.png": tiny_png(),
    "content/posts/harbour-towns.md": b"""+++
title = "Harbour towns"
date = 2023-07-01
+++
![logo](/images/logo.png) See [the walk](/posts/coastal-walk/).
""",
    "content/pages/contact.md": b'+++\ntitle = "Contact"\n+++\nWrite to me.\n',
    "static/images/logo.png": tiny_png(),
}
HUGO_REPOSITORY = {
    # What `aws s3 sync` of the blog's whole repository uploads beside it.
    "content/_index.md": b'+++\ntitle = "Coast paths"\n+++\nWalks by the sea.\n',
    "content/posts/_index.md": b'+++\ntitle = "All walks"\n+++\n',
    "themes/tideline/exampleSite/content/posts/lighthouses.md": b"""+++
title = "Lighthouses of the north"
date = 2017-01-01
+++
The theme's demo post.
""",
    "themes/tideline/layouts/_default/single.html": b"<main>{{ .Content }}</main>",
    "archetypes/default.md": b'+++\ntitle = "{{ replace .Name "-" " " | title }}"\n+++\n',
    "public/index.html": b"<html>the site Hugo built</html>",
    "public/images/logo.png": tiny_png(),
    ".git/HEAD": b"ref: refs/heads/main\n",
    "README.md": b"# Coast paths\n\nMy walking blog, built with Hugo.\n",
}


HUGO_SECTIONS = {
    # A Hugo blog of the older layout: posts in `content/post/`, pages at its top.
    "hugo.toml": b'title = "Harbour notes"\n',
    "content/about.md": b'+++\ntitle = "About"\n+++\nI sail small boats.\n',
    "content/post/first-crossing.md": b"""+++
title = "First crossing"
date = 2022-04-02
tags = ["sailing"]
+++
A calm sea. The next one was at night: [the passage](/post/night-passage/).
""",
    "content/post/night-passage/index.md": b"""+++
title = "Night passage"
date = 2022-05-14
tags = ["sailing"]
+++
![The chart](chart.png)
""",
    "content/post/night-passage/chart.png": tiny_png(),
}


JIGSAW_BLOG = {
    # Jigsaw's config.php is not read: the collection's path is the site's style.
    "pressroom.yaml": b"title: Lighthouse log\npermalink: /blog/:slug/\n",
    "config.php": b"<?php return ['collections' => ['posts' => ['path' => 'blog/{filename}']]];",
    "webpack.mix.js": b"mix.sass('source/_assets/sass/main.scss', 'css');",
    "source/_layouts/post.blade.php": b"@extends('_layouts.main') @section('body') @endsection",
    "source/_assets/sass/main.scss": b"body { margin: 0 }",
    "source/_posts/keepers-cottage.md": b"""---
extends: _layouts.post
section: content
title: The keeper's cottage
date: 2020-09-12
---
![The lamp room](/assets/images/lamp-room.png)

The stairs: ![stairs](../assets/images/stairs.png)
""",
    "source/assets/images/lamp-room.png": tiny_png(),
    "source/assets/images/stairs.png": tiny_png(),
}


def _sync(stack: LocalStack, files: dict[str, bytes]) -> None:
    s3 = stack.session.client("s3")
    for key, body in files.items():
        s3.put_object(Bucket=stack.content_bucket, Key=key, Body=body)
    stack.router.drain()


_REFRESH = re.compile(r'http-equiv="refresh" content="0; url=([^"]+)"')


def _answers(site: dict[str, bytes], link: str) -> bytes | None:
    """What the site serves at a root-relative link, as CloudFront's directory index does."""
    path = unquote(link.split("#")[0].split("?")[0]).lstrip("/")
    return site.get(page_object_key(path) if path == "" or path.endswith("/") else path)


def _crawl(site: dict[str, bytes]) -> list[tuple[str, str]]:
    """Every site-relative link and image on every page that does not answer."""
    broken = []
    for key, body in site.items():
        if not key.endswith(".html"):
            continue
        page = read_page(body.decode())
        targets = page.links() + [
            attrs["src"] for tag, attrs in page.attributes if tag == "img" and "src" in attrs
        ]
        for target in targets:
            path = target.removeprefix(SITE_URL[:-1])
            if path.startswith("/") and _answers(site, path) is None:
                broken.append((key, target))
    return broken


def _statuses(stack: LocalStack, files: Iterable[str]) -> dict[str, str]:
    """Each file's status word, for the files that have one."""
    statuses = stack.statuses(list(files))
    return {key: status.status for key, status in statuses.items() if status}


def _redirects_to(site: dict[str, bytes], old: str) -> str:
    body = _answers(site, old)
    assert body is not None, f"nothing at {old}"
    match = _REFRESH.search(body.decode())
    assert match, f"{old} is no redirect"
    return match[1]


def _redirect_locations(stack: LocalStack) -> dict[str, str]:
    """Each site object's website redirect location, by key: the Location of the 301 that
    CloudFront's viewer-response function (and `pressroom local`) answers it with."""
    s3 = stack.session.client("s3")
    heads = {key: s3.head_object(Bucket=stack.site_bucket, Key=key) for key in stack.site_objects()}
    return {
        key: head["WebsiteRedirectLocation"]
        for key, head in heads.items()
        if "WebsiteRedirectLocation" in head
    }


def _assert_every_redirect_page_is_a_301(stack: LocalStack) -> None:
    """The pages left at old URLs (and at other generators' feed URLs) are the objects
    served as 301s, each to its page's target."""
    pages = {
        key: match[1]
        for key, body in stack.site_objects().items()
        if key.endswith((".html", ".xml")) and (match := _REFRESH.search(body.decode()))
    }
    assert pages, "no redirect page to look at"
    assert _redirect_locations(stack) == pages


def _rebuilt_from_nothing(stack: LocalStack) -> dict[str, bytes]:
    """The site `pressroom rebuild` writes into an empty site bucket."""
    s3 = stack.session.client("s3")
    for key in stack.site_objects():
        s3.delete_object(Bucket=stack.site_bucket, Key=key)
    renderer = stack.renderer().configured()  # as `pressroom rebuild` makes it
    for _ in renderer.rebuild(renderer.plan_rebuild()):
        pass
    return stack.site_objects()


def test_a_jekyll_blog_keeps_its_urls_pages_and_images(stack: LocalStack) -> None:
    _sync(stack, JEKYLL_BLOG)

    site = stack.site_objects()
    trains = read_page(site["2021/01/14/night-trains.html"].decode())
    assert (
        trains.first("link", rel="canonical")["href"] == f"{SITE_URL}2021/01/14/night-trains.html"
    )
    assert "2021/03/02/ferry-to-the-islands/index.html" in site
    assert _redirects_to(site, "/trains/") == "/2021/01/14/night-trains.html"
    assert _redirects_to(site, "/2021/01/night-trains/") == "/2021/01/14/night-trains.html"
    assert "about/index.html" in site
    home = read_page(site["index.html"].decode())
    assert home.texts["title"] == ["Slow Travel"], "the title of Jekyll's _config.yml"
    assert "/2021/01/14/night-trains.html" in home.links()
    assert "/about/" not in home.links(), "a page is in no listing"
    assert b"/about/" not in site["feed.xml"]
    assert not [key for key in site if key.startswith(("_drafts", "_posts"))]
    # Links made from a file name (`post_url`) lead to the post's own URL.
    assert _redirects_to(site, "/posts/night-trains/") == "/2021/01/14/night-trains.html"
    assert _redirects_to(site, "/posts/ferry-to-the-islands/") == (
        "/2021/03/02/ferry-to-the-islands/"
    )
    assert not _crawl(site)
    assert _statuses(stack, JEKYLL_BLOG) == {
        "_config.yml": "published",
        "_drafts/packing-list.md": "ignored",
        "_posts/2021-01-14-night-trains.md": "published",
        "_posts/2021-03-02-ferry-to-the-islands.md": "published",
        "about.md": "published",
        "assets/img/sleeper.png": "published",
    }


def test_every_old_url_is_answered_with_a_301_to_the_page_the_stream_and_a_rebuild_alike(
    stack: LocalStack,
) -> None:
    _sync(stack, JEKYLL_BLOG)
    moved = JEKYLL_BLOG["_posts/2021-01-14-night-trains.md"].replace(
        b"permalink: /2021/01/14/night-trains.html", b"permalink: /rail/night-trains/"
    )
    _sync(stack, {"_posts/2021-01-14-night-trains.md": moved})
    _assert_every_redirect_page_is_a_301(stack)
    assert _redirect_locations(stack)["trains/index.html"] == "/rail/night-trains/"
    streamed = _redirect_locations(stack)

    _rebuilt_from_nothing(stack)

    assert _redirect_locations(stack) == streamed


def test_pressroom_local_answers_an_old_url_with_a_301(stack: LocalStack) -> None:
    _sync(stack, JEKYLL_BLOG)
    s3 = stack.session.client("s3")
    # An object no renderer writes, whose location would leave the site as it is written.
    s3.put_object(
        Bucket=stack.site_bucket,
        Key="odd/index.html",
        Body=b"",
        WebsiteRedirectLocation="/\\x.test/",
    )
    server = SiteServer(("127.0.0.1", 0), s3, stack.site_bucket)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    answers = {}
    try:
        connection = HTTPConnection(*server.server_address)
        for path in ("/trains/", "/2021/01/14/night-trains.html", "/odd/"):
            connection.request("GET", path)
            answers[path] = connection.getresponse()
            answers[path].read()
    finally:
        server.shutdown()
        server.server_close()

    moved = answers["/trains/"]
    assert (moved.status, moved.getheader("Location")) == (301, "/2021/01/14/night-trains.html")
    assert answers["/2021/01/14/night-trains.html"].status == 200
    assert answers["/odd/"].getheader("Location") == "/x.test/"


def test_a_hugo_blog_keeps_its_bundles_static_files_and_aliases(stack: LocalStack) -> None:
    _sync(stack, HUGO_BLOG | HUGO_REPOSITORY)

    site = stack.site_objects()
    walk = read_page(site["posts/coastal-walk/index.html"].decode())
    images = [attrs["src"] for tag, attrs in walk.attributes if tag == "img"]
    assert images == [
        "/posts/coastal-walk/cliffs.png",
        "/posts/coastal-walk/maps/route.png",
    ]
    assert site["images/logo.png"] == tiny_png()
    assert _redirects_to(site, "/walks/coast.html") == "/posts/coastal-walk/"
    assert _redirects_to(site, "/2023/06/coastal-walk/") == "/posts/coastal-walk/"
    assert "contact/index.html" in site
    assert read_page(site["index.html"].decode()).texts["title"] == ["Coast paths"]
    assert not _crawl(site)
    # Nothing of the repository around the blog is published: no demo post of the theme,
    # no post made of a list page's text, none of the site Hugo built.
    made_of_the_repository = ("posts/lighthouses/", "posts/index/", "public/", "themes/", ".git")
    assert not [key for key in site if key.startswith(made_of_the_repository)]
    statuses = stack.statuses(HUGO_REPOSITORY)
    ignored = dict.fromkeys(HUGO_REPOSITORY, "ignored")
    assert {key: status.status if status else None for key, status in statuses.items()} == ignored


def test_a_hugo_blog_of_another_section_keeps_the_urls_hugo_gave_it(stack: LocalStack) -> None:
    _sync(stack, HUGO_SECTIONS)

    site = stack.site_objects()
    assert "post/first-crossing/index.html" in site
    assert "post/night-passage/index.html" in site
    assert site["post/night-passage/chart.png"] == tiny_png()
    assert "about/index.html" in site
    home = read_page(site["index.html"].decode()).links()
    assert "/post/first-crossing/" in home and "/post/night-passage/" in home
    assert "/about/" not in home, "a page at the top of content/ is in no listing"
    assert "/post/night-passage/" in read_page(site["tags/sailing/index.html"].decode()).links()
    assert b"https://news.example.org/post/first-crossing/" in site["feed.xml"]
    assert _redirects_to(site, "/posts/first-crossing/") == "/post/first-crossing/"
    assert not _crawl(site)
    # Readers subscribed to the feed where Hugo put it (Zola: atom.xml) are sent on to it.
    locations = _redirect_locations(stack)
    assert [locations.get(key) for key in ("index.xml", "atom.xml", "rss.xml")] == ["/feed.xml"] * 3

    assert _rebuilt_from_nothing(stack) == site


def test_a_jigsaw_blog_keeps_its_images_where_jigsaw_served_them(stack: LocalStack) -> None:
    _sync(stack, JIGSAW_BLOG)

    site = stack.site_objects()
    cottage = read_page(site["blog/keepers-cottage/index.html"].decode())
    images = [attrs["src"] for tag, attrs in cottage.attributes if tag == "img"]
    assert images == ["/assets/images/lamp-room.png", "/assets/images/stairs.png"]
    assert site["assets/images/lamp-room.png"] == tiny_png()
    assert not [key for key in site if key.startswith(("source/", "_layouts/", "_assets/"))]
    assert not _crawl(site)
    assert _statuses(stack, JIGSAW_BLOG) == {
        "pressroom.yaml": "published",
        "config.php": "ignored",
        "webpack.mix.js": "ignored",
        "source/_layouts/post.blade.php": "ignored",
        "source/_assets/sass/main.scss": "ignored",
        "source/_posts/keepers-cottage.md": "published",
        "source/assets/images/lamp-room.png": "published",
        "source/assets/images/stairs.png": "published",
    }


def test_a_post_whose_url_changes_leaves_a_redirect_at_the_old_one(stack: LocalStack) -> None:
    _sync(stack, JEKYLL_BLOG)
    moved = JEKYLL_BLOG["_posts/2021-01-14-night-trains.md"].replace(
        b"permalink: /2021/01/14/night-trains.html", b"permalink: /rail/night-trains/"
    )

    _sync(stack, {"_posts/2021-01-14-night-trains.md": moved})

    site = stack.site_objects()
    assert "rail/night-trains/index.html" in site
    assert _redirects_to(site, "/2021/01/14/night-trains.html") == "/rail/night-trains/"
    assert _redirects_to(site, "/trains/") == "/rail/night-trains/"
    assert not _crawl(site)


def test_every_url_a_post_had_redirects_to_its_page_after_a_rebuild_too(
    stack: LocalStack,
) -> None:
    _sync(stack, JEKYLL_BLOG)
    written = JEKYLL_BLOG["_posts/2021-01-14-night-trains.md"]
    for permalink in (b"/rail/night-trains/", b"/2021/night-trains/"):
        moved = written.replace(b"/2021/01/14/night-trains.html", permalink, 1)
        _sync(stack, {"_posts/2021-01-14-night-trains.md": moved})

    site = stack.site_objects()
    for old in ("/2021/01/14/night-trains.html", "/rail/night-trains/", "/trains/"):
        assert _redirects_to(site, old) == "/2021/night-trains/", old
    assert not _crawl(site)
    assert _rebuilt_from_nothing(stack) == site


def test_a_post_whose_file_is_deleted_leaves_no_redirect_when_another_file_takes_its_slug(
    stack: LocalStack,
) -> None:
    """A former URL is one the post's own file had. When its file goes and a file waiting
    on the slug takes it over, the URL the deleted file had answers nothing, as after a
    rebuild, rather than sending its readers to another file's post."""
    trains = JEKYLL_BLOG["_posts/2021-01-14-night-trains.md"]
    copy = trains.replace(
        b"permalink: /2021/01/14/night-trains.html", b"permalink: /rail/night-trains/"
    )
    copy = copy.replace(b"redirect_from:\n  - /trains/\n  - /2021/01/night-trains/\n", b"")
    _sync(stack, {"_posts/2021-01-14-night-trains.md": trains})
    _sync(stack, {"copy.md": copy.replace(b"Night trains across", b"A copy of")})

    stack.session.client("s3").delete_object(
        Bucket=stack.content_bucket, Key="_posts/2021-01-14-night-trains.md"
    )
    stack.router.drain()

    statuses = stack.statuses(["copy.md"])
    assert statuses["copy.md"] is not None and statuses["copy.md"].status == "published"
    site = stack.site_objects()
    assert b"A copy of" in site["rail/night-trains/index.html"]
    for gone in ("/2021/01/14/night-trains.html", "/trains/", "/2021/01/night-trains/"):
        assert _answers(site, gone) is None, gone
    assert _rebuilt_from_nothing(stack) == site


def test_one_file_owns_a_url_and_a_page_wins_over_an_old_url(stack: LocalStack) -> None:
    trains = JEKYLL_BLOG["_posts/2021-01-14-night-trains.md"]
    _sync(stack, {"_posts/2021-01-14-night-trains.md": trains})
    _sync(stack, {"copy.md": trains.replace(b"Night trains across", b"A copy of")})
    # A page published at one of the post's old URLs.
    _sync(stack, {"trains.md": b"---\nlayout: page\ntitle: Trains\n---\nAll my train trips.\n"})

    statuses = stack.statuses(["copy.md", "trains.md"])
    assert statuses["copy.md"] is not None and statuses["copy.md"].status == "conflict"
    site = stack.site_objects()
    assert b"Night trains across" in site["2021/01/14/night-trains.html"]
    assert b"All my train trips." in site["trains/index.html"]

    # The post is edited: its old URL is a page now, which it leaves alone.
    _sync(stack, {"_posts/2021-01-14-night-trains.md": trains.replace(b"at ten", b"at eleven")})

    assert b"All my train trips." in stack.site_objects()["trains/index.html"]


# A Jekyll blog that places its posts by the site's style, as most do: no post sets a URL.
STYLED_BLOG = {
    "_config.yml": b"title: Tram Notes\npermalink: pretty\ntimezone: Europe/Lisbon\n",
    "_posts/2022-05-03-tram-28.md": b"""---
title: Tram 28 at dawn
categories: [Lisbon, Trams]
tags: [rail]
---
The first tram leaves Martim Moniz before six. Later that month,
[the funicular](/lisbon/2022/06/02/gloria-funicular/).
""",
    # 23:30 UTC is half past midnight the next day in Lisbon: the URL has the site's day.
    "_posts/2022-06-01-gloria-funicular.md": b"""---
title: The Gloria funicular
category: Lisbon
date: 2022-06-01 23:30:00 +0000
tags: [rail]
---
Up the hill in three minutes.
""",
}
TRAM = "lisbon/trams/2022/05/03/tram-28/"
FUNICULAR = "lisbon/2022/06/02/gloria-funicular/"


def test_posts_take_the_sites_url_style_on_every_page_that_links_them(
    stack: LocalStack,
) -> None:
    _sync(stack, STYLED_BLOG)

    site = stack.site_objects()
    assert page_object_key(TRAM) in site
    assert page_object_key(FUNICULAR) in site
    tram = read_page(site[page_object_key(TRAM)].decode())
    assert tram.first("link", rel="canonical")["href"] == f"{SITE_URL}{TRAM}"
    assert f"/{FUNICULAR}" in tram.links(), "its newer post, and the link its author wrote"
    for listing in ("index.html", "tags/rail/index.html", "archive/2022/05/index.html"):
        assert f"/{TRAM}" in read_page(site[listing].decode()).links(), listing
    assert f"{SITE_URL}{TRAM}".encode() in site["feed.xml"]
    assert any(
        f"{SITE_URL}{FUNICULAR}".encode() in body
        for key, body in site.items()
        if key.startswith("sitemaps/")
    )
    assert any(
        f"/{TRAM}".encode() in body for key, body in site.items() if key.startswith("search/")
    )
    # Links made from a file name (`post_url`) lead to the styled URL.
    assert _redirects_to(site, "/posts/tram-28/") == f"/{TRAM}"
    # Under posts/ are only the redirects: no page is published twice.
    assert [key for key in site if key.startswith("posts/")] == [
        "posts/gloria-funicular/index.html",
        "posts/tram-28/index.html",
    ]
    assert _redirects_to(site, "/posts/gloria-funicular/") == f"/{FUNICULAR}"
    # `status`, `publish` and `--watch` name the page where it is.
    statuses = stack.statuses(STYLED_BLOG)
    assert [status.path for status in statuses.values() if status] == [None, TRAM, FUNICULAR]
    assert not _crawl(site)


def test_a_jekyll_blog_without_a_style_keeps_jekylls_own_default(stack: LocalStack) -> None:
    _sync(
        stack,
        {
            "_config.yml": b"title: Tram Notes\n",
            **{key: body for key, body in STYLED_BLOG.items() if key != "_config.yml"},
            # Its link to the funicular written for this site's URLs.
            "_posts/2022-05-03-tram-28.md": STYLED_BLOG["_posts/2022-05-03-tram-28.md"].replace(
                b"/lisbon/2022/06/02/gloria-funicular/", b"/lisbon/2022/06/01/gloria-funicular.html"
            ),
        },
    )

    site = stack.site_objects()
    # Jekyll's `date`: /:categories/:year/:month/:day/:title:output_ext, in UTC here.
    assert "lisbon/trams/2022/05/03/tram-28.html" in site
    assert "lisbon/2022/06/01/gloria-funicular.html" in site
    assert "/lisbon/trams/2022/05/03/tram-28.html" in read_page(site["index.html"].decode()).links()
    assert not _crawl(site)


# The tram post without its link to the funicular.
_ALONE = STYLED_BLOG["_posts/2022-05-03-tram-28.md"].split(b" Later")[0] + b"\n"


def test_a_post_whose_date_changes_moves_and_leaves_a_redirect(stack: LocalStack) -> None:
    _sync(
        stack,
        {
            "pressroom.yaml": b"title: Tram Notes\npermalink: /:year/:month/:slug/\n",
            "_posts/2022-05-03-tram-28.md": _ALONE,
        },
    )
    assert page_object_key("2022/05/tram-28/") in stack.site_objects()

    moved = _ALONE.replace(b"tags: [rail]", b"date: 2022-07-09\ntags: [rail]")
    _sync(stack, {"_posts/2022-05-03-tram-28.md": moved})

    site = stack.site_objects()
    assert b"Martim Moniz" in site[page_object_key("2022/07/tram-28/")]
    assert _redirects_to(site, "/2022/05/tram-28/") == "/2022/07/tram-28/"
    assert _redirects_to(site, "/posts/tram-28/") == "/2022/07/tram-28/"
    assert not _crawl(site)
    assert _rebuilt_from_nothing(stack) == site


def test_a_new_url_style_moves_every_post_and_leaves_redirects_at_the_old_urls(
    stack: LocalStack,
) -> None:
    _sync(
        stack,
        {
            "_config.yml": b"title: Tram Notes\npermalink: pretty\n",
            "_posts/2022-05-03-tram-28.md": _ALONE,
        },
    )
    assert page_object_key(TRAM) in stack.site_objects()

    # pressroom.yaml counts over Jekyll's file: its style is the site's now.
    _sync(stack, {"pressroom.yaml": b"title: Tram Notes\npermalink: /:year/:slug/\n"})

    site = stack.site_objects()
    assert b"Martim Moniz" in site[page_object_key("2022/tram-28/")]
    assert _redirects_to(site, f"/{TRAM}") == "/2022/tram-28/"
    assert _redirects_to(site, "/posts/tram-28/") == "/2022/tram-28/"
    assert not _crawl(site)
    _assert_every_redirect_page_is_a_301(stack)


def test_dates_written_without_a_zone_are_the_sites_time_zones(stack: LocalStack) -> None:
    _sync(
        stack,
        {
            "_config.yml": b"title: Tram Notes\ntimezone: America/New_York\n",
            # Dated by its file name, as most Jekyll posts are: midnight, New York time.
            "_posts/2022-06-01-first-ride.md": b"---\ntitle: First ride\n---\nAt last.\n",
            "_posts/2022-06-03-second-ride.md": (
                b"---\ntitle: Second ride\ndate: 2022-06-03 23:30:00\n---\nLate.\n"
            ),
            "_posts/2022-06-04-third-ride.md": (
                b"---\ntitle: Third ride\ndate: 2022-06-04T01:00:00Z\n---\nAn instant.\n"
            ),
        },
    )

    site = stack.site_objects()
    # Jekyll's URLs and days: as written, and an instant with a zone in the site's zone.
    first = read_page(site["2022/06/01/first-ride.html"].decode())
    assert first.texts["time"][0] == "1 June 2022"
    assert first.first("time")["datetime"] == "2022-06-01T04:00:00Z"
    assert "2022/06/03/second-ride.html" in site
    assert "2022/06/03/third-ride.html" in site, "01:00 UTC is the evening before in New York"
    feed = site["feed.xml"].decode()
    assert "<published>2022-06-01T04:00:00Z</published>" in feed
    assert "<published>2022-06-04T03:30:00Z</published>" in feed
    assert not _crawl(site)


def test_two_posts_whose_urls_end_alike_meet_in_the_index_as_check_says(
    stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The index claims a URL's last segment (docs/architecture.md): `check` of the folder
    gives the waiting file the error its status will show once synced in key order."""
    blog = {
        "_config.yml": b"title: Notes\npermalink: date\n",
        **{
            f"_posts/{year}-12-31-year-in-review.md": f"---\ntitle: {year}\n---\nA year.\n".encode()
            for year in (2019, 2020)
        },
    }
    for key, body in blog.items():
        (tmp_path / key).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / key).write_bytes(body)
    assert main(["check", "--json", str(tmp_path)]) == 1
    checked = {
        Path(entry["path"]).relative_to(tmp_path).as_posix(): entry["errors"]
        for entry in json.loads(capsys.readouterr().out)
    }

    _sync(stack, dict(sorted(blog.items())))

    statuses = stack.statuses(list(blog))
    waiting = statuses["_posts/2020-12-31-year-in-review.md"]
    assert waiting is not None and waiting.status == "conflict"
    assert [issue.model_dump(mode="json") for issue in waiting.errors] == checked[
        "_posts/2020-12-31-year-in-review.md"
    ]
    assert "2019/12/31/year-in-review.html" in stack.site_objects()


def test_a_post_that_waits_on_another_ending_alike_is_published_under_a_slug_of_its_own(
    stack: LocalStack,
) -> None:
    """What the conflict's error asks for: another `slug:`, and the URL the post had on
    its old site in `redirect_from`, where a redirect leads to its new one."""
    renamed = b"---\ntitle: 2020\nslug: year-in-review-2020\n"
    renamed += b"redirect_from: /2020/12/31/year-in-review.html\n---\nA year.\n"
    _sync(
        stack,
        {
            "_config.yml": b"title: Notes\npermalink: date\n",
            "_posts/2019-12-31-year-in-review.md": b"---\ntitle: 2019\n---\nA year.\n",
            "_posts/2020-12-31-year-in-review.md": renamed,
        },
    )

    statuses = stack.statuses(["_posts/2020-12-31-year-in-review.md"])
    assert statuses["_posts/2020-12-31-year-in-review.md"].status == "published"  # type: ignore[union-attr]
    site = stack.site_objects()
    assert b"2019" in site["2019/12/31/year-in-review.html"]
    assert (
        _redirects_to(site, "/2020/12/31/year-in-review.html")
        == "/2020/12/31/year-in-review-2020.html"
    )
    assert not _crawl(site)


WEEKNOTES = {
    "_config.yml": b"title: Weeknotes\npermalink: /:year/:month/:day/:title/\n",
    "_posts/2019-05-03-weeknotes.md": b"---\ntitle: Weeknotes\n---\nA week of rain.\n",
    "_posts/2019-05-10-weeknotes.md": b"---\ntitle: Weeknotes\n---\nA week of sun.\n",
}


def test_two_posts_whose_urls_end_alike_conflict_and_the_documented_way_out_keeps_both_urls(
    stack: LocalStack,
) -> None:
    """The index claims a URL's last segment (docs/architecture.md, "URLs"): two Jekyll
    posts titled alike on different days wait one behind the other. docs/authors.md's way
    out, a slug of its own and the old URL in `redirect_from`, publishes both and keeps the
    second one's URL answering."""
    _sync(stack, WEEKNOTES)
    statuses = stack.statuses(WEEKNOTES)
    assert statuses["_posts/2019-05-03-weeknotes.md"].status == "published"
    waiting = statuses["_posts/2019-05-10-weeknotes.md"]
    assert waiting.status == "conflict"
    assert "_posts/2019-05-03-weeknotes.md" in waiting.errors[0].message

    _sync(
        stack,
        {
            "_posts/2019-05-10-weeknotes.md": b"---\ntitle: Weeknotes\nslug: weeknotes-2\n"
            b"redirect_from: /2019/05/10/weeknotes/\n---\nA week of sun.\n"
        },
    )
    site = stack.site_objects()
    assert b"A week of rain." in site["2019/05/03/weeknotes/index.html"]
    assert b"A week of sun." in site["2019/05/10/weeknotes-2/index.html"]
    assert _redirects_to(site, "/2019/05/10/weeknotes/") == "/2019/05/10/weeknotes-2/"
    assert _redirect_locations(stack)["2019/05/10/weeknotes/index.html"] == (
        "/2019/05/10/weeknotes-2/"
    )
    assert not _crawl(site)
