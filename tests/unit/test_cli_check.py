"""`pressroom check`: the offline gate a content repository runs before anything is uploaded."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest

from pressroom.limits import DEFAULT_LIMITS
from pressroom_local.cli import main
from tests.corpus import CORPUS, SEED, CorpusCase, cases
from tests.unit.test_static_files import tiny_png


def test_check_json_has_the_documented_shape(capsys: pytest.CaptureFixture[str]) -> None:
    exit_code = main(["check", "--json", str(SEED), str(CORPUS / "bad" / "blank-title.md")])

    assert exit_code == 1
    good, bad = json.loads(capsys.readouterr().out)
    assert good == {
        "path": str(SEED),
        "valid": True,
        "kind": "post",
        "slug": "armenia-azerbaijan-truce",
        "url": "/posts/armenia-azerbaijan-truce/",
        "title": "Armenia and Azerbaijan Say Cease-Fire Truce Fails to Hold",
        "date": "2020-10-10T16:30:15Z",
        "errors": [],
        "warnings": [],
    }
    assert bad["valid"] is False
    assert (bad["slug"], bad["url"], bad["title"], bad["date"]) == (None, None, None, None)
    assert bad["errors"] == [{"field": "title", "message": "must not be blank", "line": 2}]


def test_check_of_a_folder_reports_every_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--json", str(CORPUS)]) == 1

    reported = {
        entry["path"].split("/corpus/", 1)[1]: entry
        for entry in json.loads(capsys.readouterr().out)
    }
    # Every file of the folder, of any type: the corpus's JSON is refused, saying why.
    assert set(reported) == {case.id for case in cases()} | {"EXPECTED.json"}
    valid = {path for path, entry in reported.items() if entry["valid"]}
    assert valid == {case.id for case in cases("good")}
    assert reported["EXPECTED.json"]["kind"] is None
    assert "`.json` files are not published" in reported["EXPECTED.json"]["errors"][0]["message"]


def test_check_exits_zero_when_every_file_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(CORPUS / "good")]) == 0

    out = capsys.readouterr().out
    assert "ok       " in out
    assert "invalid" not in out


def test_check_lines_name_file_line_and_field(capsys: pytest.CaptureFixture[str]) -> None:
    path = CORPUS / "bad" / "unparseable-date.md"

    assert main(["check", str(path)]) == 1

    assert f"error: {path}:3: date: 'next tuesday-ish' is not a date" in capsys.readouterr().out


def test_a_missing_path_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "no/such/file.md"]) == 2
    assert "no such file or folder" in capsys.readouterr().err


@pytest.mark.parametrize("case", cases(), ids=lambda case: case.id)
def test_check_json_reports_each_corpus_file_as_expected(
    case: CorpusCase, capsys: pytest.CaptureFixture[str]
) -> None:
    exit_code = main(["check", "--json", str(case.path)])

    (entry,) = json.loads(capsys.readouterr().out)
    assert entry["valid"] is case.expected["accept"]
    assert exit_code == (0 if case.expected["accept"] else 1)
    if case.expected["accept"]:
        assert entry["slug"] == case.expected["slug"]
        for field in ("title", "date"):
            if field in case.expected:
                assert entry[field] == case.expected[field]
    else:
        described = " ".join(f"{error['field']} {error['message']}" for error in entry["errors"])
        assert any(word.lower() in described.lower() for word in case.expected["mentions"])


def test_check_refuses_a_huge_file_from_its_size_without_reading_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    huge = tmp_path / "conference-recording.md"
    with huge.open("wb") as sparse:
        sparse.truncate(64 * 1024 * 1024)  # no disk blocks: only its size is large

    tracemalloc.start()
    try:
        exit_code = main(["check", "--json", str(huge)])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert exit_code == 1
    (entry,) = json.loads(capsys.readouterr().out)
    assert "67,108,864 bytes" in entry["errors"][0]["message"]
    assert "max_object_bytes" in entry["errors"][0]["message"]
    assert peak < 2 * DEFAULT_LIMITS.max_object_bytes


def test_check_reports_untranslated_tags_as_warnings_with_their_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post = tmp_path / "2019-05-01-from-hugo.md"
    post.write_text(
        "---\ntitle: From Hugo\n---\n\n{{< youtube w7Ft2ymGmfc >}}\n\n"
        "{{< instagram BWNjjyYFxVx >}}\n\n<script src=https://x.example/a.js></script>\n",
        encoding="utf-8",
    )

    assert main(["check", "--json", str(post)]) == 0
    (report,) = json.loads(capsys.readouterr().out)
    assert report["valid"] is True
    assert [(w["line"], w["message"].split(" is ")[0]) for w in report["warnings"]] == [
        (7, "`{{< instagram BWNjjyYFxVx >}}`"),
        (9, "`<script src=https://x.example/a.js></script>`"),
    ]

    assert main(["check", str(post)]) == 0
    out = capsys.readouterr().out
    assert f"  warning: {post}:7: `{{{{< instagram BWNjjyYFxVx >}}}}` is shown as written" in out


def test_check_of_a_site_folder_warns_of_links_and_images_that_lead_nowhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 17, item 6: every image and internal link resolves to a file of the folder or
    a page the site will have, else a warning with its line."""
    from tests.unit.test_static_files import tiny_png

    (tmp_path / "_posts").mkdir()
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "sleeper.png").write_bytes(tiny_png())
    (tmp_path / "about.md").write_text("---\ntitle: About\nlayout: page\n---\nHello.\n")
    (tmp_path / "_posts" / "2021-01-14-night-trains.md").write_text(
        "---\n"
        "title: Night trains\n"
        "permalink: /2021/01/14/night-trains.html\n"
        "tags: [rail]\n"
        "---\n"
        "![Sleeper](/assets/sleeper.png) and [about](/about/) and [rail](/tags/rail/).\n"
        "\n"
        "![Missing](/assets/missing.png)\n"
        "\n"
        "See [the ferry](/2021/03/02/ferry/) and [the map](map.pdf) and "
        "[elsewhere](https://example.org/) and [a note](#note).\n"
    )

    exit_code = main(["check", "--json", str(tmp_path)])

    assert exit_code == 0, "a link that leads nowhere is a warning, not an error"
    [post] = [
        entry for entry in json.loads(capsys.readouterr().out) if entry["url"].endswith(".html")
    ]
    assert [
        (warning["line"], warning["message"].split(" leads")[0]) for warning in post["warnings"]
    ] == [
        (8, "'/assets/missing.png'"),
        (10, "'/2021/03/02/ferry/'"),
        (10, "'map.pdf'"),
    ]


