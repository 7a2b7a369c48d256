"""The feed, sitemaps and search index, parsed back the way their readers parse them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from pressroom.config import SiteConfig
from pressroom.listings import ListingTail, chunks
from pressroom.models import PostSummary, format_instant
from pressroom.syndication import (
    SEARCH_RECORDS_PER_SHARD,
    SITEMAP_URLS_PER_FILE,
    month_file_keys,
    month_file_prefixes,
    month_files,
    month_files_start,
    render_feed,
    render_month_sitemap,
    render_month_sitemaps,
    render_search_manifest,
    render_search_shard,
    render_search_shards,
    render_sitemap_index,
)

SITE = SiteConfig(title="News & Views", base_url="https://news.example.org/")
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def post(slug: str, day: int, **fields: object) -> PostSummary:
    return PostSummary(
        source_key=f"{slug}.md",
        slug=slug,
        title=f"<{slug}> & more",
        date=datetime(2025, 3, day, 9, 30, tzinfo=UTC),
        content_hash="a" * 64,
        **fields,  # type: ignore[arg-type]
    )


def test_the_feed_lists_posts_with_absolute_links_and_escaped_titles() -> None:
    posts = [post("b", 2, tags=("php",), description="Second"), post("a", 1)]

    feed = ET.fromstring(render_feed(posts, SITE))

    assert feed.findtext(f"{ATOM}title") == "News & Views"
    assert feed.findtext(f"{ATOM}updated") == "2025-03-02T09:30:00Z"
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["<b> & more", "<a> & more"]
    assert entries[0].findtext(f"{ATOM}id") == "https://news.example.org/posts/b/"
    assert entries[0].find(f"{ATOM}link").get("href") == "https://news.example.org/posts/b/"  # type: ignore[union-attr]
    assert entries[0].findtext(f"{ATOM}summary") == "Second"
    assert entries[0].find(f"{ATOM}category").get("term") == "php"  # type: ignore[union-attr]


def test_an_updated_post_carries_its_update_time() -> None:
    updated = post("a", 1, updated=datetime(2025, 4, 1, tzinfo=UTC))

    entry = ET.fromstring(render_feed([updated], SITE)).find(f"{ATOM}entry")

    assert entry is not None
    assert entry.findtext(f"{ATOM}published") == "2025-03-01T09:30:00Z"
    assert entry.findtext(f"{ATOM}updated") == "2025-04-01T00:00:00Z"


def test_the_sitemap_index_points_at_the_pages_sitemap_and_each_month() -> None:
    index = ET.fromstring(
        render_sitemap_index(["sitemaps/2025-03.xml", "sitemaps/2024-12.xml"], SITE)
    )

    assert [loc.text for loc in index.iter(f"{SITEMAP}loc")] == [
        "https://news.example.org/sitemaps/pages.xml",
        "https://news.example.org/sitemaps/2025-03.xml",
        "https://news.example.org/sitemaps/2024-12.xml",
    ]


def test_a_month_sitemap_lists_each_post_url() -> None:
    urlset = ET.fromstring(render_month_sitemap([post("b", 2), post("a", 1)], SITE))

    assert [loc.text for loc in urlset.iter(f"{SITEMAP}loc")] == [
        "https://news.example.org/posts/b/",
        "https://news.example.org/posts/a/",
    ]
    assert next(mod.text for mod in urlset.iter(f"{SITEMAP}lastmod")) == "2025-03-02T09:30:00Z"


def test_the_search_index_is_a_manifest_of_monthly_shards() -> None:
    manifest = json.loads(render_search_manifest(["search/2025-03.json"]))
    shard = json.loads(render_search_shard([post("a", 1, tags=("php",))], SITE))

    assert manifest == {"shards": ["search/2025-03.json"]}
    assert shard == [
        {
            "title": "<a> & more",
            "url": "/posts/a/",
            "date": "2025-03-01T09:30:00Z",
            "tags": ["php"],
            "description": None,
        }
    ]


def many(count: int, start: int = 0) -> ListingTail[PostSummary]:
    """A month's posts from place `start` on, oldest first."""
    return ListingTail(start, tuple(post(f"p{number}", 1) for number in range(start, count)))


