"""Fenced code coloured on the server by Pygments: the HTML carries class names only
(`<span class="hl-k">`), the theme's CSS the colours, light and dark."""

from __future__ import annotations

import html
import re
from functools import cache, lru_cache
from typing import TYPE_CHECKING

# Pygments is imported by the first post with a fenced block of a language (about 10 ms of
# a cold start): a function whose first post has none never loads it.
if TYPE_CHECKING:
    from pygments.formatters import HtmlFormatter
    from pygments.lexer import Lexer
    from pygments.token import _TokenType

# Every token class starts with this, so no token can take a class the theme uses.
CLASS_PREFIX = "hl-"
# The sanitiser keeps a span's class only when it is a token class (Pygments names a
# token class from letters and digits: `k`, `nf`, `s2`, a sub-type's `nfMagic`).
TOKEN_CLASS = re.compile(re.escape(CLASS_PREFIX) + r"[A-Za-z0-9]{1,40}")
LIGHT_STYLE = "default"
DARK_STYLE = "github-dark"
# Pygments' time, and the sanitiser's spans, grow with the tokens (about 50 µs a token on a
# busy laptop): past this many in one post the block reached and the rest stay plain, so a
# post made of code stays within the render budget its limits were measured for
# (docs/architecture.md, "The render budget"). About a thousand lines of code.
MAX_HIGHLIGHTED_TOKENS = 10_000


@cache
def _formatter() -> HtmlFormatter[str]:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(nowrap=True, classprefix=CLASS_PREFIX)


def _shown_as_text(kind: _TokenType) -> bool:
    from pygments.styles import get_style_by_name
    from pygments.token import Text

    return all(
        style.style_for_token(kind) == style.style_for_token(Text)
        for style in map(get_style_by_name, (LIGHT_STYLE, DARK_STYLE))
    )


@cache
def _as_text() -> frozenset[_TokenType]:
    """Tokens written as plain text, not a span of their own: whitespace, and plain names and
    punctuation where both styles colour them as text. Half the spans fewer for the
    sanitiser to read (its time grows with the elements), and nothing a reader sees changes."""
    from pygments.token import Name, Punctuation, Whitespace

    return frozenset({Whitespace} | {kind for kind in (Name, Punctuation) if _shown_as_text(kind)})


# A fenced block as cmark writes it: cmark escapes every `<` in code, so a block holding
# one is an author's raw HTML, which is left to the sanitiser as it is.
_CODE_BLOCK = re.compile(r'<pre><code class="language-([^"]{1,40})">([^<]*)</code></pre>')


@lru_cache(maxsize=128)
def _lexer(language: str) -> Lexer | None:
    """Pygments' lexer for a fence's language, or None for an unknown or plain-text one."""
    from pygments.lexers import get_lexer_by_name
    from pygments.lexers.special import TextLexer
    from pygments.util import ClassNotFound

    try:
        # The code's text stays exactly as written: no newline stripped or added.
        lexer = get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None
    return None if isinstance(lexer, TextLexer) else lexer


def highlight_code_blocks(markup: str) -> str:
    """cmark's HTML with each fenced block of a language Pygments knows coloured by class;
    a block of an unknown language, or of none, stays plain `<pre><code>`."""
    if '<pre><code class="language-' not in markup:
        return markup
    from pygments import format as format_tokens
    from pygments.token import Text

    budget = MAX_HIGHLIGHTED_TOKENS
    as_text = _as_text()

    def coloured(block: re.Match[str]) -> str:
        nonlocal budget
        language, escaped = block.group(1), block.group(2)
        lexer = _lexer(html.unescape(language))
        if lexer is None or budget <= 0:
            return block.group(0)
        tokens: list[tuple[_TokenType, str]] = []
        # Lexed lazily, so a block past the budget costs no more than the budget.
        for kind, value in lexer.get_tokens(html.unescape(escaped)):
            tokens.append((Text if kind in as_text else kind, value))
            if len(tokens) > budget:
                budget = 0
                return block.group(0)
        budget -= len(tokens)
        spans = format_tokens(tokens, _formatter())
        return f'<pre><code class="language-{language}">{spans}</code></pre>'

    return _CODE_BLOCK.sub(coloured, markup)


def theme_css() -> str:
    """The token colours for the theme's style sheet: light, then dark where the reader's
    system prefers it. Only colours and weights: the theme sets the block's background."""
    from pygments.formatters import HtmlFormatter

    light = HtmlFormatter(style=LIGHT_STYLE, classprefix=CLASS_PREFIX)
    dark = HtmlFormatter(style=DARK_STYLE, classprefix=CLASS_PREFIX)
    # The token rules alone (get_style_defs adds a background and line-number rules); the
    # stubs leave this method unannotated.
    light_rules = "\n".join(light.get_token_style_defs("pre"))  # type: ignore[no-untyped-call]
    dark_rules = "\n".join(
        "  " + rule
        for rule in dark.get_token_style_defs("pre")  # type: ignore[no-untyped-call]
    )
    return (
        f"/* Pygments {LIGHT_STYLE} (light), {DARK_STYLE} (dark): "
        "pressroom.highlight.theme_css() */\n"
        f"{light_rules}\n@media (prefers-color-scheme: dark) {{\n"
        # A light rule the dark style has no rule for must not stay (dark on dark).
        f'  pre [class^="{CLASS_PREFIX}"] {{ color: inherit; font-style: inherit; '
        "font-weight: inherit; border: 0; background: none }\n"
        f"{dark_rules}\n}}\n"
    )
