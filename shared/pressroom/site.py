"""The site's shape: where each page lives, and how pages are rendered from the theme."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cached_property
from pathlib import Path

import jinja2
from markupsafe import Markup

from pressroom.config import DEFAULT_THEME, SiteConfig
from pressroom.markdown import render_markdown
from pressroom.models import PostDocument, PostSummary, format_instant

HTML_CONTENT_TYPE = "text/html; charset=utf-8"


def post_path(slug: str) -> str:
    """Site path of a post's page, as a directory (served by its index.html)."""
    return f"posts/{slug}/"


def page_object_key(path: str) -> str:
    """SiteBucket key of the page at a site path: `posts/x/` → `posts/x/index.html`."""
    return f"{path}index.html" if path == "" or path.endswith("/") else path


class Theme:
    """Jinja2 templates, autoescape on. Front-matter text is only ever data, never a template."""

    def __init__(self, directory: Path = DEFAULT_THEME) -> None:
        self.directory = directory

    @cached_property
    def environment(self) -> jinja2.Environment:
        environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(self.directory),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        environment.filters["isodate"] = format_instant
        environment.filters["humandate"] = _human_date
        environment.globals.update(post_path=post_path)
        return environment

    def render(self, template: str, **context: object) -> str:
        return self.environment.get_template(template).render(**context)


def render_post_page(document: PostDocument, site: SiteConfig, theme: Theme) -> str:
    return theme.render(
        f"{document.layout}.html",
        site=site,
        post=document,
        post_path=post_path(document.slug),
        body_html=Markup(render_markdown(document.body_markdown)),  # noqa: S704 - sanitised by nh3
    )


def render_home_page(posts: Sequence[PostSummary], site: SiteConfig, theme: Theme) -> str:
    return theme.render("listing.html", site=site, posts=posts, heading=None, page_path="")


def _human_date(value: datetime) -> str:
    return f"{value.day} {value:%B %Y}"
