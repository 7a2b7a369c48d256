"""Read a rendered page the way a reader sees it: text by element, links, meta."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Page:
    texts: dict[str, list[str]] = field(default_factory=dict)
    """Text content of each h1, p, time, title element, in order."""
    attributes: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def links(self) -> list[str]:
        return [attrs["href"] for tag, attrs in self.attributes if tag == "a" and "href" in attrs]

    def first(self, tag: str, **match: str) -> dict[str, str]:
        for name, attrs in self.attributes:
            if name == tag and all(attrs.get(key) == value for key, value in match.items()):
                return attrs
        raise AssertionError(f"no <{tag}> with {match}")


class _Reader(HTMLParser):
    TEXT_TAGS = frozenset({"h1", "h2", "p", "time", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.open: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.page.attributes.append((tag, {key: value or "" for key, value in attrs}))
        if tag in self.TEXT_TAGS:
            self.open.append((tag, []))

    def handle_endtag(self, tag: str) -> None:
        if self.open and self.open[-1][0] == tag:
            name, parts = self.open.pop()
            self.page.texts.setdefault(name, []).append(" ".join("".join(parts).split()))

    def handle_data(self, data: str) -> None:
        for _, parts in self.open:
            parts.append(data)


def read_page(html: str) -> Page:
    reader = _Reader()
    reader.feed(html)
    return reader.page
