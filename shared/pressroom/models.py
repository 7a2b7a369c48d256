"""The data that travels between the three functions."""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Literal
from urllib.parse import quote, urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
)

from pressroom.characters import describe_character, first_unpublishable

UtcDatetime = Annotated[
    datetime,
    PlainSerializer(lambda value: format_instant(value), return_type=str, when_used="json"),
]
"""A timezone-aware instant, written in JSON as ISO 8601 UTC with a `Z`."""


def format_instant(value: datetime) -> str:
    """Write an instant the way every Pressroom output does: `2020-10-10T16:30:15Z`."""
    # Not strftime: its %Y writes the year 999 as `999`, which no ISO 8601 reader takes.
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def in_zone(instant: datetime, floats: bool, zone: str | None) -> datetime:
    """The instant a written time names: one written without a zone (kept as if in UTC) is
    a wall-clock time in `zone`, the site's (None: UTC), as Jekyll and Hugo read it."""
    if not floats or zone is None:
        return instant
    return instant.replace(tzinfo=zoneinfo.ZoneInfo(zone)).astimezone(UTC)


def excerpt(value: object) -> str:
    """A value short enough to quote in an error (a 5,000-digit epoch cannot even be printed)."""
    text = repr(value) if not isinstance(value, int) or value.bit_length() < 64 else "the number"
    return text if len(text) <= 40 else text[:37] + "..."


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Issue(Frozen):
    """One thing wrong (an error) or worth knowing (a warning) about a source file."""

    field: str | None = None
    """The front-matter key it concerns, or None for the file as a whole."""
    message: str
    """What is wrong and, where it helps, how to fix it."""
    line: int | None = None
    """1-based line in the source file, where the parser knows it."""

    def describe(self, path: str) -> str:
        where = f"{path}:{self.line}" if self.line else path
        subject = f"{self.field}: " if self.field else ""
        return f"{where}: {subject}{self.message}"


# What a link leaves as it is: ASCII that is already a URL (an author's `a%20b.png` stays
# so); only other characters, a Unicode tag's letters among them, are percent-encoded.
_PRINTABLE_ASCII = "".join(map(chr, range(0x21, 0x7F)))


def root_relative(site_path: str) -> str:
    """Root-relative link to a site path, percent-encoded: `tags/日本語/` is stored under
    that UTF-8 key and linked as `/tags/%E6%97%A5%E6%9C%AC%E8%AA%9E/`."""
    return "/" + quote(site_path.lstrip("/"), safe=_PRINTABLE_ASCII)


def post_path(slug: str) -> str:
    """Site path of a post's page when it keeps no URL of its own, as a directory (served
    by its index.html); where links made from a file name lead, whatever its section."""
    return f"posts/{slug}/"


def section_path(slug: str, section: str | None) -> str:
    """Site path of a post's page, placed by no URL style, in its section (Hugo's, the
    folders of `content/` it is in): `blog/<slug>/`, else `posts/<slug>/`."""
    return f"{section}/{slug}/" if section else post_path(slug)


MAX_FORMER_PLACES = 10
"""Most old places a post's claim and item keep (`PostSummary.former_places`), the latest
(a file's status keeps one more, its own among them: `indexing.seen_places`). Each is at
most a summary's size, so the items stay far inside DynamoDB's 400 KB (docs/architecture.md,
"Every write inside DynamoDB's limits")."""


class Place(Frozen):
    """What puts a post's page where it is, whatever the site's URL style: its own path,
    else its date and categories (`SiteConfig.page_path`); the slug is its item's."""

    path: str | None = None
    date: UtcDatetime
    date_floats: bool = False
    categories: tuple[str, ...] = ()


