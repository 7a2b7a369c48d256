"""cmark-gfm through `pressroom.commonmark`: what a warm container keeps after each call."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from hypothesis import given
from hypothesis import strategies as st

from pressroom.commonmark import cmark_html

CALLS = 40
"""Renders of one body after the first: a parse tree kept from each would hold many times
the body's size."""

_MEASURE = textwrap.dedent(
    """
    import sys

    from pressroom.commonmark import cmark_html

    def resident_kib():
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    body = sys.stdin.read()
    extensions = ["table", "autolink", "strikethrough", "tasklist"]
    cmark_html(body, 0, extensions)
    before = resident_kib()
    for _ in range({calls}):
        cmark_html(body, 0, extensions)
    print(resident_kib() - before)
    """
)


def _a_long_post() -> str:
    """About 200 KB in the manner of a long post: paragraphs with links and emphasis, lists,
    a table. Each inline is a node of cmark's tree."""
    paragraph = (
        "The convoy reached the *northern* checkpoint at dawn; see [the map](/maps/north/) "
        "and the **earlier** report, `ref-12`, for the road's state.\n\n"
    )
    listing = "".join(f"- item {number} with [a link](/notes/{number}/)\n" for number in range(40))
    table = "| day | road | state |\n| --- | :-: | --: |\n" + "| 1 | M4 | *open* |\n" * 40
    return (paragraph * 20 + listing + "\n" + table + "\n") * 30


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_rendering_a_body_again_and_again_keeps_no_memory_from_earlier_calls() -> None:
    """A warm renderer renders thousands of bodies: whatever one call takes must be given
    back. cmarkgfm's own wrapper frees neither the parse tree nor the HTML it returns, which
    grew a renderer by 28-37 KiB a post (320 MiB over 10,000 posts) until it ran out."""
    body = _a_long_post()
    grew_kib = int(
        subprocess.run(
            [sys.executable, "-c", _MEASURE.format(calls=CALLS)],
            input=body,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    # One tree of this body is a few MiB; forty kept would be well over a hundred.
    assert grew_kib < 16 * 1024, (
        f"{CALLS} renders of a {len(body) // 1024} KiB body kept {grew_kib} KiB"
    )


def test_html_is_cmark_gfms_with_the_extensions_asked_for() -> None:
    html = cmark_html(
        "| a | b |\n| - | - |\n| ~~x~~ | <https://example.org> |\n",
        0,
        ["table", "strikethrough", "autolink"],
    )
    assert "<table>" in html
    assert "<del>x</del>" in html
    assert '<a href="https://example.org">https://example.org</a>' in html


def test_a_reference_to_a_noncharacter_comes_out_as_a_replacement_character() -> None:
    # cmark writes U+FFFE as the lone byte FE, never valid UTF-8.
    assert cmark_html("a &#xFFFE; b", 0, []) == "<p>a \ufffd b</p>\n"


def test_an_unknown_extension_is_refused() -> None:
    with pytest.raises(ValueError, match="footnote-ish"):
        cmark_html("text", 0, ["footnote-ish"])


_MARKDOWNISH = st.text(
    alphabet=st.sampled_from(list("ab \n\t*_`#>-+|:~![]()<>&;\\\"'=/0123456789\x00é\u2028")),
    max_size=300,
)


@given(text=_MARKDOWNISH, footnotes=st.booleans())
def test_the_html_is_what_cmarkgfms_own_wrapper_gives(text: str, footnotes: bool) -> None:
    """The same library, called the same way, but freeing what it took: the same HTML for
    any text, NUL characters and raw HTML included."""
    options = Options.CMARK_OPT_UNSAFE | (Options.CMARK_OPT_FOOTNOTES if footnotes else 0)
    extensions = ["table", "autolink", "tagfilter", "strikethrough", "tasklist"]
    try:
        expected = cmarkgfm.markdown_to_html_with_extensions(
            text, options=options, extensions=extensions
        )
    except UnicodeDecodeError as error:  # a lone FE or FF byte: see the test above
        expected = bytes(error.object).decode("utf-8", "replace")
    assert cmark_html(text, options, extensions) == expected
