"""The renderer's job: project index changes onto the site bucket."""

from __future__ import annotations

import enum
import itertools
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property, partial
from typing import Protocol, TypeVar

from pressroom.config import SiteConfig
from pressroom.exceptions import ListingChurnError, ListingRenderError
from pressroom.indexing import TagEntry
from pressroom.limits import RENDER_BUDGET
from pressroom.listing_messages import ListingMessage
from pressroom.listings import (
    NEWEST,
    SITE_INDEXES,
    AssetChange,
    ListingPlan,
    ListingTail,
    Month,
    Neighbours,
    NewestPosts,
    PostChange,
    SiteChange,
    Window,
    around_place,
    chain_former_placing,
    coalesce,
    earliest_requests,
    is_around_request,
    is_page_request,
    is_site_pages,
    listing_name,
    listing_requests,
    month_request,
    moving_chain,
    numbered_pages,
    order_key,
    page_of,
    page_request,
    page_request_slug,
    plan_listings,
    rewrite_from,
    site_pages_chain,
    site_pages_cursor,
    site_pages_request,
    tag_request,
)
from pressroom.models import (
    CONFIG_SOURCES,
    AssetSummary,
    CopySource,
    PostSummary,
    SiteSource,
    config_name,
)
from pressroom.permalinks import Placing
from pressroom.ports import (
    SITE_READS_AT_ONCE,
    DocumentStore,
    ListingQueue,
    PostCatalog,
    SiteStore,
)
from pressroom.site import (
    ARCHIVE_INDEX_PATH,
    CATEGORIES,
    HOME_PAGES,
    HTML_CONTENT_TYPE,
    JAVASCRIPT_CONTENT_TYPE,
    MAX_TAGS_INDEXED,
    NOT_FOUND_KEY,
    SEARCH_PAGE_PATH,
    SEARCH_SCRIPT_KEY,
    TAGS,
    TagLink,
    Taxonomy,
    Theme,
    archive_path,
    home_posts_read,
    listing_page_count,
    listing_page_keys,
    listing_pages_prefix,
    page_keys,
    page_object_key,
    read_tag_card,
    render_archive_index,
    render_archive_pages,
    render_home_pages,
    render_not_found_page,
    render_post_page,
    render_redirect_page,
    render_search_page,
    render_tag_card,
    render_tag_pages,
    render_tags_index,
    tag_card_key,
    tag_card_pages,
    tag_name,
    tag_of_card,
    taxonomy_of,
    term_path,
)
from pressroom.slugs import claimed_slug
from pressroom.syndication import (
    ATOM_CONTENT_TYPE,
    FEED_KEY,
    JSON_CONTENT_TYPE,
    PAGES_SITEMAP_KEY,
    SEARCH_FOLDER,
    SEARCH_MANIFEST_KEY,
    SITEMAP_INDEX_KEY,
    SITEMAPS_FOLDER,
    XML_CONTENT_TYPE,
    month_file_keys,
    month_file_prefixes,
    month_files,
    month_files_start,
    months_of,
    render_feed,
    render_month_sitemaps,
    render_pages_sitemap,
    render_search_manifest,
    render_search_shards,
    render_sitemap_index,
)


class Due(enum.Flag):
    """Which of the site's indexes a listing's change makes due."""

    NOTHING = 0
    FILES = enum.auto()
    """The site's fixed files, the sitemap index, the search manifest and the archive's
    index: the month files changed, or the settings or the set of pages did."""
    MISSING = enum.auto()
    """The same, if the site has none yet: a post item appeared."""
    TAGS = enum.auto()
    """The tags index: a tag appeared, went, or is spelled anew."""
    CATEGORIES = enum.auto()
    """The categories index: the same, of a category."""
    ALL = FILES | TAGS | CATEGORIES

    @classmethod
    def index_of(cls, taxonomy: Taxonomy) -> Due:
        return cls.CATEGORIES if taxonomy is CATEGORIES else cls.TAGS


@dataclass(frozen=True)
class RebuildPlan:
    """What `pressroom rebuild` will write: every published post, month and tag."""

    post_count: int
    months: list[Month]
    tags: list[str]
    asset_count: int = 0

    @property
    def steps(self) -> int:
        return self.post_count + self.asset_count + len(self.months) + len(self.tags) + 1


AROUND_SPAN_POSTS = 48
"""The most newer posts one window read for the pages around places asks for: a month
entry is at most 16 KiB, so they fit one query page (1 MB)."""
SITE_PAGES_STEP_ITEMS = 100
"""Index items a site-wide re-render step scans: at most as many post pages, a few seconds."""


