"""Errors Pressroom raises. Invalid content is not an exception: it is a ValidationOutcome."""

from __future__ import annotations


class PressroomError(Exception):
    """Base of every error Pressroom raises on purpose."""


class FrontMatterError(PressroomError):
    """The front matter cannot be read at all (syntax, encoding, limits)."""

    def __init__(self, message: str, *, line: int | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.field = field


class ConfigurationError(PressroomError):
    """The environment or template does not describe a usable stack."""


class TransientStoreError(PressroomError):
    """An AWS call failed in a way that a retry can fix; the record goes back to its queue."""


class ConcurrentWriteError(TransientStoreError):
    """The index moved between the read and the conditional write; retrying re-plans the write."""


class IndexWriteTooLargeError(PressroomError):
    """One event would change more items than a DynamoDB transaction can hold."""


class ListingRenderError(PressroomError):
    """A listing could not be rendered: another message of the batch that asks for it is
    told so (and asks for it again), and a message whose listing failed its last try
    fails with it (`ListingBatch.render_message`)."""


class ListingChurnError(TransientStoreError):
    """A listing's posts kept changing while it was rendered; the stream batch is retried."""
