"""The site's shape: where each page lives, and how pages are rendered from the theme."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cached_property
from pathlib import Path
from urllib.parse import quote, urlsplit

import jinja2
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict

from pressroom.markdown import render_markdown
from pressroom.models import PostDocument, PostSummary, format_instant
from pressroom.slugs import slugify

DEFAULT_THEME = Path(__file__).parent / "themes" / "default"

HTML_CONTENT_TYPE = "text/html; charset=utf-8"


def post_path(slug: str) -> str:
    """Site path of a post's page, as a directory (served by its index.html)."""
    return f"posts/{slug}/"


def tag_key(tag: str) -> str:
    """The one spelling of a tag used in URLs and the index: `Open Source` → `open-source`."""
    return slugify(tag) or quote(tag.casefold(), safe="")


def page_object_key(path: str) -> str:
    """SiteBucket key of the page at a site path: `posts/x/` → `posts/x/index.html`."""
    return f"{path}index.html" if path == "" or path.endswith("/") else path


class SiteConfig(BaseModel):
    """What every page knows about the site."""

    model_config = ConfigDict(frozen=True)

    title: str = "Pressroom"
    description: str | None = None
    base_url: str = "http://127.0.0.1:8000/"
    """Absolute URL of the site's root, for canonical links, feeds and sitemaps."""
    language: str = "en"
    home_size: int = 20
    """How many of the newest posts the home page lists."""

    def path(self, site_path: str) -> str:
        """Root-relative link to a site path."""
        return "/" + site_path.lstrip("/")

    def url(self, site_path_or_url: str) -> str:
        """Absolute URL, for places that need one (canonical, OpenGraph)."""
        if urlsplit(site_path_or_url).scheme:
            return site_path_or_url
        return self.base_url.rstrip("/") + "/" + site_path_or_url.lstrip("/")


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
