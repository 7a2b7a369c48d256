"""The listing queue's messages: the listing requests (`pressroom.listings`) one message
carries, and how many times they have failed before. Kept apart from the listings
themselves so that what reads a message (the batch processors' logging, the dead-letter
descriptions) loads nothing else."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

LISTINGS_PER_MESSAGE = 50
"""Listing requests one listing-queue message carries at most. Each message costs a send, a
receive and a delete (a tenth of a request each, batched): a stream batch's requests go in a
few messages, not one each. A message whose listings partly fail is not retried whole: its
failed listings are asked for again on their own (`ListingBatch`)."""

LISTING_MESSAGE_BYTES = 64 * 1024
"""A listing-queue message's body at most: four to a SendMessageBatch's 256 KiB. A request
is bounded by the index's key limits (a tag's key, a slug), so at least a few dozen fit."""


@dataclass(frozen=True)
class ListingMessage:
    """A listing-queue message: the listings it asks for, and how many times they have
    failed before (each failure asks for them again in a new message)."""

    requests: tuple[str, ...]
    failures: int = 0


def listing_message_bodies(requests: Sequence[str], failures: int = 0) -> list[str]:
    """`requests` packed into message bodies, in order, within LISTINGS_PER_MESSAGE and
    LISTING_MESSAGE_BYTES each."""

    def body(packed: list[str]) -> str:
        message: dict[str, object] = {"listings": packed}
        if failures:
            message["failures"] = failures
        return json.dumps(message, ensure_ascii=False)

    room = LISTING_MESSAGE_BYTES - len(body([]).encode("utf-8"))
    bodies: list[str] = []
    packed: list[str] = []
    used = 0
    for request in requests:
        # Its JSON string and the comma before it.
        size = len(json.dumps(request, ensure_ascii=False).encode("utf-8")) + 2
        if packed and (len(packed) == LISTINGS_PER_MESSAGE or used + size > room):
            bodies.append(body(packed))
            packed, used = [], 0
        packed.append(request)
        used += size
    if packed:
        bodies.append(body(packed))
    return bodies


def read_listing_message(body: str) -> ListingMessage | None:
    """A listing-queue message's body read; None for one that asks for no listing. The
    one-request form (`{"listing": ...}`) of earlier releases is read too, so messages
    queued before an upgrade are still rendered."""
    try:
        message = json.loads(body)
    except ValueError:
        return None
    if not isinstance(message, dict):
        return None
    requests = message.get("listings", [message.get("listing")])
    failures = message.get("failures", 0)
    if (
        not isinstance(requests, list)
        or not requests
        or not all(isinstance(request, str) and request for request in requests)
        or not isinstance(failures, int)
    ):
        return None
    return ListingMessage(tuple(requests), failures)


def describe_listings(requests: Sequence[str], named: int = 3) -> str:
    """`requests`, the first `named` of them by name and the rest counted."""
    more = len(requests) - named
    return ", ".join(requests[:named]) + (f" and {more} more" if more > 0 else "")