@dataclass(frozen=True)
class RendererService:
    catalog: PostCatalog
    documents: DocumentStore
    site: SiteStore
    config: SiteConfig
    theme: Theme
    drafts: bool = False
    """A preview (`--drafts`, never a deployed site): drafts have pages too, marked as such;
    no listing shows them."""
    defaults: SiteConfig | None = None
    """The stack's own settings (its environment), which `configured` lays the site's
    over; None: `config` is still them."""
    config_sources: tuple[SiteSource, ...] = ()
    """Every published configuration file, as `configured` read them."""

    def configured(self) -> RendererService:
        """This renderer with the site's configuration as the index holds it now, over the
        stack's defaults: read once an invocation, since an upload may change it."""
        defaults = self.defaults or self.config
        entries = self.catalog.site_entries()
        config = defaults.with_settings(entries.settings).with_pages(entries.pages)
        return replace(self, config=config, defaults=defaults, config_sources=entries.sources)

    def former_placing(self, changes: Sequence[SiteChange]) -> Placing | None:
        """How the site placed its posts before these changes to its configuration files
        (its post URL style and time zone), if not as now and not at `posts/<slug>/`,
        where each post's redirect is anyway: the URLs a site-wide re-render leaves
        redirects at. The file that counted is found as `configured` finds it, with each
        changed file as it was before the first of its changes."""
        sources = {source.slug: source for source in self.config_sources}
        for change in reversed(changes):
            record = change.old or change.new
            was = change.old.published_site if change.old is not None else None
            if record is None:
                continue
            if was is None:
                sources.pop(record.slug, None)
            else:
                sources[record.slug] = was
        counted = next(
            (sources[name] for name in map(config_name, CONFIG_SOURCES) if name in sources),
            None,
        )
        former = (self.defaults or self.config).with_settings(counted).placing
        return None if former.permalink is None or former == self.config.placing else former

    def settings_moved(self) -> RendererService | None:
        """This renderer configured anew, if the site's settings or pages changed since it
        read them (what it wrote since may show the old ones); None if they have not."""
        current = self.configured()
        return None if current.config == self.config else current

    def render_site_pages(self, request: str, step_items: int = SITE_PAGES_STEP_ITEMS) -> list[str]:
        """One step of a site-wide re-render, after the site's settings changed: the pages
        of the posts in the next stretch of the index, and the listing requests to follow
        (the whole of each tag and month met, the next step while the scan goes on; the
        home page and the site's indexes with the first)."""
        cursor = site_pages_cursor(request)
        step = self.catalog.scan_step(cursor, step_items)
        former = chain_former_placing(site_pages_chain(request))
        moved_from = self.config.model_copy(update=former._asdict()) if former else None
        for post in (*step.published, *(step.drafts if self.drafts else ())):
            self.write_post_page(post)
            if moved_from is not None:
                self._write_moved_from(post, moved_from.page_path(post))
        follow = [NEWEST, SITE_INDEXES] if not cursor else []
        follow += [month_request(month) for month in sorted(step.months)]
        follow += [tag_request(tag) for tag in sorted(step.tags)]
        if step.cursor is not None:
            follow.append(site_pages_request(site_pages_chain(request), step.cursor))
        return follow

    def render_post(self, change: PostChange, *, page_now: bool = True) -> str | None:
        """Write or remove one post's page, and the redirects at its old URLs. A listed
        post that joined, moved or was retitled gets its page from the listing batch that
        writes the pages beside its place (`render_around`), which reads its neighbours
        with theirs: only its redirects are written here. Not `page_now` (no time left for
        a page in this invocation): the page is left to the `page:<slug>` request it
        returns, for the listing queue."""
        was, now = change.pages(self.drafts)
        deferred = None
        if now is not None and now != was:
            if change.listed is not None and change.moves_beside_others:
                self._write_redirects(now)
            elif page_now:
                self.write_post_page(now)
            else:
                deferred = page_request(now.slug)
        if was is None:
            return deferred
        config = self.config
        was_at = config.page_path(was)
        if now is None:
            kept = set()
            self.site.delete(page_object_key(was_at))
        else:
            now_at = config.page_path(now)
            kept = {now_at, *config.redirects(now)}
            if was_at not in kept:
                # The redirects a post leaves are its former places (`config.redirects`),
                # written with its page as a rebuild writes them: its own file's earlier
                # versions that were no draft. Any other URL it had (another file's, which
                # took the slug over; a preview's draft's) answers nothing.
                self.site.delete(page_object_key(was_at))
        for alias in set(config.redirects(was)) - kept:
            self._at_old_url(alias, was.slug, partial(self.site.delete, page_object_key(alias)))
        return deferred

    def render_page_request(self, request: str) -> None:
        """A page a stream batch had no time for: the slug's page as the index holds it now
        (none if it has gone since: its removal was rendered with its change)."""
        slug = page_request_slug(request)
        page = page_of(self.catalog.post(slug), self.drafts)
        if page is not None:
            # Unlike the stream's, this write is not ordered with the post's later changes.
            self._settle_page(self.config.page_path(page), slug)

    def render_asset(self, change: AssetChange) -> None:
        """Publish one asset (a copy inside S3 of the version validated), or unpublish it."""
        if change.published is not None and change.published != change.was:
            self.copy_asset(change.published)
        elif change.was is not None and change.published is None:
            self.site.delete(change.was.path)

    def copy_asset(self, asset: AssetSummary) -> None:
        if asset.copy_source is None:
            raise ValueError(f"{asset.source_key}: the index holds no object to copy")
        self.site.copy(asset.copy_source, asset.path, asset.content_type, asset.cache_control)

    def write_post_page(self, post: PostSummary) -> None:
        """Its page, and a redirect to it at each of its old URLs that no page has. A
        listed post's page links to its older and newer posts: read from the index and
        settled as a listing is, since a post joining next to it changes them."""
        write = self._page_writer(post)
        if post.listed and not post.draft:
            place = order_key(post.date, post.slug)
            _settled(
                lambda: self.catalog.window(place, 1, 1, passing=post.slug).neighbours(), write
            )
        else:
            write(None)
        self._write_redirects(post)

    def _write_moved_from(self, post: PostSummary, old: str) -> None:
        """A redirect at the URL a post had under the site's former post URL style. No
        other page can be there: a styled URL ends in the post's own slug."""
        here = self.config.page_path(post)
        if old != here and old not in self.config.redirects(post):
            self._put_redirect(old, here)

    def _write_redirects(self, post: PostSummary) -> None:
        """A redirect to its page at each of its old URLs that no page has."""
        if redirects := self.config.redirects(post):
            here = self.config.page_path(post)
            for alias in redirects:
                self._at_old_url(alias, post.slug, partial(self._put_redirect, alias, here))

    def _at_old_url(self, path: str, slug: str, write: Callable[[], object]) -> None:
        """`write` (a redirect, or its removal) at `path`, an old URL of post `slug`,
        unless another post's page is there: a page wins over an old URL. Settled: a page
        published there between the read and the write, which the write may have landed
        after, is written again."""
        owner = claimed_slug(path)
        if owner == slug:
            # A path ending in the post's own slug can hold no other post's page, and
            # this post's page is elsewhere (`posts/<slug>/` of a post placed by a style).
            write()
            return
        if self._is_a_page(path):
            return
        write()
        if self._is_a_page(path):
            self._settle_page(path, owner)

    def _page_writer(self, post: PostSummary) -> Callable[[Neighbours | None], None]:
        """What writes a post's page, given its neighbours (None: a page or a draft, which
        link to none)."""
        stored = self.documents.get(post.document_key)
        # The index's date wins: an undated post is dated by its file's first upload. A
        # preview marks a scheduled post as not public (`PostRecord.previewed`): its page
        # says when it will be.
        document = stored.model_copy(update={"date": post.date, "draft": post.draft})
        scheduled_for = (
            post.publishes_in(self.config.timezone) if post.draft and not stored.draft else None
        )

        def write(neighbours: Neighbours | None) -> None:
            html = render_post_page(
                document,
                self.config,
                self.theme,
                scheduled_for=scheduled_for,
                neighbours=neighbours,
            )
            self._put_html(self.config.page_path(post), html)

        return write

    def render_arounds(self, places: Iterable[str], written: set[str]) -> None:
        """`render_around` for each place, from as few window reads as their nearness
        allows: places close in the site's order (a day's posts, an import's run) share
        one read that spans them, up to AROUND_SPAN_POSTS posts, each post's page written
        once. `written` as for `render_around`."""
        pending = sorted(set(places))
        while pending:
            pending = pending[len(self._render_span(pending, written)) :]

    def _render_span(self, places: Sequence[str], written: set[str]) -> list[str]:
        """The pages around the first of `places` (sorted) and around as many of those
        after it as one window read from it spans; the places it rendered."""
        count = min(len(places) + 3, AROUND_SPAN_POSTS)
        done_before = set(written)

        def spanned(window: Window) -> list[str]:
            return list(itertools.takewhile(lambda place: window.spans(place, count), places))

        def pages(window: Window) -> dict[str, tuple[PostSummary, Neighbours]]:
            found: dict[str, tuple[PostSummary, Neighbours]] = {}
            for place in spanned(window):
                for post, neighbours in window.around(place).beside(place):
                    found.setdefault(post.slug, (post, neighbours))
            return found

        # Each page written, by its path, with the post as written there last.
        pages_written: dict[str, PostSummary] = {}

        def write(window: Window) -> None:
            for slug, (post, neighbours) in pages(window).items():
                if slug not in done_before:
                    self._page_writer(post)(neighbours)
                    pages_written[self.config.page_path(post)] = post

        window = _settled(lambda: self.catalog.window(places[0], 2, count), write)
        settled = pages(window)
        # A page written from an earlier read that the last read does not show as written
        # (its post deleted, moved, changed, or no longer beside these places) may have
        # landed after the write that post's own change made there: it is settled alone.
        for path, post in pages_written.items():
            shown = settled.get(post.slug)
            if shown is None or shown[0] != post:
                self._settle_page(path, post.slug)
        written.update(settled)
        return spanned(window)

    def _settle_page(self, path: str, slug: str) -> None:
        """`path` made what the index says of post `slug` now, settled as a listing is: its
        page while the post is there, a redirect while the path is one of its old URLs,
        else nothing. The path's slug is the post's (`claimed_slug`): no other post's page
        can be there."""

        def make(now: PostSummary | None) -> None:
            if now is not None and self.config.page_path(now) == path:
                self.write_post_page(now)
            elif now is not None and path in self.config.redirects(now):
                self._put_redirect(path, self.config.page_path(now))
            else:
                self.site.delete(page_object_key(path))

        _settled(lambda: page_of(self.catalog.post(slug), self.drafts), make)

    def render_around(self, place: str, written: set[str] | None = None) -> None:
        """The pages of the post at a place a post joined, left or was retitled at, if it
        is there, and of the posts on either side, as the index holds them now: those link
        to it as their newer or older post. One window read gives the pages and their own
        neighbours, settled as one (`render_arounds` of this one place).
        `written`: slugs whose pages this listing batch has written since the change,
        which need not be written again (and to which these are added)."""
        self.render_arounds([place], set() if written is None else written)

    def _is_a_page(self, path: str) -> bool:
        """Whether a published post or page is at `path`: a page wins over an old URL."""
        record = self.catalog.post(claimed_slug(path))
        post = record.published if record is not None else None
        return post is not None and self.config.page_path(post) == path

    def render_listings(self, plan: ListingPlan) -> None:
        """Re-render, once, each listing of the plan; the pages around its places from
        shared window reads, as a listing batch renders them (`ListingBatch`)."""
        requests = listing_requests(plan)
        self.render_arounds(
            [around_place(request) for request in requests if is_around_request(request)], set()
        )
        due = Due.NOTHING
        for request in requests:
            if not is_around_request(request):
                due |= self.render_listing(request)
        if due:
            self.write_site_indexes(due)

    def render_listing(self, request: str, *, first_try: bool = False) -> Due:
        """Re-render the listing a listing-queue message names; which of the site's indexes
        are due after it: the file indexes when a month's set of files changed or they were
        asked for, the tags index when a tag's card changed. `first_try`: no earlier try
        at this request can have stopped half way (`write_tag`)."""
        if is_around_request(request):
            self.render_around(around_place(request))
            return Due.NOTHING
        plan = coalesce([request])
        if plan.home:
            self.write_newest()
        for month, since in plan.months.items():
            return Due.FILES if self.write_month(month, since) else Due.NOTHING
        for tag, since in plan.tags.items():
            changed = self.write_tag(tag, since, first_try=first_try)
            return Due.index_of(taxonomy_of(tag)) if changed else Due.NOTHING
        if plan.indexes:
            return Due.FILES
        return Due.MISSING if plan.new_items else Due.NOTHING

    def write_newest(self) -> None:
        """The home page and its older pages, and the feed."""
        config = self.config
        home = home_posts_read(config)
        # The home page itself (with one more: whether its list goes on) and the feed are
        # whole, however many months that takes; the pages after it read a few more.
        needed = max(config.home_size + 1, config.feed_size)

        def read() -> NewestPosts:
            return self.catalog.newest_posts(
                max(home, needed), at_least=needed, more_months=HOME_MORE_MONTHS
            )

        def write(newest: NewestPosts) -> None:
            pages: set[str] = set()
            shown = newest._replace(posts=newest.posts[:home])
            for path, html in render_home_pages(shown, config, self.theme):
                self._put_html(path, html)
                pages.add(page_object_key(path))
            feed = newest.posts[: config.feed_size]
            self.site.put(FEED_KEY, render_feed(feed, config), ATOM_CONTENT_TYPE)
            # Only a site whose posts the pages do not fill can have had more of them.
            if len(pages) < HOME_PAGES:
                self._delete_all_but(pages, self.site.keys(listing_pages_prefix("")))

        _settled(read, write)

    def write_month(self, month: Month, since: str = "") -> bool:
        """A month's archive pages, sitemap files and search shards from place `since` on
        (`""`: all of them); removed when the month is empty. Returns whether the month's
        set of sitemap files and search shards changed, which the site's indexes list."""
        page_size = self.config.list_page_size

        def start_at(older: int, total: int) -> int:
            return min(rewrite_from(older, total, page_size), month_files_start(older))

        changed: list[bool] = []
        _settled(
            lambda: self.catalog.month_tail(month, since, start_at),
            lambda posts: changed.append(self._write_month(month, posts)),
            lambda posts: self.catalog.month_tail(month, _first_place(posts), _from_there),
        )
        return any(changed)

    def _write_month(self, month: Month, posts: ListingTail[PostSummary]) -> bool:
        config = self.config
        self._write_pages(
            archive_path(*month),
            render_archive_pages(*month, posts, config, self.theme),
            posts.total,
        )
        sitemap_keys, shard_keys = month_file_keys(month, posts.total)
        sitemaps, shards = month_file_prefixes(month)
        sitemaps_changed = self._write_files(
            sitemaps, render_month_sitemaps(month, posts, config), sitemap_keys, XML_CONTENT_TYPE
        )
        shards_changed = self._write_files(
            shards, render_search_shards(month, posts, config), shard_keys, JSON_CONTENT_TYPE
        )
        return sitemaps_changed or shards_changed

    def write_tag(self, tag: str, since: str = "", *, first_try: bool = False) -> bool:
        """A tag's pages from place `since` on (`""`: all of them), and its card (the tag
        as its newest post spells it); removed when no post carries it. Returns whether
        the card changed, the tags index with it: the tag appeared, went, or is spelled
        anew.

        On a `first_try` at the change (no earlier try of it stopped half way), the card's
        count of pages is trusted to say the numbered pages are written for that count:
        a change above them all that leaves the count as it is writes the first page
        only."""
        page_size = self.config.list_page_size
        card = tag_card_key(tag)
        before = self.site.get(card)
        card_now = before
        # The pages the tag may have: its card's count, then what this render wrote (None:
        # not known, so listed).
        had = tag_card_pages(before)
        # A numbered page this render wrote from a read the tag has since moved past is
        # written again, whatever the card says; so is one an earlier try may have left.
        rewrite_numbered = not first_try

        def start_at(older: int, total: int) -> int:
            # Numbered pages hold the oldest posts, counted from the oldest and always
            # full: a change above them all leaves them as they are, unless their count
            # changes. The card counts pages written, or being written by a render that
            # counted them before writing them (and is tried again if it stops).
            numbered = numbered_pages(total, page_size)
            unchanged = had == listing_page_count(total, page_size)
            if unchanged and not rewrite_numbered and older >= numbered * page_size:
                return max(0, total - page_size)
            return rewrite_from(older, total, page_size)

        def write(entries: ListingTail[TagEntry]) -> None:
            nonlocal had, card_now, rewrite_numbered
            pages = listing_page_count(entries.total, page_size)
            rewrite_numbered |= entries.start < numbered_pages(entries.total, page_size) * page_size
            body = render_tag_card(tag_name(tag, entries), pages) if entries.total else None
            # The card never counts fewer pages than there are, even if this render stops
            # half way: a count that grows is written before the pages, one that shrinks
            # after the pages beyond it are gone.
            if body is not None and body != card_now and (had is None or pages > had):
                self.site.put(card, body, JSON_CONTENT_TYPE)
                card_now = body
            self._write_pages(
                term_path(tag),
                render_tag_pages(tag, entries, self.config, self.theme),
                entries.total,
                had,
            )
            had = pages
            # Most renders leave the card as it was: a request saved each time.
            if body != card_now:
                if body is None:
                    self.site.delete(card)
                else:
                    self.site.put(card, body, JSON_CONTENT_TYPE)
                card_now = body

        _settled(
            lambda: self.catalog.tag_tail(tag, since, start_at),
            write,
            lambda entries: self.catalog.tag_tail(tag, _first_place(entries), _from_there),
        )
        return _card_name(tag, before) != _card_name(tag, card_now)

    def write_site_indexes(self, due: Due = Due.ALL) -> None:
        """The indexes `due` names (default: all): the sitemap index, the search manifest
        and the archive's index, with the pages the site always has (its own sitemap, the
        not-found page); the tags and categories indexes, each also written with the
        others when it is missing, since the site links to it. `Due.MISSING` writes them
        all if the archive's index is missing: written last, it is there only once the
        others are."""
        if Due.MISSING in due and not self._has_file_indexes():
            due |= Due.FILES
        if Due.FILES in due:
            self.write_fixed_pages()
        for taxonomy in (TAGS, CATEGORIES):
            index = page_object_key(taxonomy.folder)
            if Due.index_of(taxonomy) in due or (
                Due.FILES in due and index not in self.site.keys(index)
            ):
                self.write_terms_index(taxonomy)
        if Due.FILES in due:
            self.write_file_indexes()

    def _has_file_indexes(self) -> bool:
        archive_index = page_object_key(ARCHIVE_INDEX_PATH)
        return archive_index in self.site.keys(archive_index)

    def write_terms_index(self, taxonomy: Taxonomy = TAGS) -> None:
        """`tags/` or `categories/`: each with a card in the site bucket (its listing is
        strongly consistent), named as its card says, up to `MAX_TAGS_INDEXED`. Written
        when a card changes (`write_tag` says when): one appears, goes, or is spelled
        anew."""

        def read() -> tuple[tuple[TagLink, ...], int]:
            keys = self.site.keys(taxonomy.folder)
            tags = [tag for key in keys if (tag := tag_of_card(key, taxonomy))]
            shown = tags[:MAX_TAGS_INDEXED]
            cards = _read_all(self.site, [tag_card_key(tag) for tag in shown])
            links = tuple(read_tag_card(tag, body) for tag, body in zip(shown, cards, strict=True))
            return links, len(tags) - len(shown)

        _settled(
            read,
            lambda found: self._put_html(
                taxonomy.folder,
                render_tags_index(*found, self.config, self.theme, taxonomy),
            ),
        )

    def write_fixed_pages(self) -> None:
        """The files only the site and theme shape: the pages sitemap, the not-found page,
        and the search page with its script; and a redirect to the feed where other
        generators put theirs."""
        for key, (body, content_type) in self._fixed_pages.items():
            self.site.put(key, body, content_type)
        for key in FEED_ELSEWHERE:
            self._put_redirect(key, FEED_KEY)

    def write_file_indexes(self) -> None:
        """The sitemap index, the search manifest and the archive's index, which list the
        month files that are in the site bucket (its listing is strongly consistent): what
        the files are is the bucket's word, whichever renderer wrote them."""

        def read() -> tuple[tuple[str, ...], tuple[str, ...]]:
            return month_files(self.site.keys(SITEMAPS_FOLDER)), month_files(
                self.site.keys(SEARCH_FOLDER)
            )

        def write(files: tuple[tuple[str, ...], tuple[str, ...]]) -> None:
            sitemaps, shards = files
            self.site.put(
                SITEMAP_INDEX_KEY, render_sitemap_index(sitemaps, self.config), XML_CONTENT_TYPE
            )
            self.site.put(SEARCH_MANIFEST_KEY, render_search_manifest(shards), JSON_CONTENT_TYPE)
            # Every month with posts has its sitemap file: the archive's index lists them.
            months = months_of(sitemaps)
            self._put_html(
                ARCHIVE_INDEX_PATH, render_archive_index(months, self.config, self.theme)
            )

        _settled(read, write)

    @cached_property
    def _fixed_pages(self) -> dict[str, tuple[bytes, str]]:
        config, theme = self.config, self.theme
        return {
            PAGES_SITEMAP_KEY: (render_pages_sitemap(config), XML_CONTENT_TYPE),
            NOT_FOUND_KEY: (render_not_found_page(config, theme).encode(), HTML_CONTENT_TYPE),
            page_object_key(SEARCH_PAGE_PATH): (
                render_search_page(config, theme).encode(),
                HTML_CONTENT_TYPE,
            ),
            SEARCH_SCRIPT_KEY: (theme.source("search.js").encode(), JAVASCRIPT_CONTENT_TYPE),
        }

    def plan_rebuild(self) -> RebuildPlan:
        return RebuildPlan(
            post_count=self.catalog.published_count(),
            months=list(self.catalog.months()),
            tags=sorted(self.catalog.tags()),
            asset_count=sum(1 for _ in self.catalog.published_assets()),
        )

    def rebuild(self, plan: RebuildPlan) -> Iterator[str]:
        """Re-render every page from the index, yielding each site path as it is written;
        then remove the pages no one would write now."""
        written = _RecordingSite(self.site)
        service = replace(self, site=written)
        pages: dict[str, PostSummary] = {}
        for post in self._posts_with_pages():
            service.write_post_page(post)
            pages[self.config.page_path(post)] = post
            yield self.config.page_path(post)
        # Settled as a window's pages are: a post deleted, moved or changed since it was
        # read may have had its page written after its own change's renderer removed or
        # rewrote it, and the sweep below keeps what this rebuild wrote.
        posts_now = {post.slug: post for post in self._posts_with_pages()}
        for path, post in pages.items():
            if posts_now.get(post.slug) != post:
                service._settle_page(path, post.slug)
        # Assets are copied again too: one may sit under `posts/` (a page bundle's), which
        # the sweep below would otherwise take for a page no one writes.
        copied: dict[str, AssetSummary | None] = {}
        for asset in self.catalog.published_assets():
            service.copy_asset(asset)
            copied[asset.path] = asset
            yield asset.path

        def mend_assets(assets_now: dict[str, AssetSummary]) -> None:
            # Settled as the pages are: an asset deleted or replaced since it was read.
            for path, asset in copied.items():
                now = assets_now.get(path)
                if now == asset:
                    continue
                if now is None:
                    service.site.delete(path)
                else:
                    service.copy_asset(now)
                copied[path] = now

        _settled(
            lambda: {asset.path: asset for asset in self.catalog.published_assets()},
            mend_assets,
        )
        for month in plan.months:
            service.write_month(month)
            yield archive_path(*month)
        for tag in plan.tags:
            service.write_tag(tag)
            yield term_path(tag)
        service.write_newest()
        service.write_fixed_pages()
        # A rebuild also mends a site whose stream batches were lost (RenderDLQ): a page
        # whose post, month or tag went meanwhile was never removed. The file, tags and
        # categories indexes come after, as they list the month files and cards left in
        # the bucket.
        for prefix in _GENERATED_PREFIXES:
            for key in list(self.site.keys(prefix)):
                if key not in written.written:
                    self.site.delete(key)
        service.write_file_indexes()
        service.write_terms_index(TAGS)
        service.write_terms_index(CATEGORIES)
        yield ""

    def _posts_with_pages(self) -> Iterator[PostSummary]:
        """Every post that has a page: the published, and a preview's drafts (which the
        rebuild's sweep would otherwise take for strays)."""
        yield from self.catalog.published_posts()
        if self.drafts:
            yield from self.catalog.draft_posts()

    def _put_html(self, path: str, html: str) -> None:
        self.site.put(page_object_key(path), html.encode("utf-8"), HTML_CONTENT_TYPE)

    def _put_redirect(self, path: str, target: str) -> None:
        """The page left at an old URL `path`, sending readers to the page at `target`:
        its meta refresh works from any copy of the site, and the target kept with the
        object has CloudFront (and `pressroom local`) answer it with a 301."""
        html = render_redirect_page(target, self.config, self.theme)
        self.site.put(
            page_object_key(path),
            html.encode("utf-8"),
            HTML_CONTENT_TYPE,
            redirect_to=self.config.path(target),
        )

    def _write_pages(
        self,
        listing: str,
        pages: Iterable[tuple[str, str]],
        total: int,
        had: int | None = None,
    ) -> None:
        """Write pages of a paginated listing of `total` posts (site path, HTML), then
        remove the pages it had beyond its last (all of them once it is empty): the first
        `had` pages, or, if that is not known, every page listed under it."""
        for path, html in pages:
            self._put_html(path, html)
        if had is None:
            existing = [page_object_key(listing), *self.site.keys(listing_pages_prefix(listing))]
        else:
            existing = sorted(page_keys(listing, had))
        self._delete_all_but(
            listing_page_keys(listing, total, self.config.list_page_size), existing
        )

    def _write_files(
        self, prefix: str, files: Mapping[str, bytes], kept: set[str], content_type: str
    ) -> bool:
        """Write files of one kind of a month (by key, all under `prefix`), then remove the
        ones it had beyond `kept`, its files now; whether its set of files changed."""
        had = set(self.site.keys(prefix))
        for key, body in files.items():
            self.site.put(key, body, content_type)
        self._delete_all_but(kept, had)
        return had != kept

    def _delete_all_but(self, kept: Collection[str], keys: Iterable[str]) -> None:
        for key in keys:
            if key not in kept:
                self.site.delete(key)


