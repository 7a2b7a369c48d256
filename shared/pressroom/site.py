"""The site's shape: where each page lives, and how pages are rendered from the theme."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, partial
from pathlib import Path
from typing import NamedTuple, TypeVar

import jinja2
from markupsafe import Markup

from pressroom.bodies import rebase_relative_links, rendering_fingerprint
from pressroom.config import DEFAULT_THEME, MONTH_NAMES, SiteConfig, shown_date
from pressroom.fragments import Fragments
from pressroom.indexing import TagEntry
from pressroom.listings import ListingTail, Neighbours, NewestPosts, numbered_pages
from pressroom.models import PostDocument, PostSummary, format_instant, is_config_name, post_path
from pressroom.slugs import CATEGORY_PREFIX, category_key, is_category_key, tag_key
from pressroom.theme_code import compiled_folder, source_loader, theme_environment

HTML_CONTENT_TYPE = "text/html; charset=utf-8"
JAVASCRIPT_CONTENT_TYPE = "text/javascript; charset=utf-8"
NOT_FOUND_KEY = "404.html"
SEARCH_PAGE_PATH = "search/"
"""The search page; the index it reads (search.json, search/<month>.json) is syndication's."""
SEARCH_SCRIPT_KEY = "search/search.js"


def claimed_path(name: str, path: str | None = None) -> str | None:
    """Site path of what a file's status claims: an asset's own path (its name is
    `/<path>`, indexing rule 7), a post's own `path`, or its page at `posts/<slug>/`; None
    for the site's configuration (`@<key>`), which is no page."""
    if path is not None:
        return path
    if is_config_name(name):
        return None
    return name[1:] if name.startswith("/") else post_path(name)


@dataclass(frozen=True)
class Taxonomy:
    """Tags or categories: the folder of their pages and of their index, and the words
    those pages name them with."""

    folder: str
    """Where the index is (`tags/`), and each one's pages beneath it."""
    heading: str
    """The index's heading."""
    kicker: str
    """What a listing's heading says before the name: `Posts tagged` PHP."""
    empty: str
    """What the index says when there are none."""
    gone: str
    """What a listing's page says when its last post has gone."""
    counted: tuple[str, str]
    """How the index counts those it has no room for: one, many."""


TAGS = Taxonomy(
    folder="tags/",
    heading="Tags",
    kicker="Posts tagged",
    empty="No post carries a tag yet.",
    gone="No posts carry this tag any more.",
    counted=("tag", "tags"),
)
CATEGORIES = Taxonomy(
    folder=CATEGORY_PREFIX,
    heading="Categories",
    kicker="Filed under",
    empty="No post is filed under a category yet.",
    gone="No posts are filed under it any more.",
    counted=("category", "categories"),
)


def taxonomy_of(key: str) -> Taxonomy:
    """Whether a tag entry's key (`TagEntry.tag`) is a tag's or a category's."""
    return CATEGORIES if is_category_key(key) else TAGS


def term_path(key: str) -> str:
    """Site path of the pages of a tag or category, by its key: `tags/php/`,
    `categories/news/` (a category's key is its folder and name). Its page is stored at
    `page_object_key` of it, and linked as `SiteConfig.path` of it: the same key,
    percent-encoded."""
    return f"{key}/" if is_category_key(key) else f"{TAGS.folder}{key}/"


def tag_path(tag: str) -> str:
    """Site path of a tag's page; `tag` as written (`Open Source`, `日本語`) or as its key."""
    return term_path(tag_key(tag))


def category_path(category: str) -> str:
    """Site path of a category's page; `category` as written (`Open Source`)."""
    return term_path(category_key(category))


def archive_path(year: int, month: int) -> str:
    """Site path of a month's archive."""
    return f"archive/{year:04d}/{month:02d}/"


def month_path(date: datetime) -> str:
    """Site path of the archive of the month a post is dated in."""
    return archive_path(date.year, date.month)


def listing_page_path(listing: str, number: int) -> str:
    """Site path of a paginated listing's page: its first (`number` 0, the newest posts)
    at the listing's own path, so that its address never changes; the numbered pages,
    counted from the oldest, beneath it (`tags/php/page/2/`)."""
    return listing if number == 0 else f"{listing_pages_prefix(listing)}{number}/"


def listing_pages_prefix(listing: str) -> str:
    """Where a listing's numbered pages are: every key beneath is one of them."""
    return f"{listing}page/"


