"""Markdown to HTML the way GitHub renders it, then sanitised so nothing in it can run."""

from __future__ import annotations

import html as html_entities
import re
from collections.abc import Callable
from dataclasses import dataclass

import nh3
from cmarkgfm.cmark import Options

from pressroom.characters import replace_unpublishable, strip_bidi_controls
from pressroom.commonmark import cmark_html
from pressroom.emojis import with_emoji
from pressroom.highlight import TOKEN_CLASS, highlight_code_blocks
from pressroom.kramdown import apply_kramdown
from pressroom.models import Issue
from pressroom.shortcodes import (
    EMBED_REFERRER_POLICY,
    EMBED_SANDBOX,
    EMBED_SRC,
    code_ranges,
    place_embeds,
    translate_shortcodes,
)
from pressroom.texmath import put_back_math, take_out_math

# Raw HTML is let through cmark (UNSAFE) on purpose: authors may write
# <kbd>, <details> or a plain <a>. nh3 (ammonia) then keeps only what
# cannot run code: no scripts, event handlers, javascript:/data: URLs,
# forms or styles, and no frame but a sandboxed video player's (shortcodes.EMBED_SRC).
# Footnotes are cmark-gfm's own, as GitHub renders them (a `<section class="footnotes">`).
_CMARK_OPTIONS = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_FOOTNOTES
# GitHub's extensions, without its `<pre lang="…">` (not a valid `lang`): cmark then
# writes the language as `<code class="language-…">`.
_GITHUB_EXTENSIONS = ["table", "autolink", "tagfilter", "strikethrough", "tasklist"]

# Attributes HTML5 made obsolete (the Nu checker refuses them): table and rule
# alignment is the theme's job (a table column's alignment comes as a class, below).
_OBSOLETE = {"align", "char", "charoff", "summary", "size", "width"}
_KEEP_SIZE = {"img"}
_ALLOWED_TAGS = nh3.ALLOWED_TAGS | {"input", "section", "iframe"}
_ALLOWED_ATTRIBUTES = {
    **{
        tag: names if tag in _KEEP_SIZE else names - _OBSOLETE
        for tag, names in nh3.ALLOWED_ATTRIBUTES.items()
    },
    # ammonia's attributes for any element (`lang`, `title`: naming "*" replaces them), and
    # an id, which the filter below puts under `user-content-`.
    "*": {"lang", "title", "id"},
    "img": nh3.ALLOWED_ATTRIBUTES["img"] - {"align"},
    # Classes only from the fixed sets in _CLASSES (the filter drops any other value).
    "code": {"class"},
    "th": nh3.ALLOWED_ATTRIBUTES["th"] - _OBSOLETE | {"class"},
    "td": nh3.ALLOWED_ATTRIBUTES["td"] - _OBSOLETE | {"class"},
    "sup": {"class"},
    "section": {"class"},
    # A table of contents (`kramdown.py`), named for screen readers.
    "nav": {"class", "aria-label"},
    # Pygments' token classes in highlighted code (`<span class="hl-k">`).
    "span": {"class"},
    # A footnote's back link is named for screen readers ("Back to reference 1").
    "a": nh3.ALLOWED_ATTRIBUTES["a"] | {"class", "aria-label"},
    # GitHub task lists render as disabled checkboxes (`type` is limited below).
    "input": {"checked", "disabled"},
    # A video player's frame (its `src` checked by the filter below, the rest set here).
    "iframe": {"src", "sandbox", "loading", "referrerpolicy"},
}
_ONLY_CHECKBOXES = {"input": {"type": {"checkbox"}}}
_SET_VALUES = {
    "input": {"disabled": "disabled"},
    "iframe": {
        "sandbox": EMBED_SANDBOX,
        "loading": "lazy",
        "referrerpolicy": EMBED_REFERRER_POLICY,
    },
}
_URL_SCHEMES = {"http", "https", "mailto"}
# A fenced block's language, `<code class="language-php">`, as GitHub keeps it.
_LANGUAGE_CLASS = re.compile(r"language-[A-Za-z0-9_+#.-]{1,40}")
_ALIGNMENTS = frozenset({"align-left", "align-center", "align-right"})
# The only classes kept, each on the elements cmark-gfm writes it on; the theme styles them.
_CLASSES: dict[str, frozenset[str]] = {
    "th": _ALIGNMENTS,
    "td": _ALIGNMENTS,
    "sup": frozenset({"footnote-ref"}),
    "a": frozenset({"footnote-backref"}),
    "section": frozenset({"footnotes"}),
    "nav": frozenset({"table-of-contents"}),
}
# GitHub's prefix for the ids an author's text makes: no heading, footnote or raw `id`
# can then clobber a name a script reads from the DOM (`window.location`, `document.forms`)
# or the theme's own ids (`main`). GitHub rewrites fragments with a script; here every
# `href="#…"` in the body takes the same prefix, so in-page links work without one.
USER_CONTENT = "user-content-"
# An image's size in HTML is a number of CSS pixels: `640` or `640px` keeps its number;
# `70%` or `auto` (invalid HTML, which the Nu checker refuses) is dropped: the theme's
# `max-width: 100%` already sizes the image to the column.
_PIXELS = re.compile(r"\s*(\d{1,5})(?:px)?\s*", re.ASCII)
# cmark-gfm's alignment of a table column (and raw HTML's cells written the same way).
_CELL_ALIGN = re.compile(r'<(th|td) align="(left|center|right)"')
# ammonia writes its output itself: attributes double-quoted, `>` escaped inside them.
_IMG_WITHOUT_ALT = re.compile(r"<img\b(?![^>]*\balt=)")