HOME_MORE_MONTHS = 12
"""How many months the home page's older pages read beyond those the home page and the
feed need (`write_newest`): a query a month, so a site of a post or two a month gets
fewer pages rather than a query for each of up to a hundred months."""


LISTING_TIME_RESERVE_MS = 10_000
"""A listing batch starts no listing with less than this left of its invocation (a third of
the renderer's timeout; the largest listing, a tag of 5,000 posts, takes a few seconds):
the rest are asked for again, not left to time out."""


AROUND_RUN_PLACES = 45
"""The most places a listing batch renders the pages around at once: at most three pages
each, well within LISTING_TIME_RESERVE_MS."""


LISTING_TRIES = 4
"""Times a listing is rendered, each failure asking for it again in a message of its own,
before the message that asked last fails: it then comes back whole, with the queue's own
retries, and in the end goes to the dead-letter queue with its reason."""


class ListingBatch:
    """One listing batch: each listing it asks for rendered once, from the earliest place
    any of its messages asks from; the site's indexes once at the end if any listing made
    them due."""

    def __init__(
        self,
        renderer: RendererService,
        queue: ListingQueue,
        remaining_ms: Callable[[], int],
        requests: Iterable[str] = (),
        *,
        retried: bool = False,
    ) -> None:
        self.renderer = renderer
        self.queue = queue
        self.remaining_ms = remaining_ms
        self.earliest = earliest_requests(requests)
        """The batch's requests: each listing's, from the earliest place asked."""
        self.rendered: set[str] = set()
        self.failed: set[str] = set()
        self.deferred: set[str] = set()
        """Listings (by request) left for a later batch."""
        # A listing tells that the indexes are due by comparing its files before and after
        # it writes them. A batch that failed after writing them, before the indexes, left
        # nothing to compare when its messages come back: a batch that holds a message
        # received before writes every index.
        self.indexes_due = Due.ALL if retried else Due.NOTHING
        self.first_try = not retried
        """No message of the batch was received before or holds a listing that failed: none
        of its listings can have been left half written by an earlier try."""
        self.written: list[str] = []
        """The requests rendered, each from the place it was rendered from."""
        self.follow_ups: list[str] = []
        """Requests the batch's site-wide re-render steps ask for."""
        self.around_errors: dict[str, Exception] = {}
        """Why the pages around a place failed (`_render_arounds`), by request: each
        message that asks for it fails with it."""
        self.pages_written: set[str] = set()
        """Slugs whose pages the batch has written, each from the index as it was after
        every message of the batch was sent: once is enough."""
        self.asked_again: dict[str, tuple[int, Exception]] = {}
        """Requests that failed, asked for again at the end: the times they have failed
        (with this one), and why they failed this time."""

    def render_message(self, message: ListingMessage) -> None:
        """Render the listings a message asks for. Those that fail are asked for again
        (`finish`), so the message succeeds and the listings that did not fail are not
        rendered again; unless they have failed LISTING_TRIES times: then the message
        fails."""
        failed: list[tuple[str, Exception]] = []
        for request in message.requests:
            try:
                self.render(request)
            except Exception as error:
                failed.append((self.earliest.get(listing_name(request), request), error))
        if not failed:
            return
        failures = message.failures + 1
        if failures >= LISTING_TRIES:
            first, why = failed[0]
            raise ListingRenderError(
                f"{len(failed)} of the message's {len(message.requests)} listings failed, "
                f"each the {failures}th time it was asked for; {first}: {why}"
            ) from why
        for request, why in failed:
            # The first failure says why; later messages asking for it fail with it.
            before, first_why = self.asked_again.get(request, (0, why))
            self.asked_again[request] = (max(before, failures), first_why)

    def render(self, request: str) -> None:
        """Render the listing one message asks for, unless this batch has already."""
        listing = listing_name(request)
        if listing in self.rendered:
            return
        if listing in self.failed:
            raise ListingRenderError(f"{listing}: failed for another message of this batch")
        request = self.earliest.get(listing, request)
        if request in self.deferred:
            return
        if self.remaining_ms() < LISTING_TIME_RESERVE_MS:
            self.deferred.add(request)
            return
        if is_around_request(request):
            if request not in self.around_errors:
                self._render_arounds()
            if (error := self.around_errors.get(request)) is not None:
                raise error
            return
        try:
            if is_page_request(request):
                self.renderer.render_page_request(request)
                self.pages_written.add(page_request_slug(request))
            elif is_site_pages(request):
                self.follow_ups += self.renderer.render_site_pages(request)
                # Every page shows the settings: the indexes and fixed pages too.
                self.indexes_due |= Due.ALL
            else:
                self.indexes_due |= self.renderer.render_listing(request, first_try=self.first_try)
        except Exception:
            self.failed.add(listing)
            raise
        self.rendered.add(listing)
        self.written.append(request)

    def _render_arounds(self) -> None:
        """The pages around every place the batch asks about (`around:`), in the site's
        order, so that near places share their window reads (`render_arounds`): a run of
        AROUND_RUN_PLACES places at a time, while there is time; the rest are asked for
        again."""
        arounds = sorted(
            (
                request
                for request in self.earliest.values()
                if is_around_request(request)
                and request not in self.rendered
                and request not in self.deferred
                and request not in self.around_errors
            ),
            key=around_place,
        )
        for start in range(0, len(arounds), AROUND_RUN_PLACES):
            if start and self.remaining_ms() < LISTING_TIME_RESERVE_MS:
                self.deferred.update(arounds[start:])
                return
            run = arounds[start : start + AROUND_RUN_PLACES]
            try:
                self.renderer.render_arounds(map(around_place, run), self.pages_written)
                done = run
            except Exception:
                # A run makes a hundred calls or so, each of which may fail: its places are
                # rendered one by one, so that only a place whose own render fails is asked
                # for again, as before places shared their reads.
                done = [request for request in run if self._render_around_alone(request)]
            self.rendered.update(done)
            self.written += done

    def _render_around_alone(self, request: str) -> bool:
        """Render the pages around one place; false, with why kept for its message, if it
        failed."""
        try:
            self.renderer.render_around(around_place(request), self.pages_written)
        except Exception as error:
            self.around_errors[request] = error
            return False
        return True

    def finish(self) -> None:
        """Ask again for what there was no time for, for what failed, and for what the
        batch's re-render steps ask; write the site's indexes if due. If the site's
        settings changed while the batch ran, ask again for each listing it wrote with the
        old ones."""
        if self.indexes_due:
            self.renderer.write_site_indexes(self.indexes_due)
        again = sorted(self.deferred) + self.follow_ups
        if self.renderer.settings_moved() is not None:
            again += [request for request in self.written if not is_site_pages(request)]
            again.append(SITE_INDEXES)
        if again:
            self.queue.request(list(dict.fromkeys(again)))
        failed_again: dict[int, list[str]] = {}
        for request, (failures, _) in self.asked_again.items():
            failed_again.setdefault(failures, []).append(request)
        for failures, requests in sorted(failed_again.items()):
            self.queue.request(requests, failures=failures)


