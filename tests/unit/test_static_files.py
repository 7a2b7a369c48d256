"""Static files and other generators' folders (issue 17, items 1 and 5): what the validator
and `check` make of every key an author may upload, without AWS."""

from __future__ import annotations

import json
import struct
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pressroom.ports import SourceObject
from pressroom.sources import collect_sources
from pressroom.validation import validate_source
from pressroom_local.cli import main
from pressroom_local.watch import FolderMirror, upload_content_type

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


@pytest.mark.parametrize(
    ("key", "says"),
    [
        ("about.html", "HTML is not published"),
        ("js/app.js", "JavaScript is never published"),
        ("data.json", "`.json` files are not published"),
    ],
)
def test_html_javascript_and_other_types_are_refused_saying_why(key: str, says: str) -> None:
    outcome = validate_source(SourceObject(key=key, size=3, body=b"abc"), first_seen=NOW)

    assert not outcome.valid
    assert outcome.kind is None
    assert says in outcome.errors[0].message


def test_an_asset_over_its_types_limit_is_refused_from_its_size() -> None:
    size = 21 * 1024 * 1024

    outcome = validate_source(
        SourceObject(key="big.png", size=size, body=tiny_png()[:32]), first_seen=NOW
    )

    assert not outcome.valid
    assert "over the limit of 20,971,520 bytes for image/png files" in outcome.errors[0].message


def test_a_file_that_is_not_what_its_name_says_is_refused() -> None:
    outcome = validate_source(
        SourceObject(key="cat.png", size=20, body=b"<html><script>x</script>"), first_seen=NOW
    )

    assert "does not begin as image/png files do" in outcome.errors[0].message


@pytest.mark.parametrize(
    "key", ["_layouts/post.html", "_includes/head.html", "_sass/main.scss", "_data/nav.yml"]
)
def test_other_generators_internals_are_ignored_and_check_says_so(
    key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{{ content }}")

    assert main(["check", "--json", str(tmp_path)]) == 0

    (entry,) = json.loads(capsys.readouterr().out)
    assert (entry["kind"], entry["valid"], entry["url"]) == ("ignored", True, None)
    assert "not published" in entry["warnings"][0]["message"]


def test_check_names_each_assets_url(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "logo.gif").write_bytes(TINY_GIF)

    assert main(["check", str(tmp_path)]) == 0

    assert f"ok       {tmp_path / 'static' / 'logo.gif'} → logo.gif" in capsys.readouterr().out


def test_an_svg_is_published_without_script_handlers_or_foreign_objects() -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()"><script>x()</script>'
        b'<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject>'
        b'<a href="javascript:x()"><circle r="3" onclick="x()"/></a></svg>'
    )

    outcome = validate_source(SourceObject(key="a.svg", size=len(svg), body=svg), first_seen=NOW)

    assert outcome.sanitised is not None
    assert b"<circle" in outcome.sanitised
    for gone in (b"script", b"onload", b"onclick", b"foreignObject", b"javascript"):
        assert gone not in outcome.sanitised


def test_an_svg_declaring_entities_is_refused() -> None:
    bomb = b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>'

    outcome = validate_source(SourceObject(key="a.svg", size=len(bomb), body=bomb), first_seen=NOW)

    assert "declares entities" in outcome.errors[0].message


def test_an_upload_tool_gives_every_type_its_own_content_type() -> None:
    assert upload_content_type("img/cat.PNG") == "image/png"
    assert upload_content_type("posts/a.md") == "text/markdown; charset=utf-8"


class _RecordingS3:
    """What `FolderMirror` asks of S3, recorded (no network, no moto)."""

    def __init__(self) -> None:
        self.puts: dict[str, str] = {}

    def put_object(self, *, Bucket: str, Key: str, Body: bytes, ContentType: str) -> None:
        self.puts[Key] = ContentType


def test_watch_mirrors_every_file_type(tmp_path: Path) -> None:
    (tmp_path / "hello.md").write_text("---\ntitle: Hello\n---\nHi.\n")
    (tmp_path / "cat.png").write_bytes(tiny_png())
    s3 = _RecordingS3()

    changes = FolderMirror(s3, "content", tmp_path).sync()  # type: ignore[arg-type]

    assert sorted(change.key for change in changes) == ["cat.png", "hello.md"]
    assert s3.puts["cat.png"] == "image/png"
