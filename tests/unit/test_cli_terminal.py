"""Everything the `pressroom` command prints from user data (keys, paths, titles, errors,
dead letters) reaches the terminal as text: an escape sequence in an S3 key cannot redraw
the screen, fake a line or set the window title (#8)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pressroom.adapters.dead_letters import DeadLetter
from pressroom.indexing import SourceStatus
from pressroom.models import Issue
from pressroom_local.cli import _print_dead_letters, _print_status, main

# Clear the screen, print a fake green "published" line, set the window title, and a
# right-to-left override that would reverse what follows it.
HOSTILE = "notes\x1b[2J\x1b[32mpublished\x1b[0m\x1b]0;owned\x07\u202egpj.md"
OBEYED = ("\x1b", "\x07", "\u202e", "\x9b")


def assert_only_text(printed: str) -> None:
    assert not any(char in printed for char in OBEYED), repr(printed)
    assert "\\x1b[2J" in printed


def test_check_prints_a_hostile_file_name_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post = tmp_path / HOSTILE
    post.write_text("---\ntitle: Harbour notes\n---\nThe ferry was late.\n", encoding="utf-8")

    main(["check", str(post)])

    assert_only_text(capsys.readouterr().out)


def test_status_prints_a_hostile_key_and_its_errors_as_text() -> None:
    status = SourceStatus(
        source_key=f"posts/{HOSTILE}",
        status="invalid",
        sequencer="0" * 32,
        event_time=datetime(2026, 11, 24, tzinfo=UTC),
        errors=(Issue(field="title\x1b[1A", message="required", line=2),),
    )
    out = io.StringIO()

    _print_status(status, out)

    assert_only_text(out.getvalue())


def test_dead_letters_print_a_hostile_key_as_text() -> None:
    letter = DeadLetter(
        queue="IngestDLQ",
        message_id="m-1",
        keys=(HOSTILE,),
        description=f"ObjectCreated:Put {HOSTILE}",
        receive_count=5,
    )
    out = io.StringIO()

    _print_dead_letters([letter], {"m-1": f"validator failed on {HOSTILE}"}, out)

    assert_only_text(out.getvalue())