PAGE_TIME_RESERVE_MS = int(RENDER_BUDGET.seconds * 1000) + 2_000
"""A stream batch begins a post's page only with this much of its invocation left: the
worst accepted post's render budget, and two seconds for the batch's end (its listing
requests). So an invocation ends within its timeout whatever its batch holds."""


class StreamBatch:
    """One stream batch's renders, within its invocation's time: the pages there is no time
    for are left to the listing queue (`page:<slug>`), where they are rendered from the
    index as it is then; removals and redirects, which cost a request each, are done."""

    def __init__(self, renderer: RendererService, remaining_ms: Callable[[], int]) -> None:
        self.renderer = renderer
        self.remaining_ms = remaining_ms
        self.deferred: dict[str, None] = {}
        """`page:<slug>` requests, in order."""

    def render(self, change: PostChange | AssetChange | SiteChange | None) -> None:
        if isinstance(change, AssetChange):
            self.renderer.render_asset(change)
        elif isinstance(change, PostChange):
            page_now = self.remaining_ms() >= PAGE_TIME_RESERVE_MS
            if (request := self.renderer.render_post(change, page_now=page_now)) is not None:
                self.deferred[request] = None

    def finish(self, changes: Sequence[PostChange | AssetChange | SiteChange]) -> list[str]:
        """What the batch's changes ask of the listing queue: the pages left over, a
        site-wide re-render for each change of the settings, and their listings. If the
        site's settings moved while the batch ran, its pages are written again with the new
        ones first (at most SETTLE_ATTEMPTS times), so that no page keeps older settings
        than the index's."""
        for _ in range(SETTLE_ATTEMPTS):
            moved = self.renderer.settings_moved()
            if moved is None:
                break
            self.renderer = moved
            for change in changes:
                if isinstance(change, PostChange):
                    self.render(change)
        else:
            raise ListingChurnError("the site's settings kept changing while pages were written")
        posts = [change for change in changes if isinstance(change, PostChange)]
        settings = [
            change
            for change in changes
            if isinstance(change, SiteChange) and change.changes_settings
        ]
        former = self.renderer.former_placing(settings) if settings else None
        # Every page shows the site's settings and its navigation: a change to either
        # renders them all again; the pages sitemap lists the pages.
        site_wide = [
            change
            for change in changes
            if (isinstance(change, SiteChange) and change.changes_settings)
            or (isinstance(change, PostChange) and change.changes_navigation)
        ]
        indexes = [SITE_INDEXES] if any(change.changes_pages for change in posts) else []
        return list(
            dict.fromkeys(
                [
                    *self.deferred,
                    *(
                        site_pages_request(
                            moving_chain(change.chain, former)
                            if isinstance(change, SiteChange)
                            else change.chain
                        )
                        for change in site_wide
                    ),
                    *listing_requests(plan_listings(posts)),
                    *indexes,
                ]
            )
        )