def test_a_month_sitemap_is_split_into_files_of_a_fixed_size_counted_from_the_oldest() -> None:
    posts = many(2 * SITEMAP_URLS_PER_FILE + 1)

    files = render_month_sitemaps((2025, 3), posts, SITE)

    assert list(files) == [
        "sitemaps/2025-03.xml",
        "sitemaps/2025-03-2.xml",
        "sitemaps/2025-03-3.xml",
    ]
    locs = [
        loc.text for body in files.values() for loc in ET.fromstring(body).iter(f"{SITEMAP}loc")
    ]
    parts = chunks(posts.posts, SITEMAP_URLS_PER_FILE)
    assert locs == [
        f"https://news.example.org/posts/{p.slug}/" for part in parts for p in part[::-1]
    ]
    assert len(ET.fromstring(files["sitemaps/2025-03.xml"])) == SITEMAP_URLS_PER_FILE
    assert month_file_keys((2025, 3), posts.total)[0] == set(files)


def test_a_months_search_index_is_split_into_shards_of_a_fixed_size() -> None:
    posts = many(SEARCH_RECORDS_PER_SHARD + 1)

    shards = render_search_shards((2025, 3), posts, SITE)

    assert list(shards) == ["search/2025-03.json", "search/2025-03-2.json"]
    assert [len(json.loads(body)) for body in shards.values()] == [SEARCH_RECORDS_PER_SHARD, 1]
    assert month_file_keys((2025, 3), posts.total)[1] == set(shards)


def test_only_the_files_that_start_inside_a_tail_are_rendered() -> None:
    posts = many(SEARCH_RECORDS_PER_SHARD * 2 + 1, start=SEARCH_RECORDS_PER_SHARD - 1)

    assert list(render_search_shards((2025, 3), posts, SITE)) == [
        "search/2025-03-2.json",
        "search/2025-03-3.json",
    ]
    assert list(render_month_sitemaps((2025, 3), posts, SITE)) == ["sitemaps/2025-03-2.xml"]
    # From the start of the earlier of the two files that hold place 1,501.
    assert month_files_start(1_501) == min(1_501 // size * size for size in (1_000, 500)) == 1_000


def test_an_empty_month_has_no_files() -> None:
    assert render_month_sitemaps((2025, 3), many(0), SITE) == {}
    assert render_search_shards((2025, 3), many(0), SITE) == {}
    assert month_file_keys((2025, 3), 0) == (set(), set())


def test_a_months_files_all_start_with_its_prefixes_and_no_other_months_do() -> None:
    sitemaps, shards = month_file_prefixes((2025, 3))
    files = [*render_month_sitemaps((2025, 3), many(1001), SITE)]
    files += render_search_shards((2025, 3), many(501), SITE)
    others = [*render_month_sitemaps((2025, 12), many(1), SITE), "sitemaps/pages.xml"]

    assert all(key.startswith((sitemaps, shards)) for key in files)
    assert not [key for key in others if key.startswith((sitemaps, shards))]


def test_the_month_files_are_listed_newest_month_first_and_newest_part_first() -> None:
    # As S3 lists them: in the keys' byte order.
    listed = sorted(
        [
            "sitemaps/2024-12.xml",
            "sitemaps/2025-03-10.xml",
            "sitemaps/2025-03-2.xml",
            "sitemaps/2025-03.xml",
            "sitemaps/pages.xml",
            "sitemaps/2025-03-1.xml",
            "sitemaps/2025-04.json",
            "search/2025-03.json",
            "search/2025-03-2.json",
            "search/index.html",
        ]
    )

    assert month_files(listed) == (
        "search/2025-03-2.json",
        "search/2025-03.json",
        "sitemaps/2025-03-10.xml",
        "sitemaps/2025-03-2.xml",
        "sitemaps/2025-03.xml",
        "sitemaps/2024-12.xml",
    )


# ElementTree builds the same documents slower: the files must stay byte for byte what
# it writes, for any text, including posts that change under a slug already rendered.


def elementtree_feed(posts: list[PostSummary], site: SiteConfig) -> bytes:
    ET.register_namespace("", ATOM[1:-1])
    feed = ET.Element(f"{ATOM}feed", {"{http://www.w3.org/XML/1998/namespace}lang": site.language})
    ET.SubElement(feed, f"{ATOM}title").text = site.title
    if site.description:
        ET.SubElement(feed, f"{ATOM}subtitle").text = site.description
    ET.SubElement(feed, f"{ATOM}id").text = site.url("")
    home, self_link = site.url(""), site.url("feed.xml")
    ET.SubElement(feed, f"{ATOM}link", {"href": home, "rel": "alternate", "type": "text/html"})
    ET.SubElement(
        feed, f"{ATOM}link", {"href": self_link, "rel": "self", "type": "application/atom+xml"}
    )
    newest = max((changed(post) for post in posts), default=datetime(1970, 1, 1, tzinfo=UTC))
    ET.SubElement(feed, f"{ATOM}updated").text = format_instant(newest)
    ET.SubElement(ET.SubElement(feed, f"{ATOM}author"), f"{ATOM}name").text = site.title
    ET.SubElement(feed, f"{ATOM}generator").text = "Pressroom"
    for post in posts:
        url = site.url(f"posts/{post.slug}/")
        entry = ET.SubElement(feed, f"{ATOM}entry")
        ET.SubElement(entry, f"{ATOM}title").text = post.title
        ET.SubElement(entry, f"{ATOM}link", {"href": url, "rel": "alternate", "type": "text/html"})
        ET.SubElement(entry, f"{ATOM}id").text = url
        ET.SubElement(entry, f"{ATOM}published").text = format_instant(post.date)
        ET.SubElement(entry, f"{ATOM}updated").text = format_instant(changed(post))
        if post.description:
            ET.SubElement(entry, f"{ATOM}summary").text = post.description
        # Atom's one kind of category: the post's categories, then its tags, each once.
        for term in dict.fromkeys((*post.categories, *post.tags)):
            ET.SubElement(entry, f"{ATOM}category", {"term": term})
    return elementtree_document(feed)


def elementtree_urlset(posts: list[PostSummary], site: SiteConfig) -> bytes:
    ET.register_namespace("", SITEMAP[1:-1])
    urlset = ET.Element(f"{SITEMAP}urlset")
    for post in posts:
        url = ET.SubElement(urlset, f"{SITEMAP}url")
        ET.SubElement(url, f"{SITEMAP}loc").text = site.url(f"posts/{post.slug}/")
        ET.SubElement(url, f"{SITEMAP}lastmod").text = format_instant(changed(post))
    return elementtree_document(urlset)


def elementtree_document(root: ET.Element) -> bytes:
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def changed(post: PostSummary) -> datetime:
    return max(post.date, post.updated) if post.updated else post.date


TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
INSTANTS = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
).map(lambda instant: instant.replace(microsecond=0))
POSTS = st.builds(
    PostSummary,
    source_key=st.just("a.md"),
    slug=st.sampled_from(["a", "b", "c"]),
    title=TEXT,
    description=st.none() | TEXT,
    date=INSTANTS,
    updated=st.none() | INSTANTS,
    tags=st.lists(TEXT, max_size=3).map(tuple),
    content_hash=st.just("a" * 64),
)
SITES = st.builds(
    SiteConfig,
    title=TEXT,
    description=st.none() | TEXT,
    language=TEXT,
    base_url=st.sampled_from(["https://news.example.org/", "http://127.0.0.1:8000/a&b/"]),
)


