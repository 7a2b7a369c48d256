"""Hugo and Pelican, from the bench environment (.venv-bench), on the same corpora.

Each builds the whole site from the posts converted to its own layout (Hugo:
YAML front matter under content/posts/ and a minimal theme of a post page,
lists and a home page of the newest 20, plus its default RSS and sitemap;
Pelican: its Markdown metadata, its default theme, 20 posts an index page,
its content cache on). "Adding one post" is what a static site generator
does when a post is added: build the site again (Hugo always rebuilds the
whole site; Pelican reuses its content cache).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import Post

_HEAD = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    "<title>{{ .Title }}</title></head><body>"
)
HUGO_LAYOUTS = {
    "home.html": _HEAD + "<h1>{{ .Site.Title }}</h1><ul>"
    '{{ range first 20 (where .Site.RegularPages "Section" "posts").ByDate.Reverse }}'
    '<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time>{{ .Date.Format "2006-01-02" }}'
    "</time><p>{{ .Description }}</p></li>{{ end }}</ul></body></html>",
    "single.html": _HEAD + '<article><h1>{{ .Title }}</h1><time>{{ .Date.Format "2006-01-02" }}'
    '</time>{{ .Content }}<ul>{{ range .GetTerms "tags" }}'
    '<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul></article>'
    "</body></html>",
    "list.html": _HEAD + "<h1>{{ .Title }}</h1><ul>{{ range first 100 .Pages }}"
    '<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul></body></html>',
}
HUGO_CONFIG = """baseURL = "https://news.example.org/"
title = "Pressroom bench"
languageCode = "en"
"""
PELICAN_CONFIG = """SITENAME = "Pressroom bench"
SITEURL = ""
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = 20
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = "cache"
FEED_ALL_ATOM = "feeds/all.atom.xml"
"""


@dataclass(frozen=True)
class PeerBuild:
    tool: str
    posts: int
    seconds: float | None
    """None: the tool is missing, failed, or ran past the time limit."""
    note: str = ""


class Peer:
    name: str

    def __init__(self, executable: Path, folder: Path, timeout: float) -> None:
        self.executable = executable
        self.folder = folder
        self.timeout = timeout

    def prepare(self, posts: list[Post]) -> None:
        raise NotImplementedError

    def add(self, post: Post) -> None:
        raise NotImplementedError

    def command(self) -> list[str]:
        raise NotImplementedError

    def build(self, posts: int) -> PeerBuild:
        started = time.perf_counter()
        try:
            subprocess.run(
                self.command(),
                cwd=self.folder,
                check=True,
                capture_output=True,
                timeout=self.timeout,
            )
        except subprocess.TimeoutExpired:
            return PeerBuild(self.name, posts, None, f"over {self.timeout:.0f} s")
        except subprocess.CalledProcessError as error:
            tail = error.stderr.decode(errors="replace").strip().splitlines()[-1:]
            return PeerBuild(self.name, posts, None, f"failed: {' '.join(tail)}")
        return PeerBuild(self.name, posts, time.perf_counter() - started)


class Hugo(Peer):
    name = "Hugo"

    def prepare(self, posts: list[Post]) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        (self.folder / "layouts").mkdir(parents=True)
        (self.folder / "content" / "posts").mkdir(parents=True)
        (self.folder / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
        for name, text in HUGO_LAYOUTS.items():
            (self.folder / "layouts" / name).write_text(text, encoding="utf-8")
        for post in posts:
            self.add(post)

    def add(self, post: Post) -> None:
        path = self.folder / "content" / "posts" / f"{post.slug}.md"
        path.write_text(post.hugo_source(), encoding="utf-8")

    def command(self) -> list[str]:
        return [str(self.executable), "--quiet", "--destination", "public"]


class Pelican(Peer):
    name = "Pelican"

    def prepare(self, posts: list[Post]) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        (self.folder / "content").mkdir(parents=True)
        (self.folder / "pelicanconf.py").write_text(PELICAN_CONFIG, encoding="utf-8")
        for post in posts:
            self.add(post)

    def add(self, post: Post) -> None:
        path = self.folder / "content" / f"{post.slug}.md"
        path.write_text(post.pelican_source(), encoding="utf-8")

    def command(self) -> list[str]:
        return [
            str(self.executable),
            "content",
            "--output",
            "output",
            "--settings",
            "pelicanconf.py",
            "--quiet",
        ]


def find_tools(bench_venv: Path) -> dict[str, Path]:
    """The peers' executables in the bench environment: Hugo's binary itself (not the
    Python wrapper that starts it), and Pelican's command."""
    found: dict[str, Path] = {}
    hugo = sorted(bench_venv.glob("lib/python*/site-packages/hugo/binaries/hugo"))
    if hugo:
        found["Hugo"] = hugo[0]
    pelican = bench_venv / "bin" / "pelican"
    if pelican.exists():
        found["Pelican"] = pelican
    return found


PEERS: dict[str, type[Peer]] = {"Hugo": Hugo, "Pelican": Pelican}
