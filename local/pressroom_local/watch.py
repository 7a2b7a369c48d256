"""`pressroom local --watch DIR`: a local folder mirrored into the content bucket.

The folder is polled rather than watched through the operating system: it
needs no extra dependency, behaves the same on every platform and editor
(atomic saves, renames, network drives), and half a second is quicker than
an author switches to the browser.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pressroom.assets import asset_type
from pressroom.indexing import SourceStatus
from pressroom.models import is_config_name
from pressroom.site import claimed_path
from pressroom.sources import collect_sources
from pressroom.validation import MARKDOWN_SUFFIXES
from pressroom_local.outcome import on_site, when

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

MARKDOWN_CONTENT_TYPE = "text/markdown; charset=utf-8"


def upload_content_type(key: str) -> str:
    """The type an author's upload tool would give the file (the site's own comes from the
    validator, whatever this says)."""
    kind = asset_type(key)
    if kind is not None:
        return kind.content_type
    return (
        MARKDOWN_CONTENT_TYPE if key.lower().endswith(MARKDOWN_SUFFIXES) else "binary/octet-stream"
    )


@dataclass(frozen=True)
class Change:
    action: str
    """`put` or `delete`."""
    key: str


@dataclass(frozen=True)
class _Seen:
    mtime_ns: int
    size: int
    digest: str


class FolderMirror:
    """Puts the folder's new and changed files, of every type, into the bucket and deletes the keys
    of files that went away, under the keys `pressroom publish` gives them."""

    def __init__(self, s3: S3Client, bucket: str, folder: Path) -> None:
        self.s3 = s3
        self.bucket = bucket
        self.folder = folder
        self._seen: dict[str, _Seen] = {}

    def sync(self) -> list[Change]:
        """One pass: what changed since the last one is now in the bucket."""
        current = dict(collect_sources([self.folder]))
        changes: list[Change] = []
        for key, path in current.items():
            try:
                changed = self._put_if_changed(key, path)
            except FileNotFoundError:
                continue  # gone between listing and reading: the next pass deletes it
            if changed:
                changes.append(Change("put", key))
        for key in sorted(set(self._seen) - set(current)):
            self.s3.delete_object(Bucket=self.bucket, Key=key)
            del self._seen[key]
            changes.append(Change("delete", key))
        return changes

    def run(
        self,
        stop: threading.Event,
        report: Callable[[str], None],
        *,
        interval_seconds: float = 0.5,
        changed: Callable[[list[Change]], None] | None = None,
    ) -> None:
        """Sync every `interval_seconds` until `stop` is set, handing each pass's changes to
        `changed`; a failed pass is reported and retried, never fatal."""
        failing = False
        while not stop.wait(interval_seconds):
            try:
                changes = self.sync()
            except Exception as error:  # a watcher must outlive a bad moment
                if not failing:
                    report(f"watch: {error}")
                failing = True
                continue
            failing = False
            for change in changes:
                report(f"watch: {change.action:<6} s3://{self.bucket}/{change.key}")
            if changes and changed is not None:
                changed(changes)

    def _put_if_changed(self, key: str, path: Path) -> bool:
        stat = path.stat()
        seen = self._seen.get(key)
        if seen is not None and (seen.mtime_ns, seen.size) == (stat.st_mtime_ns, stat.st_size):
            return False
        body = path.read_bytes()
        digest = hashlib.sha256(body).hexdigest()
        changed = seen is None or seen.digest != digest  # else touched, not changed
        if changed:
            self.s3.put_object(
                Bucket=self.bucket, Key=key, Body=body, ContentType=upload_content_type(key)
            )
        self._seen[key] = _Seen(stat.st_mtime_ns, stat.st_size, digest)
        return changed


class Outcomes:
    """What became of each watched file, said as soon as the pipeline records it: published
    (and where), a draft, ignored, in conflict, deleted, or invalid with its errors."""

    def __init__(
        self,
        statuses: Callable[[list[str]], Mapping[str, SourceStatus | None]],
        report: Callable[[str], None],
        *,
        patience_seconds: float = 60.0,
        drafts: bool = False,
    ) -> None:
        self.statuses = statuses
        self.report = report
        self.drafts = drafts
        """A drafts preview: a draft's outcome names its page, as a post's does."""
        self.patience_seconds = patience_seconds
        self._waiting: dict[str, tuple[str | None, float]] = {}
        """Each key waited for: the sequencer its status had before the change, and since when."""
        self._lock = threading.Lock()

    def expect(self, changes: list[Change]) -> None:
        keys = [change.key for change in changes]
        before = self.statuses(keys)
        now = time.monotonic()
        with self._lock:
            for key in keys:
                status = before.get(key)
                self._waiting[key] = (status.sequencer if status else None, now)

    def run(self, stop: threading.Event, *, interval_seconds: float = 0.5) -> None:
        while not stop.wait(interval_seconds):
            with contextlib.suppress(Exception):  # a report must never stop the watcher
                self.check()

    def check(self) -> None:
        """Report every waited-for key whose status has moved; give up on the slow ones."""
        with self._lock:
            waiting = dict(self._waiting)
        if not waiting:
            return
        found = self.statuses(list(waiting))
        now = time.monotonic()
        for key, (sequencer, since) in waiting.items():
            status = found.get(key)
            if status is not None and status.sequencer != sequencer:
                for line in describe_outcome(status, drafts=self.drafts):
                    self.report(line)
            elif now - since > self.patience_seconds:
                self.report(f"waiting  {key}: not recorded yet; see `pressroom status {key}`")
            else:
                continue
            with self._lock:
                if self._waiting.get(key) == (sequencer, since):
                    del self._waiting[key]


def describe_outcome(status: SourceStatus, *, drafts: bool = False) -> list[str]:
    """A file's outcome as `--watch` prints it: a line, then its errors and warnings. With
    `drafts` (a preview), a draft's line names its page too."""
    where = ""
    site_path = claimed_path(status.slug, status.path) if status.slug else None
    if on_site(status, drafts=drafts) and site_path is not None:
        where = f" → /{site_path}"
    elif status.status == "published" and status.slug and is_config_name(status.slug):
        where = " (the site's settings: every page follows)"
    lines = [f"{status.status:<9} {status.source_key}{where}{when(status)}"]
    lines += [f"  error: {issue.describe(status.source_key)}" for issue in status.errors]
    lines += [f"  warning: {issue.describe(status.source_key)}" for issue in status.warnings]
    return lines
