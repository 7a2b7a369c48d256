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


DEFAULT_LIMITS = Limits()
