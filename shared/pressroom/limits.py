"""Limits that keep one hostile file from costing a function its memory or its time."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Limits(BaseModel):
    """Every bound the validator enforces. Each error that cites one names it."""

    model_config = ConfigDict(frozen=True)

    max_object_bytes: int = 1024 * 1024
    """Largest source file read at all; checked from the object's size before its body is read."""
    max_front_matter_bytes: int = 64 * 1024
    """Largest front-matter block."""
    max_front_matter_depth: int = 16
    """Deepest nesting of lists and mappings in the front matter."""
    max_front_matter_nodes: int = 10_000
    """Most values (scalars, lists, mappings) in the front matter."""
    max_aliases: int = 20
    """Most old URLs (`aliases`, `redirect_from`) one page redirects from: each is a small
    page the renderer writes with the post's."""
    max_tags: int = 20
    """Most tags, and most categories, on one post. One index write replaces the tag
    items of at most two slugs' owners, and a DynamoDB transaction holds 100 items
    (docs/architecture.md counts the largest write)."""
    max_tag_key_bytes: int = 200
    """Longest tag key (`slugs.tag_key`, UTF-8 bytes), which names the tag's page and index
    item: DynamoDB's partition keys hold 2,048 bytes, and a link percent-encodes the key to
    at most three times this length."""
    max_title_chars: int = 500
    max_source_key_bytes: int = 900
    """Longest object key published: a claim's sort key holds the key, and DynamoDB's sort
    keys hold 1,024 bytes."""
    max_summary_bytes: int = 16 * 1024
    """Largest post summary (title, description, tags and the rest, as JSON): it is
    stored in the post, claim and month items, each within DynamoDB's 400 KB and a
    transaction within its 4 MB."""

    # The body's bounds keep the renderer within RENDER_BUDGET whatever the Markdown says
    # (bench/hostile.py renders the worst files they let through). The sanitiser's time and
    # memory grow with the HTML's elements (about 1 KB of memory each), and its time with
    # their depth too: 100 KB of nested `>` took it 30 s, a 1 MiB table 1.3 GB.
    max_body_elements: int = 40_000
    """Most HTML elements a body renders to (paragraphs, list items, links, emphasis, cells,
    the author's own tags)."""
    max_body_depth: int = 48
    """Deepest nesting of elements in a body (quotes in quotes, lists in lists, `<div>`s)."""
    max_table_cells: int = 10_000
    """Most table cells in a body: a row of one `|` makes as many cells as the header has."""
    max_body_html_bytes: int = 4 * 1024 * 1024
    """Largest HTML a body renders to, before sanitising (the page holds about as much)."""


DEFAULT_LIMITS = Limits()


class RenderBudget(BaseModel):
    """What rendering one accepted post may cost, as a fixed share of the renderer's
    Lambda function (template.yaml: 30 s, 512 MB), whatever its content. The body limits
    above hold it; `python -m bench.hostile` measures the worst files they accept."""

    model_config = ConfigDict(frozen=True)

    function_timeout_seconds: float = 30
    function_memory_bytes: int = 512 * 1024 * 1024
    time_share: float = 0.1
    """A tenth of the timeout: 3 s for the worst post, so a batch that meets one still ends."""
    memory_share: float = 0.5
    """Half the memory: 256 MB for the worst post, beside the runtime, theme and listings."""

    @property
    def seconds(self) -> float:
        return self.function_timeout_seconds * self.time_share

    @property
    def bytes(self) -> int:
        return int(self.function_memory_bytes * self.memory_share)


RENDER_BUDGET = RenderBudget()
