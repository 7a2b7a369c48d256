"""sitemap.xml is a sitemap index; it and its child sitemaps validate against the
sitemaps.org schemas (tests/site/schemas), and list every published post once."""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from lxml import etree

from tests.site.support import SITE_URL, PublishedSite, draft_slugs, published_posts

SCHEMAS = Path(__file__).parent / "schemas"
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
# Nothing on the site may make the parser reach for the network or expand entities.
PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


@cache
def _schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(SCHEMAS / name))


def _assert_valid(document: etree._ElementTree, schema: str, name: str) -> None:
    validator = _schema(schema)
    if not validator.validate(document):
        errors = "\n".join(f"  line {e.line}: {e.message}" for e in validator.error_log)
        pytest.fail(f"{name} does not validate against {schema}:\n{errors}")


def _parse(site: PublishedSite, key: str) -> etree._ElementTree:
    return etree.fromstring(site.read(key), PARSER).getroottree()


@pytest.fixture(scope="module")
def index(site: PublishedSite) -> etree._ElementTree:
    return _parse(site, "sitemap.xml")


@pytest.fixture(scope="module")
def children(site: PublishedSite, index: etree._ElementTree) -> dict[str, etree._ElementTree]:
    """Each child sitemap, by the site key its <loc> maps back to."""
    keys = [
        site.file_for(loc).relative_to(site.root).as_posix()
        for loc in index.xpath("/sm:sitemapindex/sm:sitemap/sm:loc/text()", namespaces=NS)
    ]
    return {key: _parse(site, key) for key in keys}


def _locs(document: etree._ElementTree) -> list[str]:
    return [str(loc).strip() for loc in document.xpath("//sm:url/sm:loc/text()", namespaces=NS)]


def test_sitemap_xml_is_a_valid_sitemap_index(index: etree._ElementTree) -> None:
    assert index.getroot().tag == f"{{{NS['sm']}}}sitemapindex"
    _assert_valid(index, "siteindex.xsd", "sitemap.xml")


def test_child_sitemaps_are_valid_sitemaps_on_the_site(
    children: dict[str, etree._ElementTree],
) -> None:
    assert children
    for key, child in children.items():
        _assert_valid(child, "sitemap.xsd", key)


def test_every_listed_url_is_a_page_of_the_site(
    site: PublishedSite, children: dict[str, etree._ElementTree]
) -> None:
    missing = [
        (key, url)
        for key, child in children.items()
        for url in _locs(child)
        if not site.file_for(url).is_file()
    ]

    assert not missing, f"sitemaps list pages that are not on the site: {missing}"


def test_every_published_post_is_in_its_months_sitemap_once(
    children: dict[str, etree._ElementTree],
) -> None:
    listed = Counter(url for child in children.values() for url in _locs(child))

    for post in published_posts():
        assert listed[post.url] == 1, f"{post.url} is in {listed[post.url]} sitemaps"
        month = f"sitemaps/{post.date:%Y-%m}.xml"
        assert month in children, f"sitemap.xml does not list {month}"
        assert post.url in _locs(children[month]), f"{post.url} is not in {month}"


def test_sitemaps_list_no_other_post(children: dict[str, etree._ElementTree]) -> None:
    # Every URL of the month sitemaps is a post's (pages are in `pages.xml`).
    posts = {
        url
        for key, child in children.items()
        if key != "sitemaps/pages.xml"
        for url in _locs(child)
    }

    assert posts == {post.url for post in published_posts()}
    assert not {f"{SITE_URL}posts/{slug}/" for slug in draft_slugs()} & posts


@pytest.mark.parametrize(
    ("schema", "document"),
    [
        ("siteindex.xsd", "<sitemapindex{ns}><url><loc>{site}a.xml</loc></url></sitemapindex>"),
        ("sitemap.xsd", "<urlset{ns}><url><loc>{site}</loc><lastmod>now</lastmod></url></urlset>"),
        ("sitemap.xsd", "<urlset{ns}><url><loc>/posts/a/</loc></url></urlset>"),
    ],
    ids=["url-in-an-index", "lastmod-not-a-date", "loc-too-short"],
)
def test_the_schemas_refuse_what_the_protocol_forbids(schema: str, document: str) -> None:
    namespace = NS["sm"]
    text = document.format(ns=f' xmlns="{namespace}"', site=SITE_URL)

    assert not _schema(schema).validate(etree.fromstring(text, PARSER).getroottree())
