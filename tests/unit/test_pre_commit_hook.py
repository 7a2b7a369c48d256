"""The pre-commit hook a content repository uses runs `pressroom check` on its Markdown files."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from tests.corpus import CORPUS, PROJECT_ROOT


def _hook() -> dict[str, object]:
    (hook,) = yaml.safe_load((PROJECT_ROOT / ".pre-commit-hooks.yaml").read_text())
    assert isinstance(hook, dict)
    return hook


def _run_hook(files: list[Path]) -> subprocess.CompletedProcess[str]:
    hook = _hook()
    command, *arguments = shlex.split(str(hook["entry"]))
    executable = Path(sys.executable).parent / command
    return subprocess.run(
        [str(executable), *arguments, *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_hook_selects_markdown_files_only() -> None:
    pattern = re.compile(str(_hook()["files"]))

    assert pattern.search("posts/2020-01-01-hello.md")
    assert pattern.search("notes.markdown")
    assert not pattern.search("images/photo.png")


def test_hook_passes_good_posts_and_fails_bad_ones_with_their_errors() -> None:
    good = _run_hook(sorted((CORPUS / "good").glob("*.md")))
    bad = _run_hook([CORPUS / "bad" / "missing-title.md"])

    assert good.returncode == 0, good.stdout + good.stderr
    assert bad.returncode == 1
    assert "title: required" in bad.stdout