# Elements whose content HTML parses in a context of its own, which ammonia's parser
# (html5ever) follows before it drops the element: a `<template>`'s contents vanish, a
# `<noscript>` swallows the markup after it as text, a `<select>` drops every tag but
# `<option>`, `<math>` and `<svg>` start foreign content, `<frameset>` a frames page.
# None is kept, so their tags go before parsing, their text staying, as with any tag not
# kept. Raw-text elements (`<script>`, `<style>`, `<textarea>`, `<title>`, `<iframe>`,
# `<xmp>`, `<noembed>`, `<noframes>`, `<plaintext>`) are GitHub's tag filter's: escaped.
_SPECIAL_CONTEXTS = ("template", "noscript", "select", "math", "svg", "frameset")
# A tag as CommonMark passes raw HTML through: name, attributes (a quoted value may hold
# `>`), optional `/`. cmark escapes every `<` it writes itself, so this finds raw tags only.
_SPECIAL_CONTEXT_TAG = re.compile(
    rf"</?(?:{'|'.join(_SPECIAL_CONTEXTS)})"
    r"""(?:\s+[A-Za-z_:][A-Za-z0-9_.:-]*(?:\s*=\s*(?:[^\s"'=<>`]+|'[^']*'|"[^"]*"))?)*\s*/?>""",
    re.IGNORECASE | re.ASCII,
)


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """What `_keep_attribute` keeps, ids and in-page fragments under `USER_CONTENT`."""
    kept = _keep_attribute(tag, attribute, value)
    if kept is None:
        return None
    if attribute == "id":
        # An empty id still gets a name of its own.
        return USER_CONTENT + kept
    if attribute == "href" and kept.startswith("#") and len(kept) > 1:
        return "#" + USER_CONTENT + kept[1:]
    return kept


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    """`value` if the attribute may stay as it is (or as it must be written), else None."""
    if tag == "iframe" and attribute == "src":
        return value if EMBED_SRC.fullmatch(value) else None
    if attribute == "class":
        if tag == "code":
            return value if _LANGUAGE_CLASS.fullmatch(value) else None
        if tag == "span":
            return value if TOKEN_CLASS.fullmatch(value) else None
        return value if value in _CLASSES.get(tag, ()) else None
    if attribute == "id" and any(c.isspace() for c in value):
        return None  # an id holds no whitespace
    if tag == "img" and attribute in ("width", "height"):
        pixels = _PIXELS.fullmatch(value)
        return pixels.group(1) if pixels else None
    return value


def _cleaner(attribute_filter: Callable[[str, str, str], str | None]) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        attribute_filter=attribute_filter,
        tag_attribute_values=_ONLY_CHECKBOXES,
        set_tag_attribute_values=_SET_VALUES,
        url_schemes=_URL_SCHEMES,
        # A stripped `javascript:` link keeps no href; a rel without href is invalid HTML.
        link_rel=None,
    )


# Built once: setting up the sanitiser costs more than cleaning a post.
_CLEANER = _cleaner(_filter_attribute)
# The same allow-list, for markup already cleaned: ids and fragments keep their prefix.
_RECLEANER = _cleaner(_keep_attribute)


def render_markdown(text: str, *, table_of_contents: bool = False) -> str:
    """Safe HTML for a post body; with a table of contents at the top if asked for (one
    is also put where the body asks, with `{:toc}` or `[TOC]`)."""
    translation = translate_shortcodes(text)
    math = take_out_math(translation.markdown, code_ranges)
    html = _cmark_html(math.markdown, _CMARK_OPTIONS)
    html = _with_heading_ids(place_embeds(html, translation.embeds))
    html = apply_kramdown(html, table_of_contents=table_of_contents)
    # Emoji after the ids: a heading's id is made from `:tada:` as written, as GitHub's is.
    html = with_emoji(html)
    # The sanitiser comes last: Pygments' spans and the embeds pass it like anything else;
    # the formulas' MathML, rebuilt from its own allow-list, goes in after (texmath.py).
    return put_back_math(sanitize_html(highlight_code_blocks(html)), math.formulas)


