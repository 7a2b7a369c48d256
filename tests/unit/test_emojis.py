"""Emoji shortcodes become emoji in text, and nowhere else."""

from __future__ import annotations

import pytest

from pressroom.markdown import render_markdown


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Shipped :rocket:", "<p>Shipped 🚀</p>"),
        (":+1::tada:", "<p>👍🎉</p>"),
        ("(:smile:)", "<p>(😄)</p>"),
        (":heart:!", "<p>❤️!</p>"),
    ],
)
def test_known_shortcodes_become_emoji(text: str, shown: str) -> None:
    assert render_markdown(text + "\n") == shown + "\n"


@pytest.mark.parametrize(
    "text",
    [
        "An unknown :not_an_emoji: name",
        "A time, 10:30:00, and a ratio 1:2:3",
        "Upper case :SMILE: is no alias",
        "A word:smile: or :smile:s glued to another",
        "C++'s std::map: and Perl's ::smile:",
    ],
)
def test_what_is_not_a_shortcode_stays_as_written(text: str) -> None:
    assert render_markdown(text + "\n") == f"<p>{text}</p>\n"


def test_code_addresses_and_attributes_keep_their_colons() -> None:
    html = render_markdown(
        "`:smile:` on http://localhost:8080: and https://example.org/:smile:/\n\n"
        '<abbr title=":smile:">grin</abbr>\n\n```\n:smile:\n```\n'
    )

    assert "😄" not in html
    assert html.count(":smile:") == 5
    assert '<a href="http://localhost:8080">http://localhost:8080</a>:' in html
