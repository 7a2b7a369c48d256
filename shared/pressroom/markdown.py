"""Markdown to HTML the way GitHub renders it, then sanitised so nothing in it can run."""

from __future__ import annotations

import re
from dataclasses import dataclass

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options

from pressroom.characters import replace_unpublishable

# Raw HTML is let through cmark (UNSAFE) on purpose: authors may write
# <kbd>, <details> or a plain <a>. nh3 (ammonia) then keeps only what
# cannot run code: no scripts, event handlers, javascript:/data: URLs,
# frames, forms or styles.
_CMARK_OPTIONS = Options.CMARK_OPT_UNSAFE
# GitHub's extensions, without its `<pre lang="…">` (not a valid `lang`): cmark then
# writes the language as `<code class="language-…">`.
_GITHUB_EXTENSIONS = ["table", "autolink", "tagfilter", "strikethrough", "tasklist"]

# Attributes HTML5 made obsolete (the Nu checker refuses them): table and rule
# alignment is the theme's job.
_OBSOLETE = {"align", "char", "charoff", "summary", "size", "width"}
_KEEP_SIZE = {"img"}
_ALLOWED_TAGS = nh3.ALLOWED_TAGS | {"input"}
_ALLOWED_ATTRIBUTES = {
    **{
        tag: names if tag in _KEEP_SIZE else names - _OBSOLETE
        for tag, names in nh3.ALLOWED_ATTRIBUTES.items()
    },
    "img": nh3.ALLOWED_ATTRIBUTES["img"] - {"align"},
    # A fenced block's language, `<code class="language-php">`, as GitHub keeps it.
    "code": {"class"},
    # GitHub task lists render as disabled checkboxes (`type` is limited below).
    "input": {"checked", "disabled"},
}
_ONLY_CHECKBOXES = {"input": {"type": {"checkbox"}}}
_ALWAYS_DISABLED = {"input": {"disabled": "disabled"}}
_URL_SCHEMES = {"http", "https", "mailto"}
_LANGUAGE_CLASS = re.compile(r"language-[A-Za-z0-9_+#.-]{1,40}")
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


def _keep_language_class(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "class":
        return value if tag == "code" and _LANGUAGE_CLASS.fullmatch(value) else None
    return value


# Built once: setting up the sanitiser costs more than cleaning a post.
_CLEANER = nh3.Cleaner(
    tags=_ALLOWED_TAGS,
    attributes=_ALLOWED_ATTRIBUTES,
    attribute_filter=_keep_language_class,
    tag_attribute_values=_ONLY_CHECKBOXES,
    set_tag_attribute_values=_ALWAYS_DISABLED,
    url_schemes=_URL_SCHEMES,
    # A stripped `javascript:` link keeps no href; a rel without href is invalid HTML.
    link_rel=None,
)


def render_markdown(text: str) -> str:
    """Safe HTML for a post body."""
    return sanitize_html(_cmark_html(text, _CMARK_OPTIONS))


def sanitize_html(html: str) -> str:
    cleaned = _CLEANER.clean(_SPECIAL_CONTEXT_TAG.sub("", html))
    # A character reference (`&#1;`, `&#128;`) is the one way a character no page or feed
    # may hold gets past the validator, which reads the text as written: cmark decodes it
    # in text, ammonia in raw HTML's attributes. Each is shown as U+FFFD, as HTML's parser
    # shows a reference to NUL or a surrogate.
    shown = replace_unpublishable(cleaned)
    # Every image needs an alt; one the author left out is taken as decorative.
    return _IMG_WITHOUT_ALT.sub('<img alt=""', shown)


def _cmark_html(text: str, options: int) -> str:
    try:
        html: str = cmarkgfm.markdown_to_html_with_extensions(
            text, options=options, extensions=_GITHUB_EXTENSIONS
        )
    except UnicodeDecodeError as error:
        # cmark writes a reference to U+FFFE or U+FFFF as the lone byte FE or FF (a sentinel
        # kept from utf8proc), never valid UTF-8, so cmarkgfm's strict decoding fails.
        # The error holds cmark's whole output: decoded leniently, each such byte is U+FFFD.
        return bytes(error.object).decode("utf-8", "replace")
    return html


@dataclass(frozen=True)
class BodyShape:
    """What rendering a body will cost, read from cmark's HTML before anything is sanitised:
    the sanitiser's time and memory grow with its elements, and faster than that with
    their depth (ammonia's parser looks through the open elements at every tag)."""

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
    html = _cmark_html(text, _CMARK_OPTIONS | Options.CMARK_OPT_SOURCEPOS)
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
                    line = _raw_tag_line(text, tag.group(0), line)
                return BodyShape(elements, depth, cells, len(html), line, passed)
    return BodyShape(elements, depth, cells, len(html.encode("utf-8")) - positions)


def _raw_tag_line(text: str, tag: str, after: int | None) -> int | None:
    """The line of the author's raw HTML `tag`, which cmark passes through as written but
    marks with no source position: its first occurrence from line `after` on."""
    start = 0
    for _ in range((after or 1) - 1):
        start = text.find("\n", start) + 1
    found = text.find(tag, start)
    return text.count("\n", 0, found) + 1 if found >= 0 else after
