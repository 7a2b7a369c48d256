"""Each function's settings, read once from the environment that template.yaml gives it."""

from __future__ import annotations

import calendar
import os
import zoneinfo
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, Self
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pressroom.exceptions import ConfigurationError
from pressroom.limits import DEFAULT_LIMITS, Limits
from pressroom.models import (
    DATE_DIRECTIVE,
    MenuEntry,
    PageLink,
    PostSummary,
    SiteSource,
    SocialLink,
    in_zone,
    post_path,
    root_relative,
)
from pressroom.permalinks import Placing, styled_path, uses_categories

THEMES = Path(__file__).parent / "themes"
"""Themes ship inside the package, so a site's own theme deploys with the layer."""
DEFAULT_THEME = THEMES / "default"

_OVERRIDABLE = (
    *("title", "description", "author", "base_url", "language", "timezone", "date_format"),
    *("footer", "social", "feed_size", "list_page_size", "permalink"),
)
"""The settings a configuration file sets under the same names as here."""


class Placed(Protocol):
    """What places a post on the site: a summary, a list entry or a page's link."""

    @property
    def slug(self) -> str: ...
    @property
    def date(self) -> datetime: ...
    @property
    def path(self) -> str | None: ...
    @property
    def page_path(self) -> str: ...


def _is_post(post: Placed) -> bool:
    # A list entry is always a post's; a page's link (`PageLink`) has its own path.
    return getattr(post, "kind", "post") == "post"


class SiteConfig(BaseModel):
    """What every page knows about the site: the stack's defaults (the template's
    parameters), overridden by what the site's configuration file sets (`with_settings`)."""

    model_config = ConfigDict(frozen=True)

    title: str = "Pressroom"
    description: str | None = None
    author: str | None = None
    base_url: str = "http://127.0.0.1:8000/"
    """Absolute URL of the site's root, for canonical links, feeds and sitemaps."""
    language: str = "en"
    timezone: str | None = None
    """The time zone pages show dates in; None: UTC."""
    date_format: str | None = None
    permalink: str | None = None
    """The post URL style (`permalinks.styled_path`); None: `posts/<slug>/`."""
    menu: tuple[MenuEntry, ...] = ()
    """The navigation's own links, lightest weight first."""
    social: tuple[SocialLink, ...] = ()
    footer: str | None = None
    settings_hash: str | None = None
    """The configuration file's content hash: what a render was made with."""
    pages: tuple[PageLink, ...] = ()
    """The site's published pages: its sitemap lists them, its navigation those with a
    menu entry."""
    home_size: int = 20
    """How many of the newest posts the home page lists."""
    feed_size: int = 20
    """How many of the newest posts the feed carries."""
    list_page_size: int = 50
    """How many posts a page of a tag or a month archive lists; the rest are on its older
    pages (`<path>page/<n>/`)."""

    def with_settings(self, source: SiteSource | None) -> SiteConfig:
        """These defaults with what a configuration file sets."""
        if source is None:
            return self
        settings = source.settings
        update: dict[str, object] = {
            name: value
            for name in _OVERRIDABLE
            if (value := getattr(settings, name)) is not None and value != ()
        }
        if settings.home_page_size is not None:
            update["home_size"] = settings.home_page_size
        update["menu"] = tuple(sorted(settings.menu, key=lambda entry: entry.weight))
        update["settings_hash"] = source.content_hash
        return self.model_copy(update=update)

    def with_pages(self, pages: Sequence[PageLink]) -> SiteConfig:
        """These settings with the site's pages: those that ask for a place in the
        navigation join the menu, lighter weights first (the configuration's own entries
        first among equals)."""
        from_pages = [
            MenuEntry(name=page.menu_name, url="/" + page.page_path, weight=page.menu_weight or 0)
            for page in pages
            if page.menu_name is not None
        ]
        listed = {entry.url for entry in from_pages}
        own = [entry for entry in self.menu if entry.url not in listed]
        menu = sorted([*own, *from_pages], key=lambda entry: entry.weight)
        return self.model_copy(update={"pages": tuple(pages), "menu": tuple(menu)})

    def page_path(self, post: Placed) -> str:
        """Where a post or page is on the site: the path its own front matter gives (a
        page's is `<slug>/`), else the site's post URL style's, else `posts/<slug>/`."""
        if post.path is not None or self.permalink is None or not _is_post(post):
            return post.page_path
        categories = getattr(post, "categories", None)
        if categories is None and uses_categories(self.permalink):
            # An entry that does not know them: the post's redirect leads to its page.
            return post.page_path
        return styled_path(
            self.permalink,
            slug=post.slug,
            date=self.when(post),
            categories=categories or (),
            section=getattr(post, "section", None),
            timezone=self.timezone,
        )

    def when(self, post: Placed) -> datetime:
        """The instant a post's date names: a date written without a zone
        (`PostSummary.date_floats`) is a time in the site's time zone, as Jekyll and Hugo
        read it; the index keeps it as if in UTC."""
        return in_zone(post.date, getattr(post, "date_floats", False), self.timezone)

    @property
    def placing(self) -> Placing:
        return Placing(self.permalink, self.timezone)

    def redirects(self, post: PostSummary) -> tuple[str, ...]:
        """The site paths that send readers to a post's page: its old URLs (`aliases`,
        `redirect_from`, and where its page was before it moved) and, where its page is
        elsewhere, `posts/<slug>/`, where links made from its file name lead (Jekyll's
        `post_url`, Hugo's `ref`)."""
        here = self.page_path(post)
        former = [self.page_path(post.at(place)) for place in post.former_places]
        paths = dict.fromkeys([*post.aliases, *former, post_path(post.slug)])
        return tuple(path for path in paths if path != here)

    def show_date(self, value: datetime) -> str:
        """A date as pages show it (`date_format`, in the site's time zone)."""
        return shown_date(value, self.date_format, self.timezone)

    def path(self, site_path: str) -> str:
        """Root-relative link to a site path, percent-encoded (`models.root_relative`)."""
        return root_relative(site_path)

    def url(self, site_path_or_url: str) -> str:
        """Absolute URL, for places that need one (canonical, OpenGraph)."""
        if urlsplit(site_path_or_url).scheme:
            return site_path_or_url
        return self.base_url.rstrip("/") + self.path(site_path_or_url)