FEED_ELSEWHERE = ("index.xml", "atom.xml", "rss.xml")
"""Where Hugo (`index.xml`) and Zola (`atom.xml`, `rss.xml`) put a site's feed: each
answers with a 301 to `feed.xml`, so that a reader subscribed before the move keeps
receiving the posts."""


_GENERATED_PREFIXES = (
    "posts/",
    TAGS.folder,
    CATEGORIES.folder,
    "archive/",
    SITEMAPS_FOLDER,
    SEARCH_FOLDER,
)
"""Where the renderer writes one object per post, tag, category or month, or per page or
file of a tag's, category's or month's listing."""


class _RecordingSite:
    """A site store that remembers what was written through it."""

    def __init__(self, site: SiteStore) -> None:
        self.site = site
        self.written: set[str] = set()

    def put(
        self, key: str, body: bytes, content_type: str, *, redirect_to: str | None = None
    ) -> None:
        self.site.put(key, body, content_type, redirect_to=redirect_to)
        self.written.add(key)

    def copy(self, source: CopySource, key: str, content_type: str, cache_control: str) -> None:
        self.site.copy(source, key, content_type, cache_control)
        self.written.add(key)

    def delete(self, key: str) -> None:
        self.site.delete(key)
        self.written.discard(key)

    def get(self, key: str) -> bytes | None:
        """Only what was written through it: a rebuild writes every file afresh, so a
        writer that skips a file it finds unchanged (a tag's card) writes it anyway, and
        the sweep after cannot take it for a file no one writes."""
        return self.site.get(key) if key in self.written else None

    def keys(self, prefix: str) -> Iterator[str]:
        return self.site.keys(prefix)


