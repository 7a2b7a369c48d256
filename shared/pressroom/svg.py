"""SVG sanitising: the validator publishes an author's SVG only as rebuilt here.

An SVG opened directly is a document on the site's origin: a `<script>`, an event handler,
a `javascript:` link, an animation that sets one, or a `<foreignObject>` holding HTML would
run there. The file is parsed as XML and rebuilt from an allowlist: SVG elements that only
draw, attributes with no handler and links that go nowhere but the document itself, an
embedded raster image or the web. Everything else is dropped with its subtree.

No library does this inside the Lambda layer: py-svg-hush (Cloudflare's svg-hush) has no
aarch64 wheel, and nh3 (ammonia) cleans HTML, which would serialise SVG as HTML. The
parser is the standard library's expat; a document type with an internal subset (where
entities, and entity bombs, are declared) is refused before anything is parsed. The
renderer's CloudFront behaviour for `*.svg` adds `Content-Security-Policy: sandbox` as a
second wall (docs/architecture.md, "Static files").
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # nosec B405 - DTDs refused first; expat fetches nothing
from urllib.parse import urlsplit

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

MAX_DEPTH = 256

_DRAWING = {
    "svg", "g", "defs", "symbol", "use", "title", "desc", "metadata", "style", "switch",
    "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
    "text", "tspan", "textPath", "a", "image", "view",
    "linearGradient", "radialGradient", "stop", "pattern", "clipPath", "mask", "marker",
    "filter", "feBlend", "feColorMatrix", "feComponentTransfer", "feComposite",
    "feConvolveMatrix", "feDiffuseLighting", "feDisplacementMap", "feDistantLight",
    "feDropShadow", "feFlood", "feFuncA", "feFuncB", "feFuncG", "feFuncR", "feGaussianBlur",
    "feImage", "feMerge", "feMergeNode", "feMorphology", "feOffset", "fePointLight",
    "feSpecularLighting", "feSpotLight", "feTile", "feTurbulence",
}  # fmt: skip
"""Not here, so dropped: script, foreignObject, iframe, embed, object, and the animation
elements (set, animate…), which can set an `href` to `javascript:` after the fact."""

_INTERNAL_SUBSET = re.compile(rb"<!DOCTYPE[^>\[]*\[", re.IGNORECASE)
_RASTER_DATA = re.compile(r"data:image/(png|jpeg|gif|webp|avif);", re.IGNORECASE)


class SvgError(ValueError):
    """The file is not an SVG this module can rebuild; the message says why."""


def sanitise_svg(raw: bytes) -> bytes:
    """The SVG rebuilt from its allowlisted parts, as UTF-8 XML; SvgError if it is none."""
    if _INTERNAL_SUBSET.search(raw) or b"<!ENTITY" in raw:
        raise SvgError("declares entities (a DOCTYPE with [...]); remove the declarations")
    try:
        root = ET.fromstring(raw)  # noqa: S314 # nosec B314 - entity declarations refused above
    except ET.ParseError as error:
        raise SvgError(f"is not well-formed XML ({error})") from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise SvgError(f'the root element must be <svg xmlns="{SVG_NS}">')
    _check_depth(root)
    _clean(root)
    rebuilt: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return rebuilt


def _check_depth(root: ET.Element) -> None:
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise SvgError(f"nests elements more than {MAX_DEPTH} deep")
        stack += [(child, depth + 1) for child in element]


def _clean(element: ET.Element) -> None:
    for name in list(element.attrib):
        if not _attribute_allowed(name, element.attrib[name]):
            del element.attrib[name]
    for child in list(element):
        if _element_allowed(child.tag):
            _clean(child)
        else:
            element.remove(child)


def _element_allowed(tag: object) -> bool:
    # Comments and processing instructions never reach the tree; only SVG elements stay.
    return (
        isinstance(tag, str) and tag.startswith(f"{{{SVG_NS}}}") and tag.split("}")[1] in _DRAWING
    )


def _attribute_allowed(name: str, value: str) -> bool:
    namespace, _, local = name[1:].rpartition("}") if name.startswith("{") else ("", "", name)
    if namespace not in {"", XLINK_NS, XML_NS} or local.lower().startswith("on"):
        return False
    if local == "href":
        return _link_allowed(value)
    return True


def _link_allowed(value: str) -> bool:
    """A fragment of this document, an embedded raster image, or a web address."""
    link = "".join(value.split())  # browsers ignore whitespace inside a scheme
    if link.startswith("#") or _RASTER_DATA.match(link):
        return True
    try:
        scheme = urlsplit(link).scheme.lower()
    except ValueError:
        return False
    return scheme in {"http", "https", ""} and not link.lower().startswith("data:")
