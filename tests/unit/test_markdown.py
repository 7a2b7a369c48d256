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
