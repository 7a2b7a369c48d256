"""Property-based: every body the validator accepts, character references included, renders
to HTML that a browser reads without repair (html5lib, strict), that holds no character a
page or feed cannot carry and that keeps every word; the feed and sitemap of any
accepted posts are well-formed XML. Examples per test follow the hypothesis profile
(tests/conftest.py): few in `make test`, 10,000 in `make reliability`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from xml.etree.ElementTree import Element

import html5lib
from hypothesis import example, given
from hypothesis import strategies as st
from lxml import etree

from pressroom.characters import first_unpublishable
from pressroom.config import DEFAULT_THEME, SiteConfig
from pressroom.limits import DEFAULT_LIMITS
from pressroom.markdown import render_markdown
from pressroom.models import PageLink
from pressroom.shortcodes import translate_shortcodes
from pressroom.site import Theme, render_post_page
from pressroom.syndication import (
    render_feed,
    render_month_sitemap,
    render_pages_sitemap,
    render_search_shard,
    render_sitemap_index,
)
from pressroom.validation import validate_post
from tests.html5 import parse_body, words

UPLOADED = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
SITE = SiteConfig(title="Field Notes", base_url="https://notes.example.org/")

VOCABULARY = ["harbour", "ledger", "orchard", "quarry", "tundra", "velvet"]
TAG_NAMES = [
    "template", "noscript", "select", "option", "math", "svg", "frameset", "textarea", "title",
    "style", "script", "iframe", "xmp", "plaintext", "noembed", "noframes", "table", "td", "tr",
    "div", "p", "b", "a", "li", "ul", "blockquote", "pre", "code", "img", "br", "details",
]  # fmt: skip
SYNTAX = ["\n", "\n\n", " ", "> ", "- ", "1. ", "*", "_", "`", "```\n", "# ", "|", "---", "~~"]

# Character references, most to code points no page may hold (controls, surrogates,
# noncharacters, past U+10FFFF), in decimal or hexadecimal; cmark decodes them in text
# and titles, ammonia in raw HTML's attributes.
CODE_POINTS = (
    st.integers(0, 0x20)
    | st.integers(0x7F, 0x9F)
    | st.sampled_from([0xD800, 0xDFFF, 0xFDD0, 0xFFFE, 0xFFFF, 0x1FFFE, 0x10FFFF, 0x110000])
    | st.integers(0, 0x10FFFF)
)
REFERENCES = st.builds(
    lambda code, written: written.format(code),
    CODE_POINTS,
    st.sampled_from(["&#{};", "&#x{:x};", "&#X{:X};", "&#{:07};"]),
)
TAGS = st.builds(
    lambda closing, name, attribute: f"<{closing}{name}{attribute}>",
    st.sampled_from(["", "/"]),
    st.sampled_from(TAG_NAMES),
    st.sampled_from(["", ' class="x"', " title='a>b'", " /"])
    | REFERENCES.map(lambda reference: f' title="{reference}"'),
)
LINKS = st.builds(
    # An image's alt is no visible word: it holds references only.
    lambda text, title, alt: f'[{text}](/quay "{title}") ![{alt}](/tides.png)',
    REFERENCES | st.sampled_from(VOCABULARY),
    REFERENCES,
    REFERENCES,
)
BODIES = st.lists(
    st.sampled_from(VOCABULARY) | st.sampled_from(SYNTAX) | TAGS | REFERENCES | LINKS,
    max_size=40,
).map(" ".join)


def _accepted_body(body: str) -> str | None:
    raw = f"---\ntitle: Fuzzed\ndate: 2024-03-02\n---\n{body}".encode()
    document = validate_post(raw, "fuzzed.md", first_seen=UPLOADED).document
    return document.body_markdown if document else None


@given(BODIES)
@example("The bell rang&#7; twice &#xFFFE; [at noon](/quay \"&#x1b;\") <b title='&#128;'>")
# A script goes with its content, as a frame of no allowed player does (shortcodes.py).
@example("<script> harbour </script>")
# A list item the sanitiser's parser moved out of a table: cleaned once, it was written
# as `<li> <li></li><table></table></li>`, an end tag a browser must drop.
@example("<li> <table> <li> harbour")
def test_an_accepted_body_renders_to_html_that_keeps_its_words(body: str) -> None:
    accepted = _accepted_body(body)
    if accepted is None:
        return
    # What the rules remove with their content, each named by a warning (`check`, `status`):
    # every other word must reach the page.
    translation = translate_shortcodes(accepted)
    removed = [issue for issue in translation.warnings if "is removed" in issue.message]

    html = render_markdown(accepted)

    assert first_unpublishable(html) is None, html
    seen = " ".join(words(parse_body(html)))
    for word in VOCABULARY:
        assert seen.count(word) >= translation.markdown.count(word), (word, html)
        if accepted.count(word) > translation.markdown.count(word):
            assert removed, (word, html)


@given(BODIES, st.lists(st.sampled_from(VOCABULARY) | REFERENCES, max_size=3))
def test_an_accepted_post_renders_a_whole_page_within_the_shape_that_bounds_its_budget(
    body: str, tags: list[str]
) -> None:
    """The page as readers get it (theme and all) is read by a browser without repair, and
    its elements and depth stay within the limits that hold the render budget
    (docs/architecture.md, "The render budget"): what bench.hostile times at the limits."""
    raw = "---\n" + _yaml({"title": "Fuzzed", "date": "2024-03-02", "tags": tags}) + "---\n"
    outcome = validate_post((raw + body).encode(), "fuzzed.md", first_seen=UPLOADED)
    if outcome.document is None:
        return

    page = render_post_page(outcome.document, SITE, THEME)

    tree = html5lib.HTMLParser(strict=True).parse(page)
    elements = list(tree.iter())
    assert len(elements) <= DEFAULT_LIMITS.max_body_elements + THEME_ELEMENTS
    assert _depth(tree) <= DEFAULT_LIMITS.max_body_depth + THEME_DEPTH
    assert len(page.encode()) <= DEFAULT_LIMITS.max_body_html_bytes + THEME_BYTES


THEME = Theme(DEFAULT_THEME)
THEME_ELEMENTS, THEME_DEPTH, THEME_BYTES = 200, 12, 64 * 1024
"""What the theme adds around a post's body, generously."""


