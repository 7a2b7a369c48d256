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
from pressroom.validation import ValidationOutcome, validate_source
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


def validate(key: str, body: bytes) -> ValidationOutcome:
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


def test_a_file_of_hugos_content_folder_is_published_without_it() -> None:
    """Hugo serves `content/posts/walk/cliffs.png`, a page bundle's image, beside the page
    `/posts/walk/`."""
    outcome = validate("content/posts/walk/cliffs.png", tiny_png())

    assert outcome.asset is not None
    assert outcome.asset.path == "posts/walk/cliffs.png"


def test_a_jigsaw_sites_files_are_published_where_jigsaw_serves_them() -> None:
    image = validate("source/assets/images/harbour.png", tiny_png())
    post = validate("source/_posts/harbour-lights.md", A_POST)

    assert image.asset is not None and image.asset.path == "assets/images/harbour.png"
    assert (post.kind, post.errors) == ("post", ())


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


A_POST = b"---\ntitle: Lighthouses of the north\ndate: 2017-01-01\n---\n\nA demo post.\n"


NEVER_PUBLISHED = [
    # A Hugo repository synced whole: its theme's demo site, its archetypes, its
    # templates, the site Hugo built, the text of its list pages.
    ("themes/ananke/exampleSite/content/post/demo.md", A_POST, "`themes/`"),
    ("archetypes/default.md", b'---\ntitle: "{{ .Name }}"\n---\n', "`archetypes/`"),
    ("layouts/partials/head.html", b"<meta>", "`layouts/`"),
    ("i18n/en.toml", b'[more]\nother = "More"\n', "`i18n/`"),
    ("resources/_gen/images/a.png", tiny_png(), "`resources/`"),
    ("public/index.html", b"<html>built</html>", "`public/`"),
    ("public/images/logo.png", tiny_png(), "`public/`"),
    ("content/_index.md", b"---\ntitle: Home\n---\nWelcome.\n", "`_index.md`"),
    ("content/posts/_index.md", b"---\ntitle: Posts\n---\n", "`_index.md`"),
    # A Jekyll repository's: Jekyll's own default excludes, hidden files.
    ("Gemfile", b'gem "jekyll"\n', "`Gemfile`"),
    ("Gemfile.lock", b"GEM\n", "`Gemfile.lock`"),
    ("vendor/bundle/ruby/3.3.0/gems/x/README.md", b"# x\n", "`vendor/`"),
    ("node_modules/lunr/package.json", b"{}", "`node_modules/`"),
    (".git/HEAD", b"ref: refs/heads/main\n", "`.git`"),
    (".github/workflows/pages.yml", b"on: push\n", "`.github`"),
    ("assets/.DS_Store", b"\x00\x00\x00\x01Bud1", "`.DS_Store`"),
    # A Zola site's templates and style sheets.
    ("templates/page.html", b"{{ page.content | safe }}", "`templates/`"),
    ("sass/site.scss", b"body { margin: 0 }", "`sass/`"),
    # A Jigsaw site's templates and unbuilt assets, in its source/ folder.
    ("source/_layouts/post.blade.php", b"@extends('_layouts.main')", "`_layouts/`"),
    ("source/_assets/sass/main.scss", b"body { margin: 0 }", "`_assets/`"),
    # A repository's own documents, beside the site's files.
    ("README.md", b"# My blog\n\nBuilt with Hugo.\n", "`README.md`"),
    ("LICENSE", b"MIT License\n", "`LICENSE`"),
    ("CNAME", b"blog.example.org\n", "`CNAME`"),
    ("package.json", b'{"private": true}', "`package.json`"),
    ("config.php", b"<?php return ['baseUrl' => ''];", "`config.php`"),
    ("webpack.mix.js", b"mix.js('source/_assets/js/main.js', 'js');", "`webpack.mix.js`"),
    ("CHANGELOG.md", A_POST, "`CHANGELOG.md`"),
]
"""What a Jekyll or Hugo repository synced whole holds that no site of theirs publishes: key,
body, and what the reason names."""


@pytest.mark.parametrize(
    ("key", "body", "why"), NEVER_PUBLISHED, ids=[key for key, _, _ in NEVER_PUBLISHED]
)
def test_what_jekyll_and_hugo_never_publish_is_ignored_with_why(
    key: str, body: bytes, why: str
) -> None:
    outcome = validate(key, body)

    assert outcome.kind == "ignored", outcome
    assert outcome.valid
    assert why in outcome.warnings[0].message
    assert "not published" in outcome.warnings[0].message


@pytest.mark.parametrize(
    ("key", "body", "kind"),
    [
        (".well-known/security.txt", b"Contact: mailto:security@example.org\n", "asset"),
        ("static/.well-known/security.txt", b"Contact: mailto:security@example.org\n", "asset"),
        ("content/posts/index.md", A_POST, "post"),
        ("notes/readme.md", A_POST, "post"),
        ("posts/layouts/index.md", A_POST, "post"),
    ],
)
def test_files_named_like_those_elsewhere_are_published(key: str, body: bytes, kind: str) -> None:
    outcome = validate(key, body)

    assert (outcome.kind, outcome.errors) == (kind, ())


def test_check_and_publish_take_well_known_files_and_leave_other_hidden_ones(
    tmp_path: Path,
) -> None:
    for key in (".well-known/security.txt", ".git/HEAD", "posts/.DS_Store", "posts/a.md"):
        (tmp_path / key).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / key).write_text("x")

    keys = [key for key, _ in collect_sources([tmp_path])]

    assert keys == [".well-known/security.txt", "posts/a.md"]


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
