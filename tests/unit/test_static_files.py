"""Static files and other generators' folders (issue 17, items 1 and 5): what the validator
and `check` make of every key an author may upload, without AWS."""

from __future__ import annotations

import struct
import zlib
from datetime import UTC, datetime
from pathlib import Path

from pressroom.ports import SourceObject
from pressroom.sources import collect_sources
from pressroom.validation import validate_source

NOW = datetime(2024, 5, 1, tzinfo=UTC)


def tiny_png() -> bytes:
    """A one-pixel PNG, made here: signature, IHDR, IDAT, IEND."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


TINY_GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"


def validate(key: str, body: bytes) -> object:
    return validate_source(SourceObject(key=key, size=len(body), body=body), first_seen=NOW)


def test_an_image_is_accepted_as_an_asset_at_its_site_path() -> None:
    outcome = validate_source(
        SourceObject(key="static/img/cat.png", size=len(tiny_png()), body=tiny_png()),
        first_seen=NOW,
    )

    assert outcome.valid, outcome.errors
    assert outcome.kind == "asset"
    assert outcome.asset is not None
    assert (outcome.asset.path, outcome.asset.content_type) == ("img/cat.png", "image/png")


def test_a_drafts_file_is_ignored_not_published() -> None:
    body = b"---\ntitle: Work in progress\n---\nNot yet.\n"

    outcome = validate_source(
        SourceObject(key="_drafts/wip.md", size=len(body), body=body), first_seen=NOW
    )

    assert outcome.kind == "ignored"
    assert outcome.document is None
    assert "never published" in outcome.warnings[0].message


def test_a_folder_gives_every_file_type(tmp_path: Path) -> None:
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "hello.md").write_text("---\ntitle: Hello\n---\nHi.\n")
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "cat.gif").write_bytes(TINY_GIF)

    keys = [key for key, _ in collect_sources([tmp_path])]

    assert keys == ["images/cat.gif", "posts/hello.md"]