class _Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Self:
        try:
            return cls.model_validate(dict(os.environ if environ is None else environ))
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(part) for part in issue['loc'])}: {issue['msg']}"
                for issue in error.errors()
            )
            raise ConfigurationError(f"{cls.__name__} from the environment: {problems}") from None


class ValidatorSettings(_Settings):
    content_bucket: str = Field(alias="CONTENT_BUCKET")
    artifacts_bucket: str = Field(alias="ARTIFACTS_BUCKET")
    index_queue_url: str = Field(alias="INDEX_QUEUE_URL")
    max_object_bytes: int = Field(DEFAULT_LIMITS.max_object_bytes, alias="MAX_OBJECT_BYTES", gt=0)
    preview_drafts: bool = Field(False, alias="PREVIEW_DRAFTS")
    """Read posts under `_drafts/` as drafts, not ignore them: `--drafts` sets it locally;
    the template sets it false, and no parameter changes that."""

    @property
    def limits(self) -> Limits:
        return DEFAULT_LIMITS.model_copy(update={"max_object_bytes": self.max_object_bytes})


class IndexerSettings(_Settings):
    table_name: str = Field(alias="TABLE_NAME")
    release_schedule_group: str = Field(alias="RELEASE_SCHEDULE_GROUP")
    """The EventBridge Scheduler group of the one-time schedules that publish and expire
    posts at their time."""
    release_target_arn: str = Field(alias="RELEASE_TARGET_ARN")
    """Where a schedule sends its release: the index queue."""
    release_role_arn: str = Field(alias="RELEASE_ROLE_ARN")
    """The role EventBridge Scheduler sends it with."""


class RendererSettings(_Settings):
    table_name: str = Field(alias="TABLE_NAME")
    artifacts_bucket: str = Field(alias="ARTIFACTS_BUCKET")
    site_bucket: str = Field(alias="SITE_BUCKET")
    listing_queue_url: str = Field(alias="LISTING_QUEUE_URL")
    site_url: str = Field(alias="SITE_URL")
    site_title: str = Field("Pressroom", alias="SITE_TITLE")
    home_page_size: int = Field(20, alias="HOME_PAGE_SIZE", gt=0, le=200)
    list_page_size: int = Field(50, alias="LIST_PAGE_SIZE", gt=0, le=200)
    theme: str = Field("default", alias="THEME", pattern=r"^[a-z0-9][a-z0-9_-]*$")
    """A folder under pressroom/themes/: its templates override the default theme's."""
    preview_drafts: bool = Field(False, alias="PREVIEW_DRAFTS")
    """Render drafts' pages, marked as drafts and in no listing: `--drafts` sets it
    locally; the template sets it false, and no parameter changes that."""

    @property
    def theme_dir(self) -> Path:
        directory = THEMES / self.theme
        if not directory.is_dir():
            raise ConfigurationError(f"THEME {self.theme!r}: there is no folder {directory}")
        return directory

    @property
    def site(self) -> SiteConfig:
        return SiteConfig(
            title=self.site_title,
            base_url=self.site_url,
            home_size=self.home_page_size,
            list_page_size=self.list_page_size,
        )


# "", "January", …, "December", read once: `calendar.month_name` and `%B` ask strftime
# on every use, and listings show a date per post.
MONTH_NAMES = tuple(calendar.month_name)


def shown_date(value: datetime, date_format: str | None = None, timezone: str | None = None) -> str:
    """A date as pages show it, in the site's time zone: `date_format` (strftime's
    directives, `%-d` without its zero on every platform), else `4 July 2021`."""
    local = value.astimezone(zoneinfo.ZoneInfo(timezone)) if timezone else value.astimezone(UTC)
    if date_format is None:
        return f"{local.day} {MONTH_NAMES[local.month]} {local.year}"
    return DATE_DIRECTIVE.sub(lambda match: _directive(local, *match.groups()), date_format)


def _directive(value: datetime, flag: str, code: str) -> str:
    shown = value.strftime(f"%{code}")
    if flag == "-":
        return shown.lstrip("0") or "0"
    return shown