def sanitize_html(html: str) -> str:
    aligned = _CELL_ALIGN.sub(r'<\1 class="align-\2"', html)
    cleaned = _CLEANER.clean(_SPECIAL_CONTEXT_TAG.sub("", aligned))
    # ammonia writes out the tree its parser built, and a tree that parser repaired can be
    # written as markup that parses to another one: `<li> <table> <li>` is cleaned to
    # `<li> <li></li><table></table></li>`, whose last end tag a browser must drop. Cleaned
    # once more, the markup is what it parses to (`test_render_properties.py`).
    cleaned = _RECLEANER.clean(cleaned)
    # A character reference (`&#1;`, `&#128;`) is the one way a character no page or feed
    # may hold gets past the validator, which reads the text as written: cmark decodes it
    # in text, ammonia in raw HTML's attributes. Each is shown as U+FFFD, as HTML's parser
    # shows a reference to NUL or a surrogate.
    shown = replace_unpublishable(cleaned)
    # Every image needs an alt; one the author left out is taken as decorative.
    return _IMG_WITHOUT_ALT.sub('<img alt=""', shown)


# cmark writes each heading on one line, as `<hN>`; an author's raw `<h2>` is read the same.
_HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>")
# `{#id}` closing a heading (Pandoc, kramdown, Hugo, Zola): the heading's id, not its text.
_CUSTOM_ID = re.compile(r"[ \t]*\{#([A-Za-z][\w.:-]*)\}$")
_ID_ATTRIBUTE = re.compile(r'\bid="([^"]*)"')
_TAGS = re.compile(r"<[^>]*>")
# GitHub's slug: lower case, only letters, digits, `_`, `-` and spaces kept, each space a `-`.
_NOT_IN_SLUG = re.compile(r"[^\w\- ]")


def _with_heading_ids(html: str) -> str:
    """Each heading with the id GitHub gives it (before the sanitiser's prefix): its slug,
    made unique in the page with `-1`, `-2`… in document order; a `{#custom}` id wins and
    leaves the text. Ids already in the page (footnotes', raw HTML's) are never reused."""
    headings = list(_HEADING.finditer(html))
    if not headings:
        return html
    taken = set(_ID_ATTRIBUTE.findall(html))
    custom = [_CUSTOM_ID.search(heading.group(2)) for heading in headings]
    taken.update(found.group(1) for found in custom if found)
    # The number each slug's next repeat starts trying from: a page of one heading repeated
    # thousands of times is numbered in one pass, not by counting up from 1 each time.
    next_number: dict[str, int] = {}
    parts: list[str] = []
    end = 0
    for heading, found in zip(headings, custom, strict=True):
        level, inner = heading.group(1), heading.group(2)
        if found:
            inner = inner[: found.start()]
            heading_id = found.group(1)
        else:
            text = html_entities.unescape(_TAGS.sub("", inner)).strip().lower()
            slug = _NOT_IN_SLUG.sub("", text).replace(" ", "-") or "section"
            heading_id, number = slug, next_number.get(slug, 0)
            if number:
                heading_id = f"{slug}-{number}"
            while heading_id in taken:
                number += 1
                heading_id = f"{slug}-{number}"
            next_number[slug] = number + 1
            taken.add(heading_id)
        parts += [html[end : heading.start()], f'<h{level} id="{heading_id}">{inner}</h{level}>']
        end = heading.end()
    parts.append(html[end:])
    return "".join(parts)


def _cmark_html(text: str, options: int) -> str:
    return cmark_html(text, options, _GITHUB_EXTENSIONS)


@dataclass(frozen=True)
class BodyShape:
    """What rendering a body will cost, read from cmark's HTML before anything is sanitised:
    the sanitiser's time and memory grow with its elements, and faster than that with
    their depth (ammonia's parser looks through the open elements at every tag). Its tags
    and shortcodes are translated first, as for rendering."""

    elements: int
    """Start tags, the author's raw HTML included (counted up to one past the limit)."""
    depth: int
    """Deepest nesting of elements that need an end tag (counted up to one past the limit)."""
    table_cells: int
    html_bytes: int
    """Size of cmark's HTML, which the sanitiser reads."""
    line: int | None = None
    """The source line (of the body) of the block where a limit was first passed."""
    passed: str | None = None
    """The limit passed first: "elements", "depth" or "table_cells"; None when none was."""
    warnings: tuple[Issue, ...] = ()
    """Tags and embeds the body shows as written or drops (`shortcodes.py`), by line."""