class PostSummary(Frozen):
    """What the index keeps of a post: everything listings need, no body."""

    source_key: str
    """The content-bucket key the post came from."""
    slug: str
    """Last path segment of the post's URL (`posts/<slug>/`, or of its own `path`): the name
    it claims in the index. Two pages at one URL have one slug, so they conflict."""
    title: str
    description: str | None = None
    excerpt: str | None = None
    """Its summary, as listings and the feed show it: `summary` or `excerpt`, else its
    description, else its text before `<!--more-->`, else its first paragraph
    (`markdown.summary_text`); None in items written before excerpts were kept."""
    date: UtcDatetime
    """Publication instant, UTC, whole seconds."""
    dated_by_upload: bool = False
    """No date in the front matter or file name: the index dates the post by the file's
    first upload, whichever upload this document came from."""
    date_floats: bool = False
    """Its date was written without a zone (or is its file name's): a wall-clock time in
    the site's `timezone`, which the renderer places (`SiteConfig.when`); `date` holds it
    as if in UTC, which orders the index."""
    updated: UtcDatetime | None = None
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    image: str | None = None
    """An http(s) URL or a site-relative path."""
    layout: str = "post"
    """Name of the theme template that renders the page."""
    draft: bool = False
    """Drafts are indexed (and shown by `pressroom status`) but never published."""
    publish_at: UtcDatetime | None = None
    """When it becomes public (`publishDate`), if not at its `date`: until then it is
    scheduled, on no page."""
    publish_at_floats: bool = False
    """`publish_at` was written without a zone, as `date_floats`."""
    expires_at: UtcDatetime | None = None
    """When it stops being public (`expiryDate`, `expires`), if ever."""
    expires_at_floats: bool = False
    """`expires_at` was written without a zone, as `date_floats`."""
    permalink: str | None = None
    """The permalink as the author wrote it, kept for templates."""
    path: str | None = None
    """The page's own site path (`2021/01/14/x.html`, `about/`), from `permalink` or `url`,
    or a page's `<slug>/`; None for a post the site's URL style places, else its section
    (`posts/<slug>/`, `blog/<slug>/`)."""
    section: str | None = None
    """Its folders under Hugo's `content/` but for `posts` (`blog`, `notes/2021`), which
    Hugo puts in its URL: `blog/<slug>/`, and `:section` of the site's URL style; None
    for `posts` and for every file outside `content/`."""
    kind: Literal["post", "page"] = "post"
    """A page (`layout: page`, `type: page`, under `pages/`) is in no listing or feed."""
    aliases: tuple[str, ...] = ()
    """Site paths that redirect to the page (`aliases`, `redirect_from`)."""
    menu_name: str | None = None
    """A page's name in the site's navigation, where it asks for one (`menu`, `weight`)."""
    menu_weight: int | None = None
    """Its place there: lighter first."""
    content_hash: str
    """SHA-256 of the canonical document; equal hashes mean an unchanged post."""
    former_places: tuple[Place, ...] = Field(default=(), exclude_if=lambda places: not places)
    """Where its file's other versions (no drafts) put its page, oldest first: each is an
    old URL that redirects to the page, in every copy of the site, a rebuild's too. Kept
    by the indexer from the file's status (`indexing.former_places`), never written by an
    author (the validator leaves it empty); left out of an item while empty."""

    @property
    def place(self) -> Place:
        return Place(
            path=self.path, date=self.date, date_floats=self.date_floats, categories=self.categories
        )

    def at(self, place: Place) -> PostSummary:
        """The post as it was at `place`: where its page was then."""
        return self.model_copy(update=dict(place))

    @property
    def document_key(self) -> str:
        """Where the full document lives in the artifacts bucket."""
        return document_key(self.content_hash)

    @property
    def shown_summary(self) -> str | None:
        return self.excerpt if self.excerpt is not None else self.description

    @property
    def written_release(self) -> tuple[datetime, bool]:
        """When it becomes public, as written (its `publishDate`, else its date), and
        whether that was without a zone."""
        if self.publish_at is not None:
            return self.publish_at, self.publish_at_floats
        return self.date, self.date_floats

    def publishes_in(self, zone: str | None) -> datetime:
        """When it becomes public, a time written without a zone taken in `zone`, the
        site's."""
        return in_zone(*self.written_release, zone)

    def expires_in(self, zone: str | None) -> datetime | None:
        """When it stops being public, if ever, as `publishes_in` places it."""
        if self.expires_at is None:
            return None
        return in_zone(self.expires_at, self.expires_at_floats, zone)

    @property
    def floating_times(self) -> tuple[datetime, ...]:
        """Its publish and expiry times that were written without a zone, as if in UTC:
        where they are depends on the site's time zone."""
        times = (self.written_release, (self.expires_at, self.expires_at_floats))
        return tuple(time for time, floats in times if time is not None and floats)

    @property
    def page_path(self) -> str:
        """Where its page is on the site, placed by no URL style."""
        return self.path if self.path is not None else section_path(self.slug, self.section)

    @property
    def listed(self) -> bool:
        """Whether it belongs on the home page, the feed, its month's archive and its tags'
        pages: a post does, a page does not."""
        return self.kind == "post"


