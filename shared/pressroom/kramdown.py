"""What kramdown (Jekyll's Markdown) authors write beyond CommonMark, read from the HTML
cmark-gfm makes of it: attribute lists (`{: .lead #intro}`) and the table-of-contents
marker (`* TOC` / `{:toc}`, and Python-Markdown's `[TOC]`). Pure functions over HTML
whose headings already have their ids; the sanitiser comes after."""

from __future__ import annotations

import html as html_entities
import re

# An inline attribute list, as kramdown writes them: `{: .class #id key="value"}`,
# `{:.class}`; and an attribute list definition, `{:name: .class}`. Never across lines.
_ATTRIBUTE_LIST = r"\{:(?!toc\})(?:[A-Za-z][\w-]*:)?[ \t]*(?:[^{}\n]{0,200})\}"
_TOC_MARKER = r"(?:\{:toc\}|\[TOC\])"
# The marker alone in a paragraph, or as kramdown asks for it: a one-item list `* TOC`.
_TOC_BLOCK = re.compile(
    rf"<p>\s*{_TOC_MARKER}\s*</p>|<(ul|ol)>\s*<li>[^<]*?\n?\s*{_TOC_MARKER}\s*</li>\s*</\1>"
)
# A list ending a block's text (kramdown's block attributes): applied to that block.
_BLOCK_ATTRIBUTES = re.compile(
    rf"<(p|li|h[1-6]|blockquote|td|th)>((?:(?!</?\1[\s>]).)*?)\s*({_ATTRIBUTE_LIST})\s*</\1>",
    re.DOTALL,
)
# Any other list outside code: after an image or a link (span attributes), or a block of
# its own (which would apply to the block before it). Removed.
_ANY_ATTRIBUTES = re.compile(rf"(?:<p>\s*{_ATTRIBUTE_LIST}\s*</p>\n?)|{_ATTRIBUTE_LIST}")
_ID = re.compile(r"(?:^|\s)#([A-Za-z][\w:.-]{0,80})")
_CODE = re.compile(r"<pre\b.*?</pre>|<code\b.*?</code>", re.DOTALL)
_HEADING = re.compile(r'<h([2-4]) id="([^"]+)">(.*?)</h\1>')
_TAGS = re.compile(r"<[^>]*>")


def apply_kramdown(html: str, *, table_of_contents: bool = False) -> str:
    """`html` with kramdown's attribute lists applied where safe (an id on the block they
    end) and otherwise removed, and a table of contents where one is asked for, or at the
    top when `table_of_contents` (front matter's `toc: true`) asks."""
    parts: list[str] = []
    end = 0
    for code in _CODE.finditer(html):
        parts += [_outside_code(html[end : code.start()]), code.group(0)]
        end = code.end()
    parts.append(_outside_code(html[end:]))
    result = "".join(parts)
    contents = _table_of_contents(result)
    if first := _TOC_BLOCK.search(result):
        # The first marker holds the table; any other is dropped.
        after = _TOC_BLOCK.sub("", result[first.end() :])
        return result[: first.start()] + contents + after
    if table_of_contents and contents:
        return contents + "\n" + result
    return result


def _outside_code(html: str) -> str:
    if "{:" not in html:
        return html
    html = _BLOCK_ATTRIBUTES.sub(_with_id, html)
    return _ANY_ATTRIBUTES.sub("", html)


def _with_id(block: re.Match[str]) -> str:
    tag, inner, attributes = block.group(1), block.group(2), block.group(3)
    if inner.strip() in ("", "TOC") or re.fullmatch(_TOC_MARKER, attributes):
        return block.group(0)  # a table-of-contents marker, or a list of its own
    found = _ID.search(html_entities.unescape(attributes[2:-1]))
    opening = f'<{tag} id="{found.group(1)}">' if found else f"<{tag}>"
    return f"{opening}{inner}</{tag}>"


def _table_of_contents(html: str) -> str:
    """A nested list linking each h2 to h4 of the page, by the ids they have."""
    headings = [
        (int(level), anchor, _TAGS.sub("", inner))
        for level, anchor, inner in _HEADING.findall(html)
    ]
    if not headings:
        return ""
    return (
        '<nav class="table-of-contents" aria-label="Contents">\n' + _nested(headings) + "\n</nav>"
    )


def _nested(headings: list[tuple[int, str, str]]) -> str:
    """Headings as a list, each holding the deeper ones that follow it."""
    items: list[str] = []
    position = 0
    while position < len(headings):
        level, anchor, text = headings[position]
        end = position + 1
        while end < len(headings) and headings[end][0] > level:
            end += 1
        inner = _nested(headings[position + 1 : end]) if end > position + 1 else ""
        items.append(f'<li><a href="#{anchor}">{text}</a>{inner}</li>')
        position = end
    return "<ul>\n" + "\n".join(items) + "\n</ul>"
