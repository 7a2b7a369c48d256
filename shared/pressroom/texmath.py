"""TeX math in a post body (`$…$`, `$$…$$`, `\\(…\\)`, `\\[…\\]`): kept out of Markdown's
reach, and shown as MathML, which browsers render with no script.

Before cmark runs, each formula outside code is taken out of the text and a marker left
in its place (two private-use characters around its number), so Markdown never reads its
underscores and backslashes. After the sanitiser, each marker becomes the formula's
MathML, made by latex2mathml and then checked against an allow-list of MathML elements
and attributes (rebuilt from that check, so nothing else survives: no script, no link, no
style). A formula that does not convert, or converts to anything outside the list, is
shown as its TeX, escaped, in `<code class="math-tex">`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from xml.etree import ElementTree as ET

MAX_FORMULAS = 1_000
"""Formulas converted in one post; the rest are shown as their TeX, as text. Each costs
about a millisecond: a post stays inside its render budget whatever it holds."""
MAX_TEX_CHARS = 4_000

_OPEN, _CLOSE = "\ue000", "\ue001"
_MARKER = re.compile(f"{_OPEN}(\\d+){_CLOSE}")
# Display first, then inline. An inline `$…$` opens on a `$` followed by a non-space and
# closes on one preceded by a non-space and not followed by a digit (Pandoc's rule), so
# prices (`$5 and $10`) stay text; `\$` is a dollar sign.
_FORMULA = re.compile(
    r"\$\$(?P<display>[^$]{1,4000}?)\$\$"
    r"|\\\[(?P<bracket>.{1,4000}?)\\\]"
    r"|(?<![\\$])\$(?P<inline>[^\s$](?:[^$\n]{0,3998}[^\s$\\])?)\$(?![\d$])"
    r"|\\\((?P<paren>.{1,4000}?)\\\)",
    re.DOTALL,
)
_MATHML = "{http://www.w3.org/1998/Math/MathML}"
_ELEMENTS = frozenset(
    [
        "math",
        "mrow",
        "mi",
        "mn",
        "mo",
        "ms",
        "mtext",
        "mspace",
        "msup",
        "msub",
        "msubsup",
        "mfrac",
        "msqrt",
        "mroot",
        "mover",
        "munder",
        "munderover",
        "mmultiscripts",
        "mprescripts",
        "none",
        "mtable",
        "mtr",
        "mtd",
        "mlabeledtr",
        "mstyle",
        "mpadded",
        "mphantom",
        "menclose",
        "merror",
        "semantics",
        "annotation",
    ]
)
_ATTRIBUTES = frozenset(
    [
        "display",
        "mathvariant",
        "displaystyle",
        "scriptlevel",
        "stretchy",
        "fence",
        "separator",
        "lspace",
        "rspace",
        "accent",
        "accentunder",
        "columnalign",
        "rowalign",
        "columnspacing",
        "rowspacing",
        "columnlines",
        "rowlines",
        "frame",
        "framespacing",
        "linethickness",
        "width",
        "height",
        "depth",
        "notation",
        "minsize",
        "maxsize",
        "movablelimits",
        "largeop",
        "symmetric",
        "form",
        "mathsize",
        "encoding",
        "align",
        "side",
        "bevelled",
        "numalign",
        "denomalign",
        "equalrows",
        "equalcolumns",
    ]
)
# Attribute values are words, numbers and lengths: nothing that could hold an address.
_VALUE = re.compile(r"[A-Za-z0-9 .%#+-]{0,60}")


@dataclass(frozen=True)
class Formulas:
    """A text with its formulas taken out, and the formulas, by number."""

    markdown: str
    formulas: tuple[tuple[str, bool], ...]
    """Each formula's TeX, and whether it is displayed (a block) or inline."""


def take_out_math(text: str, code_in: Callable[[str], list[tuple[int, int]]]) -> Formulas:
    """`text` with each formula outside its code (`code_in(text)`, ranges in order)
    replaced by a marker. Finding code costs a cmark pass: done only for a text that may
    hold a formula."""
    if _OPEN in text or _CLOSE in text or ("$" not in text and "\\" not in text):
        return Formulas(text, ())
    code = code_in(text)
    pieces: list[str] = []
    formulas: list[tuple[str, bool]] = []
    copied = 0
    ranges = iter(code)
    current = next(ranges, None)
    for found in _FORMULA.finditer(text):
        while current is not None and current[1] <= found.start():
            current = next(ranges, None)
        if current is not None and current[0] < found.end():
            continue  # in code, or overlapping it: text as written
        tex = next(group for group in found.groups() if group is not None)
        display = found.group("inline") is None and found.group("paren") is None
        pieces += [text[copied : found.start()], f"{_OPEN}{len(formulas)}{_CLOSE}"]
        formulas.append((tex.strip(), display))
        copied = found.end()
    pieces.append(text[copied:])
    return Formulas("".join(pieces), tuple(formulas))


def put_back_math(page: str, formulas: tuple[tuple[str, bool], ...]) -> str:
    """`page` with each marker replaced by its formula's MathML (or its TeX as code)."""
    if not formulas:
        return page

    def formula(marker: re.Match[str]) -> str:
        number = int(marker.group(1))
        if number >= len(formulas):
            return ""
        tex, display = formulas[number]
        delimiter = "$$" if display else "$"
        written = html.escape(delimiter + tex + delimiter)
        if number >= MAX_FORMULAS:
            return written  # as text: the page grows no more than the file
        mathml = _mathml(tex, display) if len(tex) <= MAX_TEX_CHARS else None
        return mathml if mathml is not None else f'<code class="math-tex">{written}</code>'

    return _MARKER.sub(formula, page)


def _mathml(tex: str, display: bool) -> str | None:
    """The formula as MathML inside the allow-list, or None."""
    # latex2mathml is imported by the first formula (about 10 ms of a cold start): a
    # function whose first post has none never loads it.
    from latex2mathml.converter import convert

    try:
        converted = convert(tex, display="block" if display else "inline")
        # latex2mathml writes `<math …>` first: no DOCTYPE, so no entity, can come before it.
        root = ET.fromstring(converted)  # noqa: S314 # nosec B314
    except Exception:  # latex2mathml raises many kinds on bad TeX; any means "show TeX"
        return None
    try:
        return _written(root, top=True)
    except ValueError:
        return None


def _written(element: ET.Element, *, top: bool = False) -> str:
    """An element rebuilt from the allow-list; ValueError for anything outside it."""
    if not element.tag.startswith(_MATHML):
        raise ValueError(element.tag)
    name = element.tag.removeprefix(_MATHML)
    if name not in _ELEMENTS or (name == "math") != top:
        raise ValueError(name)
    attributes = ""
    for attribute, value in element.attrib.items():
        if attribute not in _ATTRIBUTES or not _VALUE.fullmatch(value):
            raise ValueError(attribute)
        attributes += f' {attribute}="{html.escape(value)}"'
    if top:
        attributes = ' xmlns="http://www.w3.org/1998/Math/MathML"' + attributes
    inner = html.escape(element.text or "", quote=False)
    for child in element:
        inner += _written(child) + html.escape(child.tail or "", quote=False)
    return f"<{name}{attributes}>{inner}</{name}>"