@dataclass(frozen=True)
class ListingPage:
    """One page of a paginated listing: where it is and where its neighbours are.

    The first page shows the newest posts. The others are numbered from the
    oldest and each holds a fixed run of posts, so a page and its address
    stay the same as newer posts arrive (a reader's bookmark of `page/3/`
    still shows the posts it showed) and a new post rewrites only the first
    page and the newest numbered ones (`listings.rewrite_from`)."""

    listing: str
    """The listing's own path, which is its first page."""
    number: int
    """0 for the first page; from 1, oldest first, for the others."""
    numbered: int
    """How many numbered pages the listing has."""

    @property
    def path(self) -> str:
        return listing_page_path(self.listing, self.number)

    @property
    def newer(self) -> str | None:
        """The page of newer posts (`rel="prev"`); None on the first page."""
        if self.number == 0:
            return None
        newer = 0 if self.number == self.numbered else self.number + 1
        return listing_page_path(self.listing, newer)

    @property
    def older(self) -> str | None:
        """The page of older posts (`rel="next"`); None on the oldest page."""
        if self.number == 1 or self.numbered == 0:
            return None
        older = self.numbered if self.number == 0 else self.number - 1
        return listing_page_path(self.listing, older)


_Listed = TypeVar("_Listed")


def paginate(
    listing: str, tail: ListingTail[_Listed], size: int
) -> list[tuple[ListingPage, Sequence[_Listed]]]:
    """The pages of a listing that `tail` holds whole, with their posts newest first: the
    first page (the newest `size` posts), then each numbered page from the first that
    starts inside the tail. None when the listing is empty."""
    total = tail.total
    if total == 0:
        return []
    numbered = numbered_pages(total, size)
    pages: list[tuple[ListingPage, Sequence[_Listed]]] = [
        (ListingPage(listing, 0, numbered), tail.newest_first(max(0, total - size), total))
    ]
    for number in range(-(-tail.start // size) + 1, numbered + 1):
        posts = tail.newest_first((number - 1) * size, number * size)
        pages.append((ListingPage(listing, number, numbered), posts))
    return pages


def listing_page_keys(listing: str, total: int, size: int) -> set[str]:
    """The keys of every page a listing of `total` posts has."""
    return page_keys(listing, listing_page_count(total, size))


def listing_page_count(total: int, size: int) -> int:
    """How many pages, its first with them, a listing of `total` posts has."""
    return numbered_pages(total, size) + 1 if total else 0


def page_keys(listing: str, count: int) -> set[str]:
    """The keys of a listing's first `count` pages."""
    return {page_object_key(listing_page_path(listing, number)) for number in range(count)}


@dataclass(frozen=True)
class TagLink:
    name: str
    """The tag as the post spells it."""
    path: str


def page_object_key(path: str) -> str:
    """SiteBucket key of the page at a site path: `posts/x/` → `posts/x/index.html`."""
    key = f"{path}index.html" if path == "" or path.endswith("/") else path
    # A `..` segment would write outside its folder (`tags/../index.html` is the home
    # page), and `.` or an empty one would name a page that no link reaches.
    if any(segment in {"", ".", ".."} for segment in key.split("/")):
        raise ValueError(f"{key!r} has an empty, '.' or '..' segment: no page is written there")
    return key


class ListedPost(NamedTuple):
    """What a list of posts shows of each post: what a tag item keeps, so that a post's
    entry is the same on the home page, its month's archive and its tags' pages."""

    path: str
    """Its page's site path."""
    title: str
    date: datetime
    summary: str | None
    tags: tuple[str, ...]


_EntryKey = tuple[str, str, datetime, str | None, tuple[str, ...]]
"""A `ListedPost`'s fields, as a plain tuple."""

LISTING_ENTRIES_BUDGET_BYTES = 32 * 1024 * 1024
"""Bytes of entries and keys: about 25,000 posts' (an entry with its tags' links and its key
weigh about 1.3 KiB), so that on a site of 10,000 posts, whose tag pages and months a back
catalogue rewrites in any order, each post's entry is rendered once. At 12 MiB, a
random-date import of 10,000 posts re-rendered the entries the budget had dropped: in its
last tenth, 4.46 ms a post in the pure pipeline against 3.53 at 32 MiB
(`python -m bench.catalogue --posts 10000`). The caches a warm renderer keeps, this one
with them, stay well inside the 256 MiB a post's render may take of the function's 512
(docs/architecture.md, "The render budget")."""


class Theme:
    """Jinja2 templates, autoescape on. Front-matter text is only ever data, never a template."""

    def __init__(self, directory: Path = DEFAULT_THEME) -> None:
        self.directory = directory
        self._entries: tuple[SiteConfig, Fragments[_EntryKey]] | None = None

    @cached_property
    def environment(self) -> jinja2.Environment:
        # The layer ships the templates compiled (`theme_code`); this tree compiles them as
        # they are first used.
        compiled = compiled_folder(self.directory)
        environment = theme_environment(
            jinja2.ModuleLoader(compiled)
            if compiled.is_dir()
            else source_loader(self.directory, DEFAULT_THEME)
        )
        environment.filters.update(isodate=format_instant, humandate=_human_date)
        environment.globals.update(post_path=post_path, tag_path=tag_path, month_path=month_path)
        return environment

    def render(self, template: str, **context: object) -> str:
        return self.environment.get_template(template).render(**context)

    def source(self, name: str) -> str:
        """A theme file as it is, not rendered (a script the pages load)."""
        return source_loader(self.directory, DEFAULT_THEME).get_source(self.environment, name)[0]

    def listing_entries(self, posts: Sequence[PostSummary | TagEntry], site: SiteConfig) -> Markup:
        """The posts' entries in a list of posts (`_listing_entry.html`), one a line. Each is
        rendered once per version of the post and reused by every list that shows it."""
        entries = self._site_entries(site)
        # Keys as plain tuples: a key is built for every post of every list.
        lines = "\n".join(
            [
                entries[
                    site.page_path(post), post.title, site.when(post), post.shown_summary, post.tags
                ]
                for post in posts
            ]
        )
        return Markup(lines)  # noqa: S704 # nosec B704 - each entry autoescaped by the theme

    def _site_entries(self, site: SiteConfig) -> Fragments[_EntryKey]:
        # A theme renders one site's pages (its renderer's): another site starts afresh.
        if self._entries is None or self._entries[0] != site:
            render = partial(self._render_entry, site)
            self._entries = (site, Fragments(render, LISTING_ENTRIES_BUDGET_BYTES))
        return self._entries[1]

    def _render_entry(self, site: SiteConfig, key: _EntryKey) -> str:
        return self.render("_listing_entry.html", site=site, post=ListedPost(*key))


BODIES_BUDGET_BYTES = 8 * 1024 * 1024
"""Rendered bodies kept by a warm renderer, of documents whose body the validator did not
render or rendered under other code (`PostDocument.body_rendered_by`: written before a
release). A post's page is written again when a post joins or leaves beside it (its older
and newer links): its body, the costliest part of the page, is the same."""


def _render_body(key: tuple[str, bool]) -> str:
    # Markdown is imported by the first body a renderer renders itself: one whose
    # documents all carry their HTML never loads cmark, nh3 and the shortcodes (about
    # 11 ms of a cold start).
    from pressroom.markdown import render_markdown

    return render_markdown(key[0], table_of_contents=key[1])


_BODIES = Fragments[tuple[str, bool]](_render_body, BODIES_BUDGET_BYTES)


def forget_rendered_bodies() -> None:
    """Start as a new container does, with no body rendered (for measurements: a body
    kept from an earlier run would make a post cost less than it does)."""
    _BODIES.clear()


def render_post_page(
    document: PostDocument,
    site: SiteConfig,
    theme: Theme,
    *,
    scheduled_for: datetime | None = None,
    neighbours: Neighbours | None = None,
) -> str:
    """A post's or page's own page. `scheduled_for`: a preview's page of a post that is
    public from then on (its `draft` is then true: it is not public yet). `neighbours`: a
    listed post's older and newer posts, which it links to."""
    body = (
        document.body_html
        if document.body_html is not None and document.body_rendered_by == rendering_fingerprint()
        else rebase_relative_links(
            _BODIES[document.body_markdown, document.asks_for_contents], document.source_key
        )
    )
    # A page is in no archive or tag page, nor is a draft (rendered only by a preview): it
    # links to none, since a tag only a draft carries has no page.
    listed = document.listed and not document.draft
    return theme.render(
        f"{document.layout}.html",
        site=site,
        # Shown at the instant its date names; its month is the index's.
        post=document.model_copy(update={"date": site.when(document), "date_floats": False}),
        scheduled_for=scheduled_for,
        post_path=site.page_path(document),
        month_path=month_path(document.date) if listed else None,
        tag_links=[TagLink(name=tag, path=tag_path(tag)) for tag in document.tags]
        if listed
        else [],
        category_links=[
            TagLink(name=category, path=category_path(category)) for category in document.categories
        ]
        if listed
        else [],
        older=neighbours.older if listed and neighbours else None,
        newer=neighbours.newer if listed and neighbours else None,
        body_html=Markup(body),  # noqa: S704 # nosec B704 - sanitised by nh3
    )


def render_redirect_page(target: str, site: SiteConfig, theme: Theme) -> str:
    """The page left at an old URL (`aliases`, `redirect_from`): a meta refresh and a
    canonical link to the page at `target`, so it works from any copy of the site."""
    return theme.render("redirect.html", site=site, target=target)


HOME_PAGES = 5
"""How many pages the home page's list runs to (itself, then `page/2/` to `page/5/`)
before it goes on by month in the archive. They are counted from the newest, as Jekyll
and Hugo count them, so each new post moves every one; a fixed number of them keeps what a
post costs the same on a site of any size (pages counted from the oldest, as a tag's are,
would need the whole site's count)."""


@dataclass(frozen=True)
class HomePage:
    """One page of the home page's list, counted from the newest: where it and its
    neighbours are."""

    number: int
    """0 for the home page itself, then 2 to HOME_PAGES (`page/2/`)."""
    pages: int
    """How many pages the list has, the home page with them."""

    @property
    def path(self) -> str:
        return listing_page_path("", self.number)

    @property
    def numbered(self) -> int:
        """How many pages beyond the home page: whether the list is paginated."""
        return self.pages - 1

    @property
    def newer(self) -> str | None:
        """The page of newer posts (`rel="prev"`); None on the home page."""
        if self.number == 0:
            return None
        return listing_page_path("", 0 if self.number == 2 else self.number - 1)

    @property
    def older(self) -> str | None:
        """The page of older posts (`rel="next"`); None on the last page."""
        older = 2 if self.number == 0 else self.number + 1
        return listing_page_path("", older) if older <= self.pages else None


@dataclass(frozen=True)
class OlderPosts:
    """Where the home page's list goes on after its last page: the archive of the month
    of the newest post it has no room for, where the list goes on, bounded (see
    `paginate`)."""

    path: str
    month: str | None
    """None: the archive's index, where the months are."""


def home_posts_read(site: SiteConfig) -> int:
    """How many of the newest posts the home pages are rendered from: those they show,
    and one more, which tells whether the list goes on, and where."""
    return site.home_size * HOME_PAGES + 1


def render_home_pages(
    newest: NewestPosts, site: SiteConfig, theme: Theme
) -> Iterator[tuple[str, str]]:
    """The home page and its older pages (`HomePage`), `site.home_size` posts each, from
    the `newest` posts: (site path, HTML). The last page links to the month where the
    list goes on, if `newest` holds more than the pages show; to the archive's months if
    the read was cut short."""
    size = site.home_size
    shown, rest = newest.posts[: size * HOME_PAGES], newest.posts[size * HOME_PAGES :]
    older = OlderPosts(ARCHIVE_INDEX_PATH, None) if newest.cut_short else None
    if rest:
        date = rest[0].date
        older = OlderPosts(
            archive_path(date.year, date.month), f"{MONTH_NAMES[date.month]} {date.year}"
        )
    pages = max(1, -(-len(shown) // size))
    for index in range(pages):
        page = HomePage(0 if index == 0 else index + 1, pages)
        part = shown[index * size : (index + 1) * size]
        html = theme.render(
            "listing.html",
            site=site,
            posts=part,
            entries=theme.listing_entries(part, site),
            heading=None,
            page_path=page.path,
            pagination=page,
            older=older if index == pages - 1 else None,
        )
        yield page.path, html


def tag_name(tag: str, entries: ListingTail[TagEntry]) -> str:
    """A tag as its newest post spells it (`Open Source`); its key where no entry says."""
    newest = entries.posts[-1] if entries.posts else None
    return newest.name if newest is not None and newest.name else tag


def render_tag_pages(
    tag: str, entries: ListingTail[TagEntry], site: SiteConfig, theme: Theme
) -> Iterator[tuple[str, str]]:
    """The pages of a tag's or category's listing that `entries` holds whole,
    `site.list_page_size` posts a page: (site path, HTML). `tag` is its key; the pages name
    it as its newest post spells it."""
    name = tag_name(tag, entries)
    for page, part in paginate(term_path(tag), entries, site.list_page_size):
        html = theme.render(
            "tag.html",
            site=site,
            tag=name,
            taxonomy=taxonomy_of(tag),
            posts=part,
            entries=theme.listing_entries(part, site),
            page_path=page.path,
            pagination=page,
        )
        yield page.path, html


def render_archive_pages(
    year: int, month: int, posts: ListingTail[PostSummary], site: SiteConfig, theme: Theme
) -> Iterator[tuple[str, str]]:
    """The pages of a month's archive that `posts` holds whole, `site.list_page_size` posts
    a page: (site path, HTML)."""
    for page, part in paginate(archive_path(year, month), posts, site.list_page_size):
        html = theme.render(
            "archive.html",
            site=site,
            year=year,
            month=month,
            month_name=f"{MONTH_NAMES[month]} {year}",
            posts=part,
            entries=theme.listing_entries(part, site),
            page_path=page.path,
            pagination=page,
        )
        yield page.path, html


def render_not_found_page(site: SiteConfig, theme: Theme) -> str:
    return theme.render("404.html", site=site)


ARCHIVE_INDEX_PATH = "archive/"
"""The page that lists every month with posts, each linking its archive."""


@dataclass(frozen=True)
class ArchiveYear:
    year: int
    months: list[tuple[str, str]]
    """(month name, archive path), newest first."""


def render_archive_index(months: Sequence[tuple[int, int]], site: SiteConfig, theme: Theme) -> str:
    """`archive/`: every month with posts (`months`, newest first), grouped by year."""
    years: list[ArchiveYear] = []
    for year, month in months:
        if not years or years[-1].year != year:
            years.append(ArchiveYear(year, []))
        years[-1].months.append((MONTH_NAMES[month], archive_path(year, month)))
    return theme.render("archives.html", site=site, years=years, page_path=ARCHIVE_INDEX_PATH)


TAGS_INDEX_PATH = TAGS.folder
"""The page that lists every tag, each linking its page."""
TAG_CARD = "tag.json"
"""Beside the pages of a tag or category: `{"name": …}`, as written, which its index shows."""
MAX_TAGS_INDEXED = 1_000
"""The most tags (or categories) an index lists: the first in the order of their keys (as
S3 lists them); the page says how many more there are, each still linked from its posts."""


def tag_card_key(tag: str) -> str:
    """Where the card of a tag or category (by its key) is."""
    return f"{term_path(tag)}{TAG_CARD}"


def tag_of_card(key: str, taxonomy: Taxonomy = TAGS) -> str | None:
    """The key of the tag (or category) whose card is at `key`, or None for any other key
    in the taxonomy's folder."""
    inner = key.removeprefix(taxonomy.folder)
    name, _, rest = inner.partition("/")
    if not (key.startswith(taxonomy.folder) and name and rest == TAG_CARD):
        return None
    return f"{taxonomy.folder}{name}" if taxonomy is CATEGORIES else name


def render_tag_card(name: str, pages: int) -> bytes:
    """A tag's card: its name as its newest post spells it, and how many pages its
    listing has (so that a render knows which pages to remove without listing them)."""
    return json.dumps({"name": name, "pages": pages}, ensure_ascii=False).encode("utf-8")


def tag_card_pages(body: bytes | None) -> int | None:
    """The pages a card counts; None without a card, or for a card written before cards
    counted them."""
    try:
        pages = json.loads(body)["pages"] if body is not None else None
    except (ValueError, KeyError, TypeError):
        return None
    return pages if isinstance(pages, int) and not isinstance(pages, bool) and pages >= 0 else None


def read_tag_card(tag: str, body: bytes | None) -> TagLink:
    """The link an index shows for a tag or category: its name from its card, else its
    key."""
    try:
        name = json.loads(body)["name"] if body is not None else tag
    except (ValueError, KeyError, TypeError):
        name = tag
    return TagLink(name=name if isinstance(name, str) and name else tag, path=term_path(tag))


def render_tags_index(
    tags: Sequence[TagLink], more: int, site: SiteConfig, theme: Theme, taxonomy: Taxonomy = TAGS
) -> str:
    """`tags/` (or `categories/`): each as written, linking its page, in alphabetical
    order, and how many more there are beyond `MAX_TAGS_INDEXED`."""
    shown = sorted(tags, key=lambda tag: (tag.name.casefold(), tag.path))
    return theme.render(
        "tags.html", site=site, tags=shown, more=more, taxonomy=taxonomy, page_path=taxonomy.folder
    )


def render_search_page(site: SiteConfig, theme: Theme) -> str:
    return theme.render("search.html", site=site)


@jinja2.pass_context
def _human_date(context: jinja2.runtime.Context, value: datetime) -> str:
    """A date as the site shows it: its `date_format`, in its time zone."""
    site = context.get("site")
    return site.show_date(value) if isinstance(site, SiteConfig) else shown_date(value)
