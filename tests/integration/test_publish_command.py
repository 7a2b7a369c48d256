"""`pressroom publish --json` over the whole corpus: what EXPECTED.json says, via the command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pressroom.site import page_object_key
from pressroom_local.cli import main
from tests.corpus import CORPUS, cases


def test_publish_json_over_the_corpus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"

    exit_code = main(["publish", str(CORPUS), "--site", str(site), "--json"])

    summary = json.loads(capsys.readouterr().out)
    assert exit_code == 1  # the corpus holds invalid files
    assert set(summary) == {"site", "published", "drafts", "scheduled", "rejected", "sources"}
    assert summary["site"] == str(site)
    good = cases("good")
    assert sorted(summary["published"]) == sorted(
        case.expected["slug"] for case in good if case.expected["publish"]
    )
    assert summary["drafts"] == [
        case.expected["slug"] for case in good if not case.expected["publish"]
    ]
    rejected = {Path(entry["path"]).name: entry["errors"] for entry in summary["rejected"]}
    # Every file of the folder goes in, whatever its type: the corpus's JSON is refused.
    assert set(rejected) == {case.name for case in cases("bad")} | {"EXPECTED.json"}
    kinds = {Path(entry["path"]).name: entry["kind"] for entry in summary["sources"]}
    assert kinds["EXPECTED.json"] is None
    assert {kinds[case.name] for case in cases()} == {"post"}
    urls = {entry["url"] for entry in summary["sources"] if entry["status"] == "published"}
    # Each post at its own URL: `posts/<slug>/`, or the permalink it keeps.
    assert {url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".html") for url in urls} == set(
        summary["published"]
    )
    rejected.pop("EXPECTED.json")
    for case in cases("bad"):
        described = " ".join(f"{e['field']} {e['message']}" for e in rejected[case.name]).lower()
        assert any(word.lower() in described for word in case.expected["mentions"]), case.name
    for url in urls:
        assert (site / page_object_key(url.lstrip("/"))).is_file()
    assert not (site / "posts" / "draft-post").exists()


def test_publish_refuses_to_overwrite_a_folder_it_did_not_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("mine")

    exit_code = main(["publish", str(CORPUS / "good"), "--site", str(tmp_path)])

    assert exit_code == 2
    assert "not written by pressroom" in capsys.readouterr().err
    assert (tmp_path / "notes.txt").read_text() == "mine"