def _depth(element: Element, level: int = 1) -> int:
    return max((_depth(child, level + 1) for child in element), default=level)


@given(st.text(max_size=60), st.lists(st.text(max_size=20), max_size=3))
@example("Backspace \x08 in a title", [])
def test_accepted_posts_make_a_feed_sitemaps_and_search_that_strict_parsers_read(
    title: str, tags: list[str]
) -> None:
    front = {"title": title, "date": "2024-03-02", "tags": tags}
    raw = ("---\n" + _yaml(front) + "---\nBody.\n").encode("utf-8", "surrogatepass")
    outcome = validate_post(raw, "fuzzed.md", first_seen=UPLOADED)
    if outcome.document is None:
        return
    posts = [outcome.document.summary()]
    # Its title as a page's too, and its URL placed by a site's style (categories as tags).
    page = PageLink(slug="about", title=outcome.document.title, date=outcome.document.date)
    styled = SITE.model_copy(update={"permalink": "date", "timezone": "Asia/Kolkata"})
    styled_posts = [post.model_copy(update={"categories": post.tags}) for post in posts]

    for site, listed in ((SITE, posts), (styled, styled_posts)):
        for document in (
            render_feed(listed, site),
            render_month_sitemap(listed, site),
            render_sitemap_index(["sitemaps/2024-03.xml"], site),
            render_pages_sitemap(site.with_pages([page])),
        ):
            etree.fromstring(document, etree.XMLParser(resolve_entities=False, recover=False))
        json.loads(render_search_shard(listed, site))


def _yaml(front: dict[str, object]) -> str:
    # JSON is YAML: every string quoted and escaped, control characters included.
    return "".join(f"{key}: {json.dumps(value)}\n" for key, value in front.items())
