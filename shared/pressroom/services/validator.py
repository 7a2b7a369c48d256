"""The validator's job: one content event in, one index message out."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from pressroom.events import ContentEvent
from pressroom.limits import Limits
from pressroom.models import AssetSummary, CopySource, IndexMessage, ValidationOutcome
from pressroom.ports import ContentStore, DocumentStore, IndexQueue, SourceObject
from pressroom.validation import DEFAULT_LAYOUTS, read_plan, validate_source

_Source = TypeVar("_Source", bound=Hashable)


@dataclass(frozen=True)
class ValidatorService:
    content: ContentStore
    documents: DocumentStore
    index_queue: IndexQueue
    limits: Limits
    layouts: frozenset[str] = DEFAULT_LAYOUTS
    drafts: bool = False
    """A drafts preview: posts under `_drafts/` are read as drafts (`validate_source`)."""

    def handle(self, event: ContentEvent) -> IndexMessage | None:
        """Validate the object an event names, store its document, and say what the
        indexer must do: the message that `send` delivers with the rest of the batch.

        Returns None when the object is already gone: the removal event that
        follows says what to do.
        """
        if event.action == "removed":
            return IndexMessage(
                action="delete",
                source_key=event.key,
                sequencer=event.sequencer,
                event_time=event.event_time,
            )
        outcome = self.validate(event)
        if outcome is None:
            return None
        return self._verdict(event, outcome)

    def send(self, messages: Mapping[_Source, Sequence[IndexMessage]]) -> dict[_Source, str]:
        """Send the messages of a batch of sources (queue records) in as few requests as
        the queue takes. Returns the sources whose messages were not all sent, with why:
        each must be handled again (the messages that did go are duplicates the indexer
        ignores)."""
        sources = [source for source, batch in messages.items() for _ in batch]
        unsent = self.index_queue.send(
            [message for batch in messages.values() for message in batch]
        )
        return {sources[position]: reason for position, reason in unsent.items()}

    def validate(self, event: ContentEvent) -> ValidationOutcome | None:
        plan = read_plan(event.key, self.limits, drafts=self.drafts)
        source = (
            self.content.fetch(
                event.key, max_bytes=plan.max_bytes, version_id=event.version_id, whole=plan.whole
            )
            if plan.max_bytes
            # Ignored and refused by their key alone: nothing of them is read.
            else SourceObject(key=event.key, size=event.size or 0, body=b"")
        )
        if source is None:
            return None
        if source.version_id is None:
            source = replace(source, version_id=event.version_id)
        return validate_source(
            source,
            first_seen=event.event_time,
            limits=self.limits,
            layouts=self.layouts,
            drafts=self.drafts,
        )

    def _verdict(self, event: ContentEvent, outcome: ValidationOutcome) -> IndexMessage:
        common = {
            "source_key": event.key,
            "sequencer": event.sequencer,
            "event_time": event.event_time,
            "warnings": outcome.warnings,
        }
        if outcome.kind == "ignored":
            return IndexMessage(action="ignored", **common)
        if outcome.site is not None:
            return IndexMessage(action="upsert", site=outcome.site, **common)
        if outcome.asset is not None:
            return IndexMessage(action="upsert", asset=self._publishable(event, outcome), **common)
        if outcome.document is None:
            return IndexMessage(action="invalid", errors=outcome.errors, **common)
        # The document is stored before the message is sent, so the indexer
        # never points at a document that is not there.
        self.documents.put(outcome.document)
        return IndexMessage(action="upsert", post=outcome.document.summary(), **common)

    def _publishable(self, event: ContentEvent, outcome: ValidationOutcome) -> AssetSummary:
        """The asset with the object the renderer copies: the sanitised rewrite, stored
        first (as a document is), or the very version of the upload that was validated."""
        asset = outcome.asset
        assert asset is not None
        if outcome.sanitised is not None and asset.content_hash is not None:
            source = self.documents.put_asset(
                outcome.sanitised, asset.content_hash, asset.content_type
            )
        else:
            source = CopySource(bucket=event.bucket, key=event.key, version_id=outcome.version_id)
        return asset.model_copy(update={"copy_source": source})
