"""Markdown to HTML the way GitHub renders it, then sanitised so nothing in it can run."""

from __future__ import annotations

import re

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options

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
    html = cmarkgfm.markdown_to_html_with_extensions(
        text, options=_CMARK_OPTIONS, extensions=_GITHUB_EXTENSIONS
    )
    return sanitize_html(html)


def sanitize_html(html: str) -> str:
    cleaned = _CLEANER.clean(_SPECIAL_CONTEXT_TAG.sub("", html))
    # Every image needs an alt; one the author left out is taken as decorative.
    return _IMG_WITHOUT_ALT.sub('<img alt=""', cleaned)