@settings(max_examples=300, deadline=None)
@given(batches=st.lists(st.lists(POSTS, max_size=4), min_size=1, max_size=4), site=SITES)
def test_the_feed_and_sitemaps_are_what_elementtree_writes(
    batches: list[list[PostSummary]], site: SiteConfig
) -> None:
    for posts in batches:
        assert render_feed(posts, site) == elementtree_feed(posts, site)
        if posts:
            assert render_month_sitemap(posts, site) == elementtree_urlset(posts, site)


@settings(max_examples=200, deadline=None)
@given(batches=st.lists(st.lists(POSTS, max_size=4), min_size=1, max_size=4), site=SITES)
def test_a_search_shard_is_the_json_of_its_records(
    batches: list[list[PostSummary]], site: SiteConfig
) -> None:
    for posts in batches:
        records = [
            {
                "title": post.title,
                "url": f"/posts/{post.slug}/",
                "date": format_instant(post.date),
                "tags": list(post.tags),
                "description": post.description,
            }
            for post in posts
        ]
        expected = json.dumps(records, ensure_ascii=False, separators=(",", ":")).encode()
        assert render_search_shard(posts, site) == expected


def test_the_site_indexes_follow_the_month_files() -> None:
    sitemaps = ["sitemaps/2025-03.xml", "sitemaps/2024-12.xml"]

    first = render_sitemap_index(sitemaps, SITE)
    grown = render_sitemap_index(["sitemaps/2025-04.xml", *sitemaps], SITE)

    assert render_sitemap_index(sitemaps, SITE) == first
    assert b"2025-04.xml" in grown
    assert b"2025-04.xml" not in first
    shards = ["search/2025-03.json", "search/2025-03-2.json"]
    assert json.loads(render_search_manifest(shards))["shards"] == shards
