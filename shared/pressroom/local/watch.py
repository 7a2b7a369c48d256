"""`pressroom local --watch DIR`: a local folder mirrored into the content bucket.

The folder is polled rather than watched through the operating system: it
needs no extra dependency, behaves the same on every platform and editor
(atomic saves, renames, network drives), and half a second is quicker than
an author switches to the browser.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pressroom.assets import asset_type
from pressroom.sources import collect_sources
from pressroom.validation import MARKDOWN_SUFFIXES

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
    ) -> None:
        """Sync every `interval_seconds` until `stop` is set; a failed pass is reported and
        retried, never fatal."""
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