class PostDocument(PostSummary):
    """The canonical, validated post, stored as JSON under its content hash."""

    extra: dict[str, Any] = Field(default_factory=dict)
    """Front-matter keys Pressroom does not know, kept for templates."""
    body_markdown: str
    warnings: tuple[Issue, ...] = ()
    body_html: str | None = None
    """The body as the validator rendered it (`markdown.render_markdown`, its relative links
    rebased: `bodies.rebase_relative_links`), so that a renderer writing the page again (a
    neighbour's link changed) renders no Markdown; None for a body over
    `validation.BODY_RENDERED_HERE_BYTES`. No part of the content hash."""
    body_rendered_by: str | None = None
    """`bodies.rendering_fingerprint()` of the code that made `body_html`: under any other,
    the renderer renders the body again."""

    def summary(self) -> PostSummary:
        return PostSummary.model_validate(self.model_dump(exclude=_NOT_IN_SUMMARY))

    @property
    def asks_for_contents(self) -> bool:
        """`toc: true` in the front matter (kept in `extra`), as Hugo's and Jekyll's themes
        read it: a table of contents at the top of the body."""
        return self.extra.get("toc") is True


_NOT_IN_SUMMARY = {"extra", "body_markdown", "warnings", "body_html", "body_rendered_by"}


MAX_PAGES_LISTED = 1_000
"""The most pages the site's sitemap and navigation read (one query of their entries)."""


class PageLink(Frozen):
    """What the site's sitemap and navigation know of a page (its page entry, projected)."""

    slug: str
    title: str
    date: UtcDatetime
    updated: UtcDatetime | None = None
    path: str | None = None
    menu_name: str | None = None
    menu_weight: int | None = None

    @property
    def page_path(self) -> str:
        return self.path if self.path is not None else post_path(self.slug)

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> PageLink:
        return cls.model_validate({name: item[name] for name in cls.model_fields if name in item})


def document_key(content_hash: str) -> str:
    return f"documents/{content_hash}.json"


def sanitised_asset_key(content_hash: str) -> str:
    """Where a rewritten asset (a sanitised SVG) lives in the artifacts bucket."""
    return f"assets/{content_hash}"


class CopySource(Frozen):
    """The object the renderer copies to publish an asset: the validated version."""

    bucket: str
    key: str
    version_id: str | None = None
    """The content bucket's version that was validated (None: an artifact, which is keyed
    by its hash and never changes)."""


class AssetSummary(Frozen):
    """What the index keeps of a static file (image, media, font, document): where it is
    published, with which headers, and which object is copied there."""

    source_key: str
    path: str
    """Its site-bucket key, which is its URL path: the source key, less a leading `static/`."""
    content_type: str
    cache_control: str
    size: int
    content_hash: str | None = None
    """SHA-256 of the published bytes, where the validator read them all (SVG)."""
    copy_source: CopySource | None = None
    """Filled in by the validator service; None in `check`, which uploads nothing."""

    @property
    def slug(self) -> str:
        """The name the asset claims in the index: its URL path, which begins with `/` as no
        post's slug can (docs/architecture.md, "Static files")."""
        return "/" + self.path

    draft: ClassVar[bool] = False
    dated_by_upload: ClassVar[bool] = False


# The site's configuration (`pressroom.yaml`, or another generator's; `siteconfig.py` reads
# the files): what a file sets, as the validator hands it on and the index keeps it.

CONFIG_KEY = "pressroom.yaml"
JEKYLL_CONFIG_KEY = "_config.yml"
HUGO_CONFIG_KEYS = (
    *("hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json"),
    *("config.toml", "config.yaml", "config.yml", "config.json"),
)
"""Hugo's configuration file, in its three formats (JSON read as the YAML it is), its name
since 0.110 first."""
CONFIG_SOURCES = (CONFIG_KEY, JEKYLL_CONFIG_KEY, *HUGO_CONFIG_KEYS)
"""Where the site's configuration may be, first the one that counts: the first of these the
content bucket holds is the site's configuration; the others are not read."""


