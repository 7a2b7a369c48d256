"""A site's own theme: the templates it provides win, the default theme supplies the rest."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import jinja2
import pytest
from jinja2.utils import _PassArg

from pressroom.config import THEMES, RendererSettings, SiteConfig
from pressroom.exceptions import ConfigurationError
from pressroom.indexing import TagEntry
from pressroom.listings import ListingTail, NewestPosts
from pressroom.models import PostDocument, PostSummary
from pressroom.site import (
    HOME_PAGES,
    TagLink,
    Theme,
    render_archive_index,
    render_archive_pages,
    render_home_pages,
    render_not_found_page,
    render_post_page,
    render_redirect_page,
    render_search_page,
    render_tag_pages,
    render_tags_index,
)
from pressroom.theme_code import FILTERS_PASSED_CONTEXT, compile_themes

SITE = SiteConfig(title="Own", base_url="https://own.example.org/")
ENVIRONMENT = {
    "TABLE_NAME": "t",
    "ARTIFACTS_BUCKET": "a",
    "LISTING_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/listings",
    "SITE_BUCKET": "s",
    "SITE_URL": "https://own.example.org/",
}


def home_page(posts: list[PostSummary], site: SiteConfig, theme: Theme) -> str:
    """The home page itself, the first of its pages."""
    return next(render_home_pages(NewestPosts(posts), site, theme))[1]


def document(**fields: object) -> PostDocument:
    values: dict[str, object] = {
        "source_key": "a.md",
        "slug": "a",
        "title": "{{ 7 * 7 }} <b>",
        "date": datetime(2025, 3, 1, tzinfo=UTC),
        "content_hash": "a" * 64,
        "body_markdown": "Body {{ site.title }}",
        "extra": {"mood": "<sunny>"},
    }
    return PostDocument.model_validate(values | fields)


def test_a_site_theme_overrides_only_the_templates_it_has(tmp_path: Path) -> None:
    (tmp_path / "listing.html").write_text(
        "<!doctype html><title>{{ site.title }}</title><p>{{ posts | length }} posts</p>"
    )
    theme = Theme(tmp_path)
    summary = PostSummary.model_validate(document().summary().model_dump())

    home = home_page([summary], SITE, theme)
    post = render_post_page(document(), SITE, theme)

    assert home == "<!doctype html><title>Own</title><p>1 posts</p>"
    assert '<link rel="canonical" href="https://own.example.org/posts/a/">' in post


def test_front_matter_is_data_never_a_template(tmp_path: Path) -> None:
    (tmp_path / "post.html").write_text("{{ post.title }}|{{ post.extra.mood }}|{{ body_html }}")

    page = render_post_page(document(), SITE, Theme(tmp_path))

    assert page.startswith("{{ 7 * 7 }} &lt;b&gt;|&lt;sunny&gt;|")
    assert "Body {{ site.title }}" in page


def test_the_theme_setting_names_a_folder_under_the_package_themes() -> None:
    assert RendererSettings.from_environment(ENVIRONMENT).theme_dir.name == "default"
    with pytest.raises(ConfigurationError, match="no folder"):
        _ = RendererSettings.from_environment(ENVIRONMENT | {"THEME": "missing"}).theme_dir
    with pytest.raises(ConfigurationError, match="THEME"):
        RendererSettings.from_environment(ENVIRONMENT | {"THEME": "../etc"})


def entry_markup(page: str, slug: str) -> str:
    start = page.index("  <li>", page.index(f"/posts/{slug}/") - 200)
    return page[start : page.index("</li>", start) + len("</li>")]


def test_a_post_is_listed_the_same_on_the_home_page_its_archive_and_its_tags() -> None:
    theme = Theme()
    summary = document(title="A & B", description="<why>", tags=("php",)).summary()
    tagged = TagEntry(
        tag="php", slug="a", title="A & B", date=summary.date, description="<why>", tags=("php",)
    )

    home = home_page([summary], SITE, theme)
    [(_, archive)] = render_archive_pages(2025, 3, ListingTail(0, (summary,)), SITE, theme)
    [(_, tag)] = render_tag_pages("php", ListingTail(0, (tagged,)), SITE, theme)

    entry = entry_markup(home, "a")
    assert entry == entry_markup(archive, "a") == entry_markup(tag, "a")
    assert '<a href="/posts/a/">A &amp; B</a>' in entry
    assert '<p class="summary">&lt;why&gt;</p>' in entry
    assert '<a href="/tags/php/" rel="tag">php</a>' in entry


def test_a_changed_post_is_listed_as_it_is_now() -> None:
    theme = Theme()
    before = document(title="Before").summary()
    after = document(title="After").summary()

    home_page([before], SITE, theme)
    home = home_page([after], SITE, theme)

    assert ">After</a>" in home
    assert "Before" not in home


def test_a_site_theme_can_change_the_entry_of_every_list(tmp_path: Path) -> None:
    (tmp_path / "_listing_entry.html").write_text("<li>{{ site.title }}: {{ post.title }}</li>")
    theme = Theme(tmp_path)
    summary = document(title="Post").summary()
    other_site = SITE.model_copy(update={"title": "Other"})

    own = home_page([summary], SITE, theme)
    other = home_page([summary], other_site, theme)

    assert "<li>Own: Post</li>" in own
    assert "<li>Other: Post</li>" in other


def test_the_entry_sees_only_what_every_list_knows_of_a_post(tmp_path: Path) -> None:
    # Tag pages list tag items, which keep no image: an entry may not depend on one.
    (tmp_path / "_listing_entry.html").write_text("<li>{{ post.image }}</li>")
    summary = document(image="https://own.example.org/a.jpg").summary()

    with pytest.raises(jinja2.UndefinedError):
        home_page([summary], SITE, Theme(tmp_path))


def test_the_home_pages_go_on_in_the_archive_of_the_newest_post_they_have_no_room_for() -> None:
    site = SiteConfig(title="Own", base_url="https://own.example.org/", home_size=2)
    newest = [
        document(slug=f"m{month}", title=f"m{month}", date=datetime(2025, month, 1, tzinfo=UTC))
        for month in range(12, 0, -1)
    ]
    summaries = [post.summary() for post in newest]

    full = dict(render_home_pages(NewestPosts(summaries[: HOME_PAGES * 2 + 1]), site, Theme()))
    whole = dict(render_home_pages(NewestPosts(summaries[: HOME_PAGES * 2]), site, Theme()))
    cut = dict(render_home_pages(NewestPosts(summaries[:3], cut_short=True), site, Theme()))

    assert list(full) == ["", "page/2/", "page/3/", "page/4/", "page/5/"]
    assert '<a href="/page/2/" rel="next">Older posts</a>' in full[""]
    assert '<a href="/" rel="prev">Newer posts</a>' in full["page/2/"]
    assert "<title>Page 2 · Own</title>" in full["page/2/"]
    last = full["page/5/"]
    assert '<a href="/page/4/" rel="prev">Newer posts</a>' in last
    assert 'href="/posts/m4/"' in last and 'href="/posts/m2/"' not in last
    assert '<a href="/archive/2025/02/" rel="next">Older posts, from February 2025</a>' in last
    assert list(whole) == list(full)
    assert '" rel="next"' not in whole["page/5/"]
    # A read cut short by the months it might read goes on in the archive's months.
    assert list(cut) == ["", "page/2/"]
    assert '<a href="/archive/" rel="next">Older posts, month by month</a>' in cut["page/2/"]


def every_page(theme: Theme) -> list[str]:
    """A page of each template the renderer renders, of a few posts."""
    posts = [
        document(slug=f"p{day}", title=f"Post {day} <i>", date=datetime(2025, 3, day, tzinfo=UTC))
        for day in range(1, 4)
    ]
    summaries = [post.summary() for post in posts]
    entries = [
        TagEntry(tag="php", slug=post.slug, title=post.title, date=post.date, tags=("php",))
        for post in summaries
    ]
    return [
        render_post_page(posts[1], SITE, theme),
        *(html for _, html in render_home_pages(NewestPosts(summaries), SITE, theme)),
        *(html for _, html in render_tag_pages("php", ListingTail(0, tuple(entries)), SITE, theme)),
        *(
            html
            for _, html in render_archive_pages(
                2025, 3, ListingTail(0, tuple(summaries)), SITE, theme
            )
        ),
        render_archive_index([(2025, 3)], SITE, theme),
        render_tags_index([TagLink("php", "tags/php/")], 0, SITE, theme),
        render_search_page(SITE, theme),
        render_not_found_page(SITE, theme),
        render_redirect_page("/posts/p1/", SITE, theme),
        theme.source("search.js"),
    ]


def test_themes_compiled_ahead_render_what_their_templates_render(tmp_path: Path) -> None:
    """The layer ships each theme's templates compiled (`theme_code`, run by shared/Makefile);
    a site's own theme is compiled over the default's."""
    themes = tmp_path / "themes"
    shutil.copytree(THEMES, themes, ignore=shutil.ignore_patterns("_compiled"))
    (themes / "own").mkdir()
    (themes / "own" / "listing.html").write_text(
        "<!doctype html><title>{{ site.title }}</title>{{ posts | length }} posts"
    )

    from_sources = {name: every_page(Theme(themes / name)) for name in ("default", "own")}

    compiled = compile_themes(themes)

    assert [folder.name for folder in compiled] == ["default", "own"]
    for name, pages in from_sources.items():
        ahead = Theme(themes / name)
        assert isinstance(ahead.environment.loader, jinja2.ModuleLoader)
        assert every_page(ahead) == pages
    assert "0 posts" not in from_sources["own"][1] and "3 posts" in from_sources["own"][1]


def test_the_compiling_environment_passes_each_filter_what_the_renderers_is_passed() -> None:
    filters = Theme().environment.filters
    passed = {name: _PassArg.from_obj(filters[name]) is not None for name in FILTERS_PASSED_CONTEXT}

    assert passed == FILTERS_PASSED_CONTEXT