CARD_READERS = SITE_READS_AT_ONCE
"""Cards of the tags index read at once: the index's reads take a few round trips, not one
per tag."""


def _card_name(tag: str, card: bytes | None) -> str | None:
    """What a tags index shows of a tag's card (None: no card): a card whose page count
    alone changed leaves the index as it was."""
    return read_tag_card(tag, card).name if card is not None else None


def _read_all(site: SiteStore, keys: Sequence[str]) -> list[bytes | None]:
    if len(keys) <= 1:
        return [site.get(key) for key in keys]
    with ThreadPoolExecutor(max_workers=CARD_READERS) as readers:
        return list(readers.map(site.get, keys))


_Listed = TypeVar("_Listed")

SETTLE_ATTEMPTS = 5
"""Re-renders of one listing in one invocation before the batch is left to its retries."""


def _settled(
    read: Callable[[], _Listed],
    write: Callable[[_Listed], None],
    read_again: Callable[[_Listed], _Listed] | None = None,
) -> _Listed:
    """Write a listing from committed state, then read that state again, and write again
    until the two reads agree.

    Renderers on other stream shards may write the same listing at the same
    time from another read. Whichever write lands last was followed by a read
    made after every write before it: if that read differs from what was
    written, its writer writes again. So the last write of a listing is
    always made from the index as it was after the last change to it (see
    docs/architecture.md, "Listings under concurrency").

    `read_again(listed)` reads what `listed` was read from, in fewer requests where it
    can (a tail from its first post on, rather than from where it was asked for): what
    it gives equals `listed` exactly when nothing `listed` holds has changed.
    """
    again = read_again or (lambda _: read())
    listed = read()
    for _ in range(SETTLE_ATTEMPTS):
        write(listed)
        if again(listed) == listed:
            return listed
        listed = read()
    raise ListingChurnError(
        f"a listing changed under each of {SETTLE_ATTEMPTS} renders; the batch will be retried"
    )


class _Placed(Protocol):
    """An entry of a listing: its place is its date, then its slug."""

    @property
    def date(self) -> datetime: ...

    @property
    def slug(self) -> str: ...


_Entry = TypeVar("_Entry", bound=_Placed)


def _first_place(tail: ListingTail[_Entry]) -> str:
    """Where a tail read from its first post on starts: that post's place; for an empty
    tail, the listing's start (the whole listing, which was empty)."""
    return order_key(tail.posts[0].date, tail.posts[0].slug) if tail.posts else ""


def _from_there(older: int, _total: int) -> int:
    """A tail that starts where it is read from, with nothing before."""
    return older
