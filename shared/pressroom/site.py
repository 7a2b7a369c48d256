"""The site's shape: where each page lives, and how pages are rendered from the theme."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path

import jinja2
from markupsafe import Markup

from pressroom.config import DEFAULT_THEME, SiteConfig
from pressroom.indexing import TagEntry
from pressroom.markdown import render_markdown
from pressroom.models import PostDocument, PostSummary, format_instant
from pressroom.slugs import tag_key

HTML_CONTENT_TYPE = "text/html; charset=utf-8"
NOT_FOUND_KEY = "404.html"


def post_path(slug: str) -> str:
    """Site path of a post's page, as a directory (served by its index.html)."""
    return f"posts/{slug}/"


def tag_path(tag: str) -> str:
    """Site path of a tag's page; `tag` as written (`Open Source`) or as its key."""
    return f"tags/{tag_key(tag)}/"


def archive_path(year: int, month: int) -> str:
    """Site path of a month's archive."""
    return f"archive/{year:04d}/{month:02d}/"


def month_path(date: datetime) -> str:
    """Site path of the archive of the month a post is dated in."""
    return archive_path(date.year, date.month)


@dataclass(frozen=True)
class TagLink:
    name: str
    """The tag as the post spells it."""
    path: str


def page_object_key(path: str) -> str:
    """SiteBucket key of the page at a site path: `posts/x/` → `posts/x/index.html`."""
    return f"{path}index.html" if path == "" or path.endswith("/") else path


class Theme:
    """Jinja2 templates, autoescape on. Front-matter text is only ever data, never a template."""

    def __init__(self, directory: Path = DEFAULT_THEME) -> None:
        self.directory = directory

    @cached_property
    def environment(self) -> jinja2.Environment:
        # A site's own theme overrides the templates it provides; the rest come from the default.
        environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(list(dict.fromkeys([self.directory, DEFAULT_THEME]))),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        environment.filters["isodate"] = format_instant
        environment.filters["humandate"] = _human_date
        environment.globals.update(post_path=post_path, tag_path=tag_path, month_path=month_path)
        return environment

    def render(self, template: str, **context: object) -> str:
        return self.environment.get_template(template).render(**context)


def render_post_page(document: PostDocument, site: SiteConfig, theme: Theme) -> str:
    return theme.render(
        f"{document.layout}.html",
        site=site,
        post=document,
        post_path=post_path(document.slug),
        month_path=month_path(document.date),
        tag_links=[TagLink(name=tag, path=tag_path(tag)) for tag in document.tags],
        body_html=Markup(render_markdown(document.body_markdown)),  # noqa: S704 - sanitised by nh3
    )


def render_home_page(posts: Sequence[PostSummary], site: SiteConfig, theme: Theme) -> str:
    return theme.render("listing.html", site=site, posts=posts, heading=None, page_path="")


def render_tag_page(
    tag: str, entries: Sequence[TagEntry], *, truncated: bool, site: SiteConfig, theme: Theme
) -> str:
    return theme.render(
        "tag.html",
        site=site,
        tag=tag,
        posts=entries,
        page_path=tag_path(tag),
        truncated=truncated,
    )


def render_archive_page(
    year: int, month: int, posts: Sequence[PostSummary], site: SiteConfig, theme: Theme
) -> str:
    return theme.render(
        "archive.html",
        site=site,
        year=year,
        month=month,
        month_name=f"{calendar.month_name[month]} {year}",
        posts=posts,
        page_path=archive_path(year, month),
    )


def render_not_found_page(site: SiteConfig, theme: Theme) -> str:
    return theme.render("404.html", site=site)


def _human_date(value: datetime) -> str:
    return f"{value.day} {value:%B %Y}"
