"""Where a post is published: its own URL kept (`permalink`, `url`), its old URLs
(`aliases`, `redirect_from`), pages (`layout: page`, `pages/`), page bundles, and
relative links and images pointed at the files beside its source (issue 17)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pressroom.bodies import rebase_relative_links
from pressroom.config import SiteConfig
from pressroom.indexing import PostRecord
from pressroom.limits import DEFAULT_LIMITS
from pressroom.listings import PostChange, plan_listings
from pressroom.models import PostDocument
from pressroom.slugs import claimed_slug, page_path
from pressroom.validation import validate_post

NOW = datetime(2026, 12, 2, tzinfo=UTC)
SITE = SiteConfig(base_url="https://notes.example.org/")


def document(front_matter: str, key: str = "_posts/2021-01-14-night-trains.md") -> PostDocument:
    raw = f"---\ntitle: Night trains\n{front_matter}\n---\nThe sleeper left at ten.\n"
    outcome = validate_post(raw.encode(), key, first_seen=NOW)
    assert outcome.document is not None, outcome.errors
    return outcome.document


def errors(front_matter: str, key: str = "_posts/2021-01-14-night-trains.md") -> list[str]:
    raw = f"---\ntitle: Night trains\n{front_matter}\n---\nBody.\n"
    outcome = validate_post(raw.encode(), key, first_seen=NOW)
    assert outcome.document is None
    return [issue.describe(key) for issue in outcome.errors]


@pytest.mark.parametrize(
    ("written", "path"),
    [
        ("/2021/01/14/night-trains.html", "2021/01/14/night-trains.html"),
        ("/2021/01/14/night-trains/", "2021/01/14/night-trains/"),
        ("/about", "about/"),
        ("about/", "about/"),
        ("git-clean-up.html", "git-clean-up.html"),
        ("/notes/trains/index.html", "notes/trains/index.html"),
        ("/blog/~ana/post_1.htm", "blog/~ana/post_1.htm"),
    ],
)
def test_a_url_is_kept_whole_as_a_site_path(written: str, path: str) -> None:
    assert page_path(written) == path


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("https://elsewhere.example/x/", "another site"),
        ("//elsewhere.example/x/", "another site"),
        ("/a/../b/", "leave the site"),
        ("/tags/trains/", "own listings"),
        ("/archive/2021/", "own listings"),
        ("/feed.xml", "own listings"),
        ("/", "home page"),
        ("/Blog/Night-Trains/", "lower-case"),
        ("/night trains/", "lower-case"),
        ("/x?page=2", "lower-case"),
        ("/a//b/", "lower-case"),
        ("/" + "x" * 250 + "/", "over 200 bytes"),
    ],
)
def test_a_url_that_cannot_be_a_page_is_refused_with_why(written: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        page_path(written)


def test_a_path_claims_its_last_segment_so_one_url_is_one_slug() -> None:
    assert claimed_slug("2021/01/14/night-trains.html") == "night-trains"
    assert claimed_slug("notes/trains/index.html") == "trains"
    assert claimed_slug("about/") == "about"
    assert claimed_slug("blog/~ana/") == "ana"


def test_a_permalink_is_the_posts_url_and_its_last_segment_its_slug() -> None:
    post = document("permalink: /2021/01/14/night-trains.html")

    assert (post.slug, post.page_path, post.kind) == (
        "night-trains",
        "2021/01/14/night-trains.html",
        "post",
    )
    assert post.permalink == "/2021/01/14/night-trains.html"
    assert document("url: /travel/sleepers").page_path == "travel/sleepers/"


def test_a_permalink_where_the_slug_would_put_it_stays_there_whatever_the_sites_style() -> None:
    post = document("permalink: /posts/sleepers/")

    assert (post.slug, post.page_path) == ("sleepers", "posts/sleepers/")
    assert SiteConfig(permalink="pretty").page_path(post) == "posts/sleepers/"


@pytest.mark.parametrize(
    ("style", "path"),
    [
        ("date", "europe/rail/2021/01/14/night-trains.html"),
        ("pretty", "europe/rail/2021/01/14/night-trains/"),
        ("ordinal", "europe/rail/2021/014/night-trains.html"),
        ("none", "europe/rail/night-trains.html"),
        ("/:year/:month/:slug/", "2021/01/night-trains/"),
        ("/:section/:title", "posts/night-trains/"),
        ("/blog/:short_year/:i_month/:i_day/:filename.html", "blog/21/1/14/night-trains.html"),
        # Upper-case segments are no page path here: the post stays where links lead.
        ("weekdate", "posts/night-trains/"),
    ],
)
def test_the_sites_url_style_places_a_post_without_a_url_of_its_own(style: str, path: str) -> None:
    post = document("categories: [Europe, Rail]\ndate: 2021-01-14 08:00:00 +01:00")

    assert SiteConfig(permalink=style).page_path(post) == path


def test_a_styled_url_has_the_day_the_site_shows_and_no_empty_folder() -> None:
    late = document("date: 2021-01-14 23:30:00 +00:00")

    assert SiteConfig(permalink="date").page_path(late) == "2021/01/14/night-trains.html"
    tokyo = SiteConfig(permalink="date", timezone="Asia/Tokyo")
    assert tokyo.page_path(late) == "2021/01/15/night-trains.html"
    assert tokyo.redirects(late) == ("posts/night-trains/",)
    assert SiteConfig().redirects(late) == ()


def test_a_style_that_would_put_a_post_among_the_listings_leaves_it_at_posts() -> None:
    post = document("categories: [Tags]")

    assert SiteConfig(permalink="/:categories/:title/").page_path(post) == "posts/night-trains/"
    assert SiteConfig(permalink="/:title.html").page_path(document("slug: index")) == (
        "posts/index/"
    )


def test_a_bad_permalink_or_alias_is_refused_naming_the_field() -> None:
    assert errors("permalink: /tags/trains/") == [
        "_posts/2021-01-14-night-trains.md:3: permalink: '/tags/trains/' is where Pressroom "
        "writes its own listings"
    ]
    [alias] = errors("redirect_from: [/ok/, 'https://elsewhere.example/']")
    assert alias.startswith("_posts/2021-01-14-night-trains.md:3: redirect_from: ")
    [many] = errors("aliases: [" + ", ".join(f"/old-{n}/" for n in range(30)) + "]")
    assert f"at most {DEFAULT_LIMITS.max_aliases}" in many


def test_aliases_and_redirect_from_are_old_urls_once_each() -> None:
    post = document(
        "permalink: /2021/01/14/night-trains.html\n"
        "aliases: [/trains/, /old/night-trains.html]\n"
        "redirect_from: /trains\n"
        "url_kept: no"
    )

    assert post.aliases == ("trains/", "old/night-trains.html")
    assert document("redirect_from: /posts/night-trains/").aliases == ()


@pytest.mark.parametrize(
    ("front_matter", "key"),
    [
        ("layout: page", "about.md"),
        ("type: page", "about.md"),
        ("", "pages/about.md"),
    ],
)
def test_a_page_is_published_at_its_slug_and_listed_nowhere(front_matter: str, key: str) -> None:
    page = document(front_matter, key=key)

    assert (page.kind, page.page_path) == ("page", "about/")
    assert page.warnings == (), "a page is in no list by date: it needs none"
    record = PostRecord(slug=page.slug, status="published", post=page.summary())
    plan = plan_listings([PostChange(old=record, new=record.model_copy(update={"post": page}))])
    assert (plan.home, dict(plan.months), dict(plan.tags)) == (False, {}, {})


@pytest.mark.parametrize(
    "key", ["archive.md", "tags.md", "categories.md", "search.md", "pages/page.md", "sitemaps.md"]
)
def test_a_page_whose_url_is_one_of_pressrooms_own_listings_is_refused(key: str) -> None:
    """Jekyll blogs have an `archive.md` or a `tags.md` page looping over their posts in
    Liquid: at `/archive/` it would overwrite Pressroom's own archive, or be overwritten or
    trimmed by it."""
    slug = key.removeprefix("pages/").removesuffix(".md")

    (problem,) = errors("layout: page", key=key)

    assert f"/{slug}/, where Pressroom writes its own listings" in problem
    assert "slug:" in problem and "permalink:" in problem
    assert document(f"layout: page\nslug: {slug}-by-hand", key=key).page_path == (
        f"{slug}-by-hand/"
    )


def test_jekylls_home_page_file_is_told_it_is_not_needed() -> None:
    (layout,) = errors("layout: home", key="index.md")

    assert "unknown layout 'home'" in layout
    assert "the home page is Pressroom's own: this file is not needed" in layout


@pytest.mark.parametrize(
    ("key", "kind", "path"),
    [
        # Hugo places a file of content/ by its folders there, its section.
        ("content/posts/night-trains.md", "post", "posts/night-trains/"),
        ("content/post/night-trains.md", "post", "post/night-trains/"),
        ("content/blog/night-trains.md", "post", "blog/night-trains/"),
        ("content/blog/2021/night-trains/index.md", "post", "blog/2021/night-trains/"),
        ("content/Travel Notes/night-trains.md", "post", "travel-notes/night-trains/"),
        ("content/about.md", "page", "about/"),
        ("content/contact/index.md", "page", "contact/"),
        ("posts/night-trains.md", "post", "posts/night-trains/"),
    ],
)
def test_a_post_of_a_hugo_section_keeps_the_url_hugo_gave_it(
    key: str, kind: str, path: str
) -> None:
    post = document("", key=key)

    assert (post.kind, SITE.page_path(post)) == (kind, path)
    # Links made from its file name (`ref`, `post_url`) still find it.
    if path != "posts/night-trains/" and kind == "post":
        assert SITE.redirects(post) == ("posts/night-trains/",)


def test_a_hugo_sections_posts_take_the_sites_style_with_their_section() -> None:
    post = document("date: 2021-01-14", key="content/blog/night-trains.md")

    assert SiteConfig(permalink="/:section/:year/:slug/").page_path(post) == (
        "blog/2021/night-trains/"
    )
    assert SiteConfig(permalink="/:year/:slug/").page_path(post) == "2021/night-trains/"
    nested = document("date: 2021-01-14", key="content/blog/2021/night-trains.md")
    assert SiteConfig(permalink="/:section/:slug/").page_path(nested) == "blog/night-trains/"


def test_a_post_in_a_hugo_section_where_pressroom_writes_listings_is_refused() -> None:
    (problem,) = errors("", key="content/tags/night-trains.md")

    assert "/tags/night-trains/" in problem and "content/posts/" in problem


@pytest.mark.parametrize(
    ("front_matter", "path"),
    [
        ("permalink: /blog/:year/:title/", "blog/2021/night-trains/"),
        (
            "permalink: /:categories/:title.html\ncategories: [Rail Trips]",
            "rail-trips/night-trains.html",
        ),
        ("permalink: /:year/:month/:day/:slug\nslug: sleepers", "2021/01/14/sleepers/"),
    ],
)
def test_a_posts_own_permalink_may_hold_jekylls_placeholders(front_matter: str, path: str) -> None:
    post = document(front_matter)

    assert post.page_path == path
    assert post.permalink is not None and ":" in post.permalink, "kept as written"


def test_a_posts_own_permalink_with_placeholders_and_a_date_it_cannot_read_is_refused() -> None:
    problems = errors("permalink: /:year/:title/\ndate: the fourteenth")

    assert [problem for problem in problems if "date:" in problem]


def test_a_posts_own_permalink_with_a_placeholder_pressroom_does_not_know_is_refused() -> None:
    (problem,) = errors("permalink: /:author/:title/")

    assert "placeholders Pressroom does not know: author" in problem


def test_the_folders_above_a_jekyll_posts_folder_are_its_posts_first_categories() -> None:
    key = "travel/europe/_posts/2021-01-14-night-trains.md"
    post = document("", key=key)

    assert post.categories == ("travel", "europe")
    assert SiteConfig(permalink="date").page_path(post) == (
        "travel/europe/2021/01/14/night-trains.html"
    )
    assert document("categories: [Rail, travel]", key=key).categories == (
        "travel",
        "europe",
        "Rail",
    )
    assert document("", key="_posts/2021-01-14-night-trains.md").categories == ()


def test_a_page_keeps_its_permalink() -> None:
    assert document("layout: page\npermalink: /about-me.html", key="about.md").page_path == (
        "about-me.html"
    )


def test_a_page_bundle_is_named_by_its_folder() -> None:
    post = document("", key="content/posts/2024-05-night-trains/index.md")

    assert (post.slug, post.page_path) == ("2024-05-night-trains", "posts/2024-05-night-trains/")
    assert document("", key="posts/sleepers/index.markdown").slug == "sleepers"


@pytest.mark.parametrize(
    ("source_key", "written", "linked"),
    [
        ("_posts/2021-01-14-x.md", "cat.png", "/_posts/cat.png"),
        ("posts/night-trains/index.md", "carriage.jpg", "/posts/night-trains/carriage.jpg"),
        ("posts/night-trains/index.md", "./maps/route.svg", "/posts/night-trains/maps/route.svg"),
        ("content/posts/x.md", "../../static/img/map.png", "/img/map.png"),
        # Hugo's content/ is dropped, as from its URLs: a bundle's files are beside its page.
        ("content/posts/walk/index.md", "cliffs.png", "/posts/walk/cliffs.png"),
        ("content/posts/walk/index.md", "../harbour-towns/", "/posts/harbour-towns/"),
        ("x.md", "notes.pdf", "/notes.pdf"),
        ("posts/x.md", "/assets/img/cat.png", "/assets/img/cat.png"),
        ("posts/x.md", "https://example.org/cat.png", "https://example.org/cat.png"),
        ("posts/x.md", "#fn-1", "#fn-1"),
        ("posts/x.md", "mailto:ana@example.org", "mailto:ana@example.org"),
        ("posts/x.md", "?page=2", "?page=2"),
    ],
)
def test_relative_links_and_images_point_at_the_files_beside_the_source(
    source_key: str, written: str, linked: str
) -> None:
    html = f'<p><img src="{written}" alt="x"> <a href="{written}">x</a></p>'

    rebased = rebase_relative_links(html, source_key)

    assert rebased == f'<p><img src="{linked}" alt="x"> <a href="{linked}">x</a></p>'


@pytest.mark.parametrize(
    ("front_matter", "floats"),
    [
        ("", True),  # the file name's date
        ("date: 2021-01-14", True),
        ("date: 2021-01-14 09:30", True),
        ("date: Jan 14 2021", True),
        ("date: 2021-01-14T09:30:00+01:00", False),
        ("date: 2021-01-14T09:30:00Z", False),
        ("date: 1610616600", False),
    ],
)
def test_a_date_written_without_a_zone_is_a_time_in_the_sites_zone(
    front_matter: str, floats: bool
) -> None:
    post = document(front_matter)
    new_york = SiteConfig(timezone="America/New_York")

    assert post.date_floats is floats
    moved = new_york.when(post) != post.date
    assert moved is floats
    assert SiteConfig().when(post) == post.date, "without a time zone, as written in UTC"
    if floats:
        assert new_york.show_date(new_york.when(post)) == "14 January 2021"