def test_check_of_a_site_folder_warns_of_menu_entries_that_lead_nowhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "about.md").write_text("---\ntitle: About\nlayout: page\n---\nHello.\n")
    (tmp_path / "pressroom.yaml").write_text(
        "title: Field Notes\n"
        "menu:\n"
        "  - {name: About, url: /about}\n"
        "  - {name: Archive, url: /archive/}\n"
        "  - {name: Photos, url: /photos/}\n"
        "  - {name: Elsewhere, url: 'https://example.org/'}\n"
    )

    assert main(["check", "--json", str(tmp_path)]) == 0

    [config] = [entry for entry in json.loads(capsys.readouterr().out) if entry["kind"] == "config"]
    assert [
        (w["field"], w["line"], w["message"].split(" leads")[0]) for w in config["warnings"]
    ] == [("menu.2.url", 2, "'Photos'")]


def test_check_of_a_site_folder_places_posts_by_its_url_style(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_config.yml").write_text("title: Slow Travel\npermalink: /:year/:month/:title/\n")
    (tmp_path / "_posts" / "2021-03-02-ferry.md").write_text("---\ntitle: Ferry\n---\nBy sea.\n")
    (tmp_path / "_posts" / "2021-01-14-night-trains.md").write_text(
        "---\ntitle: Night trains\n---\n"
        "Then [the ferry](/2021/03/ferry/), not [this](/posts/nowhere/).\n"
    )

    assert main(["check", "--json", str(tmp_path)]) == 0

    posts = {entry["slug"]: entry for entry in json.loads(capsys.readouterr().out) if entry["slug"]}
    assert posts["ferry"]["url"] == "/2021/03/ferry/"
    assert [w["message"].split(" leads")[0] for w in posts["night-trains"]["warnings"]] == [
        "'/posts/nowhere/'"
    ]


def test_check_of_a_site_folder_reports_files_that_would_wait_as_conflict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two posts whose URLs end in one segment, and two files with one site path: the
    index publishes the first uploaded of each and keeps the other waiting, so `check`
    says so before anything is uploaded."""
    (tmp_path / "_posts").mkdir()
    (tmp_path / "static").mkdir()
    (tmp_path / "_config.yml").write_text("title: Notes\npermalink: date\n")
    for year in (2019, 2020):
        (tmp_path / "_posts" / f"{year}-12-31-year-in-review.md").write_text(
            f"---\ntitle: {year} in review\n---\nA year.\n"
        )
    (tmp_path / "logo.png").write_bytes(tiny_png())
    (tmp_path / "static" / "logo.png").write_bytes(tiny_png())

    assert main(["check", "--json", str(tmp_path)]) == 1

    reported = {
        Path(entry["path"]).relative_to(tmp_path).as_posix(): entry
        for entry in json.loads(capsys.readouterr().out)
    }
    first, second = (reported[f"_posts/{y}-12-31-year-in-review.md"] for y in (2019, 2020))
    assert (first["valid"], first["errors"]) == (True, [])
    assert (second["valid"], second["url"]) == (False, "/2020/12/31/year-in-review.html")
    assert second["errors"] == [
        {
            "field": "slug",
            "message": "the slug 'year-in-review' belongs to "
            "'_posts/2019-12-31-year-in-review.md', uploaded first; give this post another "
            "`slug:` (its URL can stay in `redirect_from`) or delete the other file",
            "line": None,
        }
    ]
    assert reported["logo.png"]["valid"] and not reported["static/logo.png"]["valid"]
    assert (
        "'/logo.png' belongs to 'logo.png'" in reported["static/logo.png"]["errors"][0]["message"]
    )


def test_check_of_single_files_leaves_their_names_to_the_index(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Files checked one by one may be versions of one post: only a folder is a site."""
    for name in ("draft.md", "final.md"):
        (tmp_path / name).write_text("---\ntitle: Same post\nslug: same\n---\nText.\n")

    assert main(["check", str(tmp_path / "draft.md"), str(tmp_path / "final.md")]) == 0
    assert "conflict" not in capsys.readouterr().out
