"""cmark-gfm, called the one way every reader of a post's Markdown calls it."""

from __future__ import annotations

import cmarkgfm


def cmark_html(text: str, options: int, extensions: list[str]) -> str:
    """cmark-gfm's HTML for `text`."""
    try:
        html: str = cmarkgfm.markdown_to_html_with_extensions(
            text, options=options, extensions=extensions
        )
    except UnicodeDecodeError as error:
        # cmark writes a reference to U+FFFE or U+FFFF as the lone byte FE or FF (a sentinel
        # kept from utf8proc), never valid UTF-8, so cmarkgfm's strict decoding fails.
        # The error holds cmark's whole output: decoded leniently, each such byte is U+FFFD.
        return bytes(error.object).decode("utf-8", "replace")
    return html
