"""The documents a warm renderer has read, kept for the next page that needs one.

A post's page is written again whenever a post joins or leaves beside it (its older and
newer links change), each time from the post's document: in a back catalogue imported in
random date order, two or three such pages a post. A document is stored under its content
hash (`models.document_key`), so a key names one document and a kept one is never stale:
a file that changes is a new key. (A release whose validator writes another document for
the same content starts in new sandboxes, with nothing kept.)
"""

from __future__ import annotations

import sys
from collections import OrderedDict

from pressroom.models import CopySource, PostDocument
from pressroom.ports import DocumentStore

DOCUMENTS_BUDGET_BYTES = 24 * 1024 * 1024
"""About 1,500 documents of a post of 7 KiB of Markdown, each with its body's HTML. With
the renderer's other caches (docs/architecture.md, "The render budget") 98 MiB at most,
beside the 256 MiB a post's render may take of the function's 512."""

_FIELDS_BYTES = 2048
"""What a document's fields but its body weigh in memory, about: its title, dates, tags
and summary as strings, and the model around them."""


def kept_weight(document: PostDocument) -> int:
    """The bytes a kept document counts against the budget: its body as written and as
    HTML, and its fields."""
    html = sys.getsizeof(document.body_html) if document.body_html is not None else 0
    return sys.getsizeof(document.body_markdown) + html + _FIELDS_BYTES


class KeptDocuments:
    """A document store whose reads are kept, least recently used dropped first, within a
    budget of bytes; writes go straight through."""

    def __init__(self, store: DocumentStore, budget_bytes: int = DOCUMENTS_BUDGET_BYTES) -> None:
        self.store = store
        self._budget = budget_bytes
        self._size = 0
        self._kept: OrderedDict[str, tuple[PostDocument, int]] = OrderedDict()

    def get(self, key: str) -> PostDocument:
        kept = self._kept.get(key)
        if kept is not None:
            self._kept.move_to_end(key)
            return kept[0]
        document = self.store.get(key)
        weight = kept_weight(document)
        if weight <= self._budget:
            self._kept[key] = document, weight
            self._size += weight
            while self._size > self._budget:
                self._size -= self._kept.popitem(last=False)[1][1]
        return document

    def put(self, document: PostDocument) -> None:
        self.store.put(document)

    def put_asset(self, body: bytes, content_hash: str, content_type: str) -> CopySource:
        return self.store.put_asset(body, content_hash, content_type)

    def __len__(self) -> int:
        return len(self._kept)
