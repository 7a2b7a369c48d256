"""infra/pipeline.yaml's builds: each runs the tests its image can run, and together they run all.

The commands are not read as text: each build's `make` command is expanded by
make itself (`make -n`), and each pytest command it would run is collected by
pytest, so a Makefile or marker change that sends a browser test to an image
without Chromium fails here, not in the pipeline.
"""

from __future__ import annotations

import re
import shlex
import sys
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from tests.corpus import PROJECT_ROOT
from tests.infra.tooling import PIPELINE, document, run

PYTEST = Path(sys.executable).parent / "pytest"

# CodeBuild's images that carry a Chromium, from their Dockerfiles
# (aws/aws-codebuild-docker-images): standard:7.0 (Ubuntu, x86_64) installs one at
# /usr/local/bin/chromium. The Amazon Linux images, arm64 among them, have none.
IMAGES_WITH_CHROMIUM = frozenset({"aws/codebuild/standard:7.0"})
INSTALLS_CHROMIUM = re.compile(r"\b(apt-get|dnf|yum)\b.*\binstall\b.*\bchromium\b")


def _stage(name: str) -> list[dict[str, Any]]:
    stages = document(PIPELINE)["Resources"]["Pipeline"]["Properties"]["Stages"]
    actions: list[dict[str, Any]] = next(s["Actions"] for s in stages if s["Name"] == name)
    return actions


def _project(action: dict[str, Any]) -> dict[str, Any]:
    project: dict[str, Any] = document(PIPELINE)["Resources"][
        action["Configuration"]["ProjectName"]["Ref"]
    ]["Properties"]
    return project


def _commands(project: dict[str, Any]) -> list[str]:
    buildspec = yaml.safe_load((PROJECT_ROOT / project["Source"]["BuildSpec"]).read_text("utf-8"))
    return [
        command
        for phase in buildspec["phases"].values()
        for command in phase.get("commands", [])
        if isinstance(command, str)
    ]


def _collect(arguments: list[str]) -> frozenset[str]:
    result = run([PYTEST, *arguments, "--collect-only", "-q", "-p", "no:cacheprovider"])
    assert result.returncode in (0, 5), result.stdout + result.stderr
    return frozenset(line for line in result.stdout.splitlines() if "::" in line)


def _without_workers(arguments: list[str]) -> list[str]:
    """A pytest command's arguments less xdist's, which only spread the work."""
    kept: list[str] = []
    skip = False
    for argument in arguments:
        if skip:
            skip = False
        elif argument in ("-n", "--dist"):
            skip = True
        else:
            kept.append(argument)
    return kept


@cache
def selected_tests(command: str) -> frozenset[str]:
    """Every test that the pytest commands of `make …` (as make expands them) would run."""
    expanded = run([*shlex.split(command), "-n"])
    assert expanded.returncode == 0, expanded.stderr
    selected: set[str] = set()
    for line in expanded.stdout.splitlines():
        words = shlex.split(line)
        if words and words[0].endswith("/pytest"):
            selected |= _collect(_without_workers(words[1:]))
    return frozenset(selected)


@cache
def browser_tests() -> frozenset[str]:
    return _collect(["-m", "browser", "tests"])


def test_the_tests_that_drive_chromium_are_marked() -> None:
    assert any("test_headless_chromium_loads_the_home_page" in test for test in browser_tests())
    assert any(test.startswith("tests/site/test_browser.py::") for test in browser_tests())


def test_each_test_build_runs_browser_tests_only_where_there_is_a_chromium() -> None:
    covered: set[str] = set()
    for action in _stage("Test"):
        project = _project(action)
        commands = _commands(project)
        selected = frozenset().union(
            *(selected_tests(command) for command in commands if command.startswith("make "))
        )
        covered |= selected
        has_chromium = project["Environment"]["Image"] in IMAGES_WITH_CHROMIUM or any(
            INSTALLS_CHROMIUM.search(command) for command in commands
        )

        assert has_chromium or not selected & browser_tests(), (
            f"{action['Name']} runs browser tests on {project['Environment']['Image']}, "
            "which has no Chromium"
        )
    assert browser_tests() <= covered, "some browser tests run in no build"
