"""TeX math (issue 18, item 3): formulas out of Markdown's reach, shown as MathML rebuilt
from an allow-list, whatever TeX an author (or an attacker) writes."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pressroom.markdown import render_markdown
from pressroom.texmath import MAX_FORMULAS, take_out_math

HOSTILE_TEX = [
    r"\text{<script>alert(1)</script>}",
    r"\text{<img src=x onerror=alert(1)>}",
    r"\href{javascript:alert(1)}{x}",
    r"\mathrm{</math><script>alert(1)</script>}",
    r"\style{background:url(javascript:alert(1))}{x}",
    r"\text{&lt;script&gt;} \& \text{]]>}",
    "\\text{<!DOCTYPE x [<!ENTITY a 'b'>]>}",
    r"\color{red}{x} \class{evil}{y} \cssId{main}{z}",
]
_PROSE = {"p", "code", "em", "strong", "a", "br", "blockquote", "ul", "ol", "li", "pre", "hr"}
_MATHML_ATTRIBUTES = {"xmlns", "display", "mathvariant", "stretchy", "fence", "separator"}
_MATHML_ATTRIBUTES |= {"lspace", "rspace", "accent", "columnalign", "linethickness", "width"}


class _Elements(HTMLParser):
    """Every element and attribute of a page, as a browser's parser meets them."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def _is_kept(tag: str, attributes: dict[str, str | None]) -> bool:
    if tag in _PROSE:
        href = attributes.get("href") or ""
        return (
            set(attributes) <= {"class", "href"}
            and attributes.get("class") in (None, "math-tex")
            and (":" not in href or href.startswith(("http:", "https:")))
        )
    mathml = tag.startswith("m") and tag not in ("meta", "marquee", "menu", "map", "main")
    return (mathml or tag in ("none", "semantics", "annotation")) and set(
        attributes
    ) <= _MATHML_ATTRIBUTES


def _active(page: str) -> list[tuple[str, dict[str, str | None]]]:
    """The elements of `page` that are neither prose, nor code, nor plain MathML."""
    reader = _Elements()
    reader.feed(page)
    return [(tag, attributes) for tag, attributes in reader.found if not _is_kept(tag, attributes)]


@pytest.mark.parametrize("tex", HOSTILE_TEX)
def test_no_tex_makes_anything_but_mathml_or_escaped_text(tex: str) -> None:
    for written in (f"${tex}$", f"$$\n{tex}\n$$"):
        page = render_markdown(written)

        assert not _active(page), page


@given(st.text(alphabet=st.sampled_from(list("$\\{}^_<>&;:/ aAx1()[]'\"=")), max_size=60))
def test_any_text_of_dollars_and_braces_renders_safely(text: str) -> None:
    assert not _active(render_markdown(text))


def test_a_post_of_many_formulas_converts_a_bounded_number() -> None:
    page = render_markdown(" ".join(f"$x_{{{n}}}$" for n in range(MAX_FORMULAS + 5)))

    assert page.count("<math ") == MAX_FORMULAS
    assert page.count("$x_{100") == 5, "the rest as their TeX, as text"
    assert "math-tex" not in page


def test_text_that_holds_the_markers_is_left_as_it_is() -> None:
    text = "A \ue000 0 \ue001 and $x$"

    assert take_out_math(text, lambda _: []).formulas == ()