# Elements that take no end tag, or whose end tag HTML implies (an open `<li>` or `<p>`
# ends at the next): they never deepen the tree, so they never count as depth.
_NEVER_NESTED = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
        "param",
        "keygen",
        "li",
        "p",
        "dt",
        "dd",
        "tr",
        "td",
        "th",
        "option",
        "optgroup",
        "thead",
        "tbody",
        "tfoot",
        "colgroup",
        "caption",
        "rb",
        "rt",
        "rtc",
        "rp",
    ]
)
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)([^>]*)>")
_SOURCEPOS = re.compile(r' data-sourcepos="(\d+):[^"]*"')


def measure_markdown(
    text: str, *, max_elements: int, max_depth: int, max_table_cells: int
) -> BodyShape:
    """The shape of `text`'s HTML, its elements counted until one limit is passed."""
    translation = translate_shortcodes(text)
    translated = translation.markdown
    html = place_embeds(
        _cmark_html(translated, _CMARK_OPTIONS | Options.CMARK_OPT_SOURCEPOS), translation.embeds
    )
    open_elements: list[str] = []
    elements = depth = cells = positions = 0
    line: int | None = None
    for tag in _TAG.finditer(html):
        closing, name, attributes = tag.group(1), tag.group(2).lower(), tag.group(3)
        if closing:
            # Only the element on top closes: a stray or misnested end tag, which HTML's
            # parser may ignore, never lowers the depth counted (so depth never falls short).
            if open_elements and open_elements[-1] == name:
                open_elements.pop()
            continue
        if position := _SOURCEPOS.search(attributes):
            line = int(position.group(1))
            positions += len(position.group(0))
        elements += 1
        cells += name in ("td", "th")
        if name not in _NEVER_NESTED and not attributes.rstrip().endswith("/"):
            open_elements.append(name)
            depth = max(depth, len(open_elements))
        counts = {"elements": (elements, max_elements), "depth": (depth, max_depth)}
        counts["table_cells"] = (cells, max_table_cells)
        for passed, (count, limit) in counts.items():
            if count > limit:
                if not position:
                    line = _raw_tag_line(translated, tag.group(0), line)
                line = translation.source_line(line) if line else None
                return BodyShape(elements, depth, cells, len(html), line, passed)
    html_bytes = len(html.encode("utf-8")) - positions
    return BodyShape(elements, depth, cells, html_bytes, warnings=translation.warnings)


MORE_MARKER = "<!--more-->"
SUMMARY_CHARS = 300
"""The longest summary a listing shows of a post's own text (cut at a word, with `…`)."""
_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)


def summary_text(text: str) -> str | None:
    """What a listing shows of a post with no summary of its own: its text before
    `<!--more-->`, else its first paragraph with words, as plain text on one line; None if
    there is none."""
    more = text.find(MORE_MARKER)
    html = _cmark_html(translate_shortcodes(text[:more] if more >= 0 else text).markdown, 0)
    if more < 0:
        # The first paragraph with words: one holding only an image says nothing.
        paragraphs = (found.group(1) for found in _PARAGRAPH.finditer(html))
        html = next((p for p in paragraphs if _TAGS.sub("", p).strip()), "")
    plain = html_entities.unescape(_TAGS.sub("", html))
    words = " ".join(strip_bidi_controls(replace_unpublishable(plain)).split())
    if len(words) <= SUMMARY_CHARS:
        return words or None
    cut = words[: SUMMARY_CHARS - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.!?") + "…"


_LINK_TARGET = re.compile(r'\s(href|src)="([^"]*)"')


def link_targets(text: str) -> list[tuple[int | None, str]]:
    """Every link and image address in a post body as its HTML will have it (shortcodes
    translated, before relative ones are rebased), with the body line of the block that
    holds it, for `pressroom check`'s link check."""
    translation = translate_shortcodes(text)
    html = _cmark_html(translation.markdown, _CMARK_OPTIONS | Options.CMARK_OPT_SOURCEPOS)
    targets: list[tuple[int | None, str]] = []
    line: int | None = None
    for tag in _TAG.finditer(html):
        attributes = tag.group(3)
        if position := _SOURCEPOS.search(attributes):
            line = int(position.group(1))
        if tag.group(2).lower() in ("a", "img"):
            for _, address in _LINK_TARGET.findall(attributes):
                targets.append((translation.source_line(line) if line else None, address))
    return targets


def _raw_tag_line(text: str, tag: str, after: int | None) -> int | None:
    """The line of the author's raw HTML `tag`, which cmark passes through as written but
    marks with no source position: its first occurrence from line `after` on."""
    start = 0
    for _ in range((after or 1) - 1):
        start = text.find("\n", start) + 1
    found = text.find(tag, start)
    return text.count("\n", 0, found) + 1 if found >= 0 else after
