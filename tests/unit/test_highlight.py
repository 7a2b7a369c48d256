"""Fenced code is coloured on the server, by class, and stays exactly the code written."""

from __future__ import annotations

from pathlib import Path

import pytest

import pressroom
from pressroom import highlight
from pressroom.markdown import render_markdown
from tests.html5 import parse_body

STYLE_CSS = Path(pressroom.__file__).parent / "themes" / "default" / "style.css"


def test_known_language_is_highlighted_by_class_only() -> None:
    html = render_markdown('```python\ndef greet(name):\n    return f"hi {name}"\n```\n')

    assert html.startswith('<pre><code class="language-python"><span class="hl-k">def</span>')
    assert "style=" not in html
    # The code's text, then the line break cmark writes after `</pre>`.
    assert "".join(parse_body(html).itertext()) == 'def greet(name):\n    return f"hi {name}"\n\n'


@pytest.mark.parametrize("fence", ["```\n", "```no-such-language\n", "```text\n"])
def test_unknown_absent_or_plain_language_stays_plain(fence: str) -> None:
    html = render_markdown(f"{fence}x < 1 && y\n```\n")

    assert "<span" not in html
    assert "x &lt; 1 &amp;&amp; y\n</code></pre>" in html


def test_code_that_looks_like_html_is_shown_not_run() -> None:
    html = render_markdown('```html\n<script>alert("x")</script>\n```\n')

    assert "<script" not in html
    assert "&lt;" in html and "script" in "".join(parse_body(html).itertext())


def test_raw_html_pre_is_left_to_the_sanitiser() -> None:
    html = render_markdown('<pre><code class="language-python"><b>def</b> f</code></pre>\n')

    assert html == '<pre><code class="language-python"><b>def</b> f</code></pre>\n'


def test_past_the_budget_code_stays_plain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(highlight, "MAX_HIGHLIGHTED_TOKENS", 20)

    html = render_markdown(
        "```python\nx = 1\n```\n\n```python\n" + "y = 2\n" * 10 + "```\n\n```python\nz = 3\n```\n"
    )

    # The first block is coloured; the second passes the budget, so it and all after are plain.
    assert html.count('<span class="hl-mi">') == 1
    assert "y = 2\n" * 10 in html and "z = 3" in html


def test_a_span_class_that_is_not_a_token_is_dropped() -> None:
    html = render_markdown('<span class="site-header">x</span> <span class="hl-k">y</span>\n')

    assert html == '<p><span>x</span> <span class="hl-k">y</span></p>\n'


def test_the_theme_holds_the_current_token_colours_light_and_dark() -> None:
    css = STYLE_CSS.read_text(encoding="utf-8")
    begin, end = "/* highlight: begin */\n", "/* highlight: end */"

    assert css[css.index(begin) + len(begin) : css.index(end)] == highlight.theme_css(), (
        "regenerate the block in style.css from pressroom.highlight.theme_css()"
    )
    assert "@media (prefers-color-scheme: dark)" in highlight.theme_css()
