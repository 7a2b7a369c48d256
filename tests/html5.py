"""A rendered body read back as a browser reads it (html5lib, the WHATWG parsing algorithm)."""

from __future__ import annotations

from xml.etree.ElementTree import Element

import html5lib

_NAMESPACE = "{http://www.w3.org/1999/xhtml}"


def parse_body(html: str) -> Element:
    """`html` parsed as the content of a `<div>`, the way the page holds it; raises
    html5lib's ParseError on anything a browser would have to repair."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=True)
    fragment: Element = parser.parseFragment(html, container="div")
    return fragment


def words(element: Element) -> list[str]:
    """The words a reader sees, in order."""
    return " ".join(element.itertext()).split()


def count(element: Element, tag: str) -> int:
    return sum(1 for _ in element.iter(_NAMESPACE + tag))
