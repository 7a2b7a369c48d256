"""Markdown renders as GitHub renders it, and nothing in it can run."""

from __future__ import annotations

import re

import pytest

from pressroom.markdown import render_markdown
from tests.html5 import count, parse_body, words


def test_github_extensions_render() -> None:
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ https://example.org\n")

    assert "<table>" in html
    assert "<del>old</del>" in html
    assert '<a href="https://example.org"' in html


def test_task_lists_stay_disabled_checkboxes() -> None:
    html = render_markdown("- [x] done\n- [ ] todo\n")

    assert html.count('type="checkbox"') == 2
    assert html.count('disabled="disabled"') == 2


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        "[x](javascript:alert(1))",
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
        '<iframe src="https://evil.example"></iframe>',
        '<form action="https://evil.example"><input name="q"></form>',
        "<style>body{display:none}</style>",
        '<p style="background:url(javascript:alert(1))">x</p>',
        '<svg onload="alert(1)"></svg>',
        '<object data="x.swf"></object>',
    ],
)
def test_active_content_does_not_survive(hostile: str) -> None:
    html = render_markdown(f"before\n\n{hostile}\n\nafter").lower()

    for marker in ("<script", "onerror", "onload", "javascript:", "data:", "<iframe", "<form",
                   "<style", "style=", "<svg", "<object"):  # fmt: skip
        assert marker not in html, (marker, html)
    assert "before" in html and "after" in html


def test_output_keeps_to_valid_html5() -> None:
    html = render_markdown(
        "```php\necho 1;\n```\n\n| a | b |\n|:-:|--:|\n| 1 | 2 |\n\n"
        '<img src="/x.png"> <a href="javascript:alert(1)">x</a> <code class="evil">y</code>\n'
    )

    assert '<code class="language-php">' in html
    assert "align=" not in html and "lang=" not in html
    assert '<img alt="" src="/x.png">' in html
    assert "<a>x</a>" in html
    assert "<code>y</code>" in html


# Prose that names an element whose content HTML parses in a mode of its own: template
# contents, raw text (noscript), a select box, foreign content (MathML, SVG), frames.
SPECIAL_CONTEXTS = [
    "I keep the card's markup in a <template> element and clone it per row.",
    "Old readers without scripts get the <noscript> fallback, which we finally dropped.",
    "The form had one <select> with three options, and nobody chose the second.",
    "Write the fraction as <math> in the source and the browser draws it.",
    "An inline <svg> icon weighs less than the font it replaced.",
    "Both <math> and <svg> came in with HTML5, and neither needs a plugin.",
    "A <select><option>first</option></select> box, written out in full.",
    "Nobody misses the <frameset> pages of 1999.",
    "Some closing tags came loose: </template> and </select> and </svg> and </noscript>.",
]


@pytest.mark.parametrize("sentence", SPECIAL_CONTEXTS)
def test_a_tag_with_its_own_parsing_context_loses_no_text_and_keeps_paragraphs(
    sentence: str,
) -> None:
    source = (
        f"{sentence}\n\nThe next paragraph has *emphasis* and a [link](https://example.org/).\n"
    )

    body = parse_body(render_markdown(source))

    # The tags themselves go, as every tag the sanitiser does not keep; all the text stays.
    assert words(body) == words(parse_body(render_markdown(re.sub(r"</?\w+>", "", source))))
    assert count(body, "p") == 2
    assert count(body, "em") == 1 and count(body, "a") == 1


# Issue 18: what authors wrote, as GitHub shows it.


def test_footnotes_are_linked_not_printed_as_brackets() -> None:
    html = render_markdown("The ferry left late.[^1]\n\n[^1]: It always does in March.\n")

    assert "[^1]" not in html
    assert 'href="#user-content-fn-1"' in html and 'id="user-content-fn-1"' in html
    assert 'id="user-content-fnref-1"' in html and 'href="#user-content-fnref-1"' in html
    parse_body(html)


def test_headings_get_unique_ids_that_in_page_links_reach() -> None:
    html = render_markdown(
        "See [the notes](#notes).\n\n## Notes\n\ntext\n\n## Notes\n\nmore\n\n### What's *new*?\n"
    )

    assert '<h2 id="user-content-notes">Notes</h2>' in html
    assert '<h2 id="user-content-notes-1">Notes</h2>' in html
    assert '<h3 id="user-content-whats-new">' in html
    assert 'href="#user-content-notes"' in html


def test_a_custom_heading_id_is_honoured_and_removed_from_the_text() -> None:
    html = render_markdown("## Getting there {#travel}\n\n## Travel\n")

    assert '<h2 id="user-content-travel">Getting there</h2>' in html
    assert "{#" not in html
    # The custom id is taken first: the heading whose slug it is gets the next one.
    assert '<h2 id="user-content-travel-1">Travel</h2>' in html


def test_table_column_alignment_is_kept_as_classes() -> None:
    html = render_markdown("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n")

    assert '<th class="align-left">a</th>' in html
    assert '<td class="align-center">2</td>' in html
    assert '<td class="align-right">3</td>' in html
    assert "align=" not in html


@pytest.mark.parametrize(
    ("written", "kept"),
    [('width="70%"', ""), ('width="640"', ' width="640"'), ('width="640px"', ' width="640"')],
)
def test_an_image_size_is_kept_only_as_html_allows_it(written: str, kept: str) -> None:
    html = render_markdown(f'<img src="/harbour.jpg" alt="The harbour" {written}>\n')

    assert f'<img src="/harbour.jpg" alt="The harbour"{kept}>' in html


def test_ids_never_name_anything_but_user_content() -> None:
    # DOM clobbering: an element with id "location" would shadow window.location for a script.
    html = render_markdown('## location\n\n<a id="location" href="#location">x</a>\n')

    # The raw id is in the page before the heading gets one: the heading's is made unique.
    assert re.findall(r'id="([^"]*)"', html) == ["user-content-location-1", "user-content-location"]
    assert 'href="#user-content-location"' in html
