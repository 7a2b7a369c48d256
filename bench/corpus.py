"""Seed-shaped corpora: posts like ../shared/corpus/good/armenia-azerbaijan-truce.md.

Each post has the seed's front matter (`extends`, `section`, `image`, folded
`title` and `description`, an epoch `date`), a few tags, and a body of about
8 KB of paragraphs. A corpus is a pure function of its size and seed, so every
run, and every peer (Hugo, Pelican), works on the very same posts.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

BODY_BYTES = 8 * 1024
FIRST_DAY = datetime(2018, 1, 1, tzinfo=UTC)
SPAN = timedelta(days=7 * 365)
"""Corpus posts are dated over seven years; new posts are dated after all of them."""
NEW_POSTS_FROM = FIRST_DAY + SPAN + timedelta(days=1)

_WORD_TEXT = """
truce cease-fire ministry region forces talks border shelling civilians agreement
minister statement officials government capital accused military withdrawal deal
negotiations conflict humanitarian president parliament election council report
analysts markets economy inflation harvest drought river bridge railway harbour
province village mountain winter summer spring autumn morning evening overnight
security pact diplomats envoy summit delegation observers monitors mission aid
refugees shelter hospital school supplies convoy corridor checkpoint frontier
the a of and to in on for with after before during while that which when where
said says told announced denied confirmed warned agreed rejected called urged
new old first last major minor several many few early late long short
"""
_TAG_TEXT = """
world europe asia caucasus russia diplomacy security economy energy climate
elections health migration trade technology science culture sport media law
transport agriculture water defence finance labour education housing history
opinion
"""
_WORDS = tuple(_WORD_TEXT.split())
_TAGS = tuple(_TAG_TEXT.split())
_IMAGE = "https://images.example.org/{slug}.jpg?quality=85&w=1200&h=628&crop=1"


@dataclass(frozen=True)
class Post:
    """One generated post: what every site generator gets, in its own layout."""

    slug: str
    title: str
    description: str
    date: datetime
    tags: tuple[str, ...]
    body: str

    @property
    def key(self) -> str:
        """Its key in Pressroom's content bucket (and path under a corpus folder)."""
        return f"posts/{self.slug}.md"

    def pressroom_source(self) -> str:
        """The seed's front-matter shape: `extends`, folded scalars, epoch date."""
        tags = "".join(f"  - {tag}\n" for tag in self.tags)
        return (
            "---\n"
            "extends: _layouts.post\n"
            "section: content\n"
            f"image: {_IMAGE.format(slug=self.slug)}\n"
            "title: >\n"
            f"  {self.title}\n"
            "description: >\n"
            f"  {self.description}\n"
            f"date: {self.date.timestamp():.7f}\n"
            f"tags:\n{tags}"
            "---\n"
            f"{self.body}"
        )

    def hugo_source(self) -> str:
        tags = ", ".join(f'"{tag}"' for tag in self.tags)
        return (
            "---\n"
            f'title: "{self.title}"\n'
            f'description: "{self.description}"\n'
            f"date: {self.date.isoformat()}\n"
            f"slug: {self.slug}\n"
            f"tags: [{tags}]\n"
            "---\n"
            f"{self.body}"
        )

    def pelican_source(self) -> str:
        return (
            f"Title: {self.title}\n"
            f"Date: {self.date.strftime('%Y-%m-%d %H:%M:%S')}\n"
            f"Slug: {self.slug}\n"
            f"Tags: {', '.join(self.tags)}\n"
            f"Summary: {self.description}\n"
            "\n"
            f"{self.body}"
        )


def _sentence(rng: random.Random, low: int = 8, high: int = 22) -> str:
    words = rng.choices(_WORDS, k=rng.randint(low, high))
    return " ".join(words).capitalize() + "."


def _body(rng: random.Random) -> str:
    paragraphs: list[str] = []
    size = 0
    while size < BODY_BYTES:
        paragraph = " ".join(_sentence(rng) for _ in range(rng.randint(3, 6)))
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
    return "\n\n".join(paragraphs)[:BODY_BYTES].rstrip() + ".\n"


def make_post(rng: random.Random, number: int, date: datetime, prefix: str = "story") -> Post:
    title = _sentence(rng, 5, 10).rstrip(".")
    headline = "-".join(title.lower().split()[:4])
    slug = "".join(c for c in f"{prefix}-{number:05d}-{headline}" if c.isalnum() or c == "-")
    return Post(
        slug=slug,
        title=title,
        description=_sentence(rng, 20, 35),
        date=date,
        tags=tuple(rng.sample(_TAGS, rng.randint(1, 3))),
        body=_body(rng),
    )


def corpus(size: int, seed: int = 9) -> list[Post]:
    """`size` posts dated over seven years, in a fixed order for a given seed."""
    rng = random.Random(f"{seed}:{size}")
    seconds = int(SPAN.total_seconds())
    return [
        make_post(rng, number, FIRST_DAY + timedelta(seconds=rng.randrange(seconds)))
        for number in range(size)
    ]


def new_posts(count: int, seed: int = 9) -> Iterator[Post]:
    """Posts newer than any corpus post (a newsroom publishes today's news)."""
    rng = random.Random(f"{seed}:new")
    for number in range(count):
        yield make_post(rng, number, NEW_POSTS_FROM + timedelta(hours=number), prefix="breaking")


def write_pressroom(posts: list[Post], folder: Path) -> list[tuple[str, Path]]:
    """Write posts as Pressroom sources under `folder`; (content-bucket key, path) pairs."""
    files = []
    for post in posts:
        path = folder / post.key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(post.pressroom_source(), encoding="utf-8")
        files.append((post.key, path))
    return files
