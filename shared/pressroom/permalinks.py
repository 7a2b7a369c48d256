"""The site's post URL style: where a post without a URL of its own is published.

Jekyll's `permalink` and Hugo's `permalinks.posts` name a pattern of placeholders
(`/:year/:month/:day/:title/`); a post that sets `permalink` or `url` keeps that path
instead. The style is the site's, not the post's: the index keeps each post's slug, date
and categories, and the renderer places it (`SiteConfig.page_path`), so a change of
style moves every page without touching the index. Slugs are unique and every pattern
holds the slug (`models._permalink`), so two posts never share a styled URL.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterable
from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from typing import NamedTuple

from pressroom.models import JEKYLL_PERMALINK_STYLES, PLACEHOLDER, post_path
from pressroom.slugs import page_path, slugify

_REPEATED_SLASHES = re.compile(r"/{2,}")


class Placing(NamedTuple):
    """What places a post without a URL of its own: the site's post URL style and the time
    zone of its dates (`SiteConfig.page_path`)."""

    permalink: str | None
    timezone: str | None


SECTION = "posts"
"""What `:section` stands for but for a post of another of Hugo's sections
(`PostSummary.section`): the folder Hugo's blogs keep their posts in, and the one Pressroom
publishes them under by default."""


def pattern_of(style: str) -> str:
    """A style's pattern: Jekyll's named styles (`pretty`, `date`) spelled out."""
    return JEKYLL_PERMALINK_STYLES.get(style, style)


def uses_categories(style: str) -> bool:
    return ":categories" in pattern_of(style)


def styled_path(
    style: str,
    *,
    slug: str,
    date: datetime,
    categories: Iterable[str] = (),
    section: str | None = None,
    timezone: str | None = None,
) -> str:
    """The site path a post gets from a URL style: `2021/01/14/night-trains/`, or
    `travel/2021/01/14/night-trains.html` for Jekyll's `date`.

    Dates are in the site's time zone, as its pages show them. Categories are slugified,
    one folder each, and none leaves no empty folder behind, as in Jekyll. A path the
    site cannot publish a page at (one in a folder the renderer writes listings into, or
    too long) is `posts/<slug>/`, where links made from a file name lead anyway.
    """
    written = filled_pattern(
        pattern_of(style),
        slug=slug,
        date=date.astimezone(_zone(timezone)),
        categories=categories,
        section=section,
    )
    try:
        return page_path(written)
    except ValueError:
        return post_path(slug)


def filled_pattern(
    pattern: str,
    *,
    slug: str,
    date: datetime,
    categories: Iterable[str] = (),
    section: str | None = None,
) -> str:
    """A pattern's placeholders filled (`date` as its own zone shows it), a directory's
    trailing `/` added: `/:year/:title/` is `/2021/night-trains/`. `:section` is the first
    of a post's nested Hugo sections (`blog/2021`), as Hugo's is; none, `posts`."""
    values = {
        "year": f"{date.year:04d}",
        "short_year": f"{date.year % 100:02d}",
        "month": f"{date.month:02d}",
        "i_month": str(date.month),
        "day": f"{date.day:02d}",
        "i_day": str(date.day),
        "y_day": date.strftime("%j"),
        "week": f"{date.isocalendar().week:02d}",
        "short_day": date.strftime("%a"),
        "title": slug,
        "slug": slug,
        "slugorfilename": slug,
        "filename": slug,
        "categories": "/".join(filter(None, (slugify(name) for name in categories))),
        "section": (section or SECTION).split("/")[0],
        "output_ext": ".html",
    }
    filled = PLACEHOLDER.sub(lambda match: values.get(match[1], match[0]), pattern)
    written = _REPEATED_SLASHES.sub("/", filled)
    return written if written.endswith(("/", ".html")) else written + "/"


@lru_cache(maxsize=8)
def _zone(name: str | None) -> tzinfo:
    return zoneinfo.ZoneInfo(name) if name else UTC