MAX_MENU_ENTRIES = 20
MAX_PAGE_SIZE = 200
"""The most posts a listing page or the feed may hold: each is one listing read, bounded."""
JEKYLL_PERMALINK_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
PERMALINK_PLACEHOLDERS = frozenset(
    {"year", "month", "day", "i_month", "i_day", "short_year", "y_day", "week", "short_day"}
    | {"title", "slug", "slugorfilename", "filename", "categories", "section", "output_ext"}
)
PLACEHOLDER = re.compile(r":([a-z_]+)")
DATE_DIRECTIVE = re.compile(r"%(-?)(.)")
_SHOWN_DIRECTIVES = frozenset("aAbBdejmyYHIMpSZz%")


def _publishable_text(value: str) -> str:
    if (position := first_unpublishable(value)) is not None:
        raise ValueError(f"holds {describe_character(value[position])}, which no page can carry")
    return value


def _site_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError("must be an absolute http(s) URL, such as https://example.com/")
    if parts.query or parts.fragment:
        raise ValueError("must have no query or fragment")
    return value if value.endswith("/") else value + "/"


def _link(value: str) -> str:
    """A menu or social link: a site path (`/about/`) or an absolute http(s) or mailto URL."""
    parts = urlsplit(value)
    if parts.scheme in {"http", "https"} and parts.netloc:
        return value
    if parts.scheme == "mailto" and parts.path:
        return value
    if not parts.scheme and value.startswith("/") and not value.startswith("//"):
        return value
    raise ValueError("must be a site path beginning with `/`, or an http(s) or mailto URL")


def _time_zone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{excerpt(value)} is not a time zone name; use one such as UTC or Europe/Paris"
        ) from None
    return value


def _permalink(value: str) -> str:
    pattern = JEKYLL_PERMALINK_STYLES.get(value, value)
    if not pattern.startswith("/"):
        raise ValueError(
            "must begin with `/` (such as /:year/:month/:day/:title/) or name one of "
            f"Jekyll's styles ({', '.join(JEKYLL_PERMALINK_STYLES)})"
        )
    placeholders = set(PLACEHOLDER.findall(pattern))
    if unknown := sorted(placeholders - PERMALINK_PLACEHOLDERS):
        raise ValueError(f"has placeholders Pressroom does not know: {', '.join(unknown)}")
    if not {"title", "slug", "slugorfilename", "filename"} & placeholders:
        raise ValueError("must hold :title or :slug, so that two posts cannot share a URL")
    return value


def _date_format(value: str) -> str:
    allowed = {f"%{flag}{code}" for code in _SHOWN_DIRECTIVES for flag in ("", "-")}
    if unknown := sorted(
        {f"%{flag}{code}" for flag, code in DATE_DIRECTIVE.findall(value)} - allowed
    ):
        raise ValueError(
            f"{', '.join(unknown)}: not a date directive Pressroom shows; use strftime's "
            "%d %e %m %b %B %a %A %y %Y %H %M (%-d for no leading zero)"
        )
    return value


Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_publishable_text),
]
Prose = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=1000),
    AfterValidator(_publishable_text),
]
Link = Annotated[str, StringConstraints(max_length=500), AfterValidator(_link)]


class MenuEntry(Frozen):
    """One link of the site's navigation."""

    name: Name
    url: Link
    weight: int = 0
    """Lower weights first, as Hugo orders its menus."""


class SocialLink(Frozen):
    name: Name
    url: Link


SiteUrl = Annotated[str, StringConstraints(max_length=500), AfterValidator(_site_url)]
Language = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")]
TimeZoneName = Annotated[str, StringConstraints(max_length=64), AfterValidator(_time_zone)]
Permalink = Annotated[str, StringConstraints(max_length=200), AfterValidator(_permalink)]
DateFormat = Annotated[
    str, StringConstraints(min_length=1, max_length=100), AfterValidator(_date_format)
]


class SiteSettings(Frozen):
    """What a configuration file sets; None (or empty) where it sets nothing, so that the
    stack's own defaults (the template's parameters) apply."""

    title: Name | None = None
    description: Prose | None = None
    author: Name | None = None
    base_url: SiteUrl | None = None
    language: Language | None = None
    timezone: TimeZoneName | None = None
    """The time zone pages show dates in."""
    permalink: Permalink | None = None
    """The post URL style, a Jekyll style's name or a pattern of PERMALINK_PLACEHOLDERS."""
    menu: tuple[MenuEntry, ...] = Field((), max_length=MAX_MENU_ENTRIES)
    social: tuple[SocialLink, ...] = Field((), max_length=MAX_MENU_ENTRIES)
    home_page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)
    list_page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)
    feed_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)
    date_format: DateFormat | None = None
    """strftime's directives (`%-d %B %Y`); None: `4 July 2021`."""
    footer: Prose | None = None


class SiteSource(Frozen):
    """A configuration file as the index keeps it, under the name `@<object key>`, which no
    slug or site path can be: each file is its own, and none contests a post
    (docs/architecture.md, "The site's configuration")."""

    source_key: str
    settings: SiteSettings
    content_hash: str
    """SHA-256 of the settings as JSON: equal hashes, nothing to render again."""

    @property
    def slug(self) -> str:
        return config_name(self.source_key)

    path: ClassVar[None] = None
    draft: ClassVar[bool] = False
    dated_by_upload: ClassVar[bool] = False


def config_name(source_key: str) -> str:
    """The name a configuration file claims in the index."""
    return _CONFIG_NAME + source_key


def is_config_name(name: str) -> bool:
    return name.startswith(_CONFIG_NAME)


_CONFIG_NAME = "@"


SourceKind = Literal["post", "asset", "config", "ignored"]
"""What a source file is: a post (Markdown), an asset (a static file published as it is), the
site's configuration, or ignored (another generator's drafts and internals: never published,
never an error)."""


class ValidationOutcome(Frozen):
    """The validator's verdict on one source file: a document or an asset, or the reasons
    there is none."""

    source_key: str
    kind: SourceKind | None = "post"
    """None: a file of a type Pressroom never publishes (HTML, JavaScript, ...)."""
    document: PostDocument | None = None
    asset: AssetSummary | None = None
    site: SiteSource | None = None
    """The site's configuration a configuration file holds."""
    sanitised: bytes | None = None
    """The asset's bytes as rewritten by the validator (an SVG), published in place of the
    upload."""
    version_id: str | None = None
    """The content bucket's version of the asset that was validated: the one published."""
    errors: tuple[Issue, ...] = ()
    warnings: tuple[Issue, ...] = ()

    @property
    def valid(self) -> bool:
        return (
            self.document is not None
            or self.asset is not None
            or self.site is not None
            or self.kind == "ignored"
        )


IndexAction = Literal["upsert", "invalid", "delete", "ignored"]


class IndexMessage(Frozen):
    """What the validator tells the indexer about one S3 event on one source key."""

    action: IndexAction
    source_key: str
    sequencer: str
    """Per-key order of S3 events, normalised so that string order is event order."""
    event_time: UtcDatetime
    post: PostSummary | None = None
    """The validated post, for `upsert` of a post."""
    asset: AssetSummary | None = None
    """The validated static file, for `upsert` of an asset."""
    site: SiteSource | None = None
    """The validated site configuration, for `upsert` of a configuration file."""
    errors: tuple[Issue, ...] = ()
    warnings: tuple[Issue, ...] = ()

    @property
    def content(self) -> PostSummary | AssetSummary | SiteSource | None:
        """What the upload claims in the index: its post, its asset or its settings."""
        return self.post or self.asset or self.site


class ReleaseMessage(Frozen):
    """What a one-time schedule sends the indexer when a post's time comes: the slug whose
    post item to look at again, and the time it was scheduled for. It names no version: a
    release only re-reads the slug's owner, so one that fires late, twice, or for a time
    the post has since left changes nothing (`indexing.plan_release`)."""

    release: str
    """The slug."""
    at: UtcDatetime


class RecordFailure(Frozen):
    """Why a file's latest event failed in a function: kept so that `pressroom status KEY`
    can say why a message is retried or parked, next to its dead letter."""

    function: str
    error: str
    """The exception's type and message, cut to a readable length."""
    receive_count: int
    """How many times the message had been received when it failed (5 parks it)."""
    at: UtcDatetime

    def describe(self) -> str:
        return (
            f"{self.function} failed on receive {self.receive_count} "
            f"({format_instant(self.at)}): {self.error}"
        )
