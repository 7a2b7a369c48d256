"""infra/pipeline.yaml's builds: each runs the tests its image can run, and together they run all.

The commands are not read as text: each build's `make` command is expanded by
make itself (`make -n`), and each pytest command it would run is collected by
pytest, so a Makefile or marker change that sends a browser test to an image
without Chromium fails here, not in the pipeline.
"""

from __future__ import annotations

import os
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


def _run_order(action: dict[str, Any]) -> int:
    return int(action.get("RunOrder", 1))


def test_the_pipeline_checks_the_dev_stack_end_to_end_once_it_is_deployed() -> None:
    deploy, check = sorted(_stage("Deploy-dev"), key=_run_order)
    project = _project(check)
    variables = {
        variable["Name"]: variable["Value"]
        for variable in project["Environment"]["EnvironmentVariables"]
    }
    e2e_commands = [command for command in _commands(project) if command.startswith("make ")]

    assert deploy["ActionTypeId"]["Provider"] == "CloudFormation"
    assert check["ActionTypeId"]["Provider"] == "CodeBuild"
    assert _run_order(check) > _run_order(deploy)
    assert variables["PRESSROOM_STACK"] == deploy["Configuration"]["StackName"]
    assert e2e_commands == ["make e2e-aws"]
    suite = _collect(["tests/e2e_aws"])
    assert suite
    assert selected_tests("make e2e-aws") == suite


def test_the_end_to_end_role_reaches_the_dev_stack_only() -> None:
    check = max(_stage("Deploy-dev"), key=_run_order)
    role_id = _project(check)["ServiceRole"]["Fn::GetAtt"][0]
    role = document(PIPELINE)["Resources"][role_id]["Properties"]
    statements = [
        statement
        for policy in role["Policies"]
        for statement in policy["PolicyDocument"]["Statement"]
    ]

    def listed(value: Any) -> list[Any]:
        return value if isinstance(value, list) else [value]

    assert "-prod" not in repr(statements)
    assert all(statement["Effect"] == "Allow" for statement in statements)
    assert not [statement for statement in statements if statement["Resource"] == "*"]
    writes = [
        statement
        for statement in statements
        if any(
            action.startswith("s3:") and "Put" in action for action in listed(statement["Action"])
        )
    ]
    assert [listed(statement["Resource"]) for statement in writes] == [
        [{"Fn::Sub": "arn:${AWS::Partition}:s3:::${ApplicationName}-dev-contentbucket-*/e2e/*"}]
    ]
    assert not [
        action
        for statement in statements
        for action in listed(statement["Action"])
        if action.split(":")[0] in {"iam", "lambda", "cloudformation"}
        and not action.split(":")[1].startswith(("Get", "Describe"))
    ]


def test_the_deployed_stack_suite_skips_without_a_stack_and_says_why() -> None:
    environment = {name: value for name, value in os.environ.items() if name != "PRESSROOM_STACK"}

    result = run([PYTEST, "tests/e2e_aws", "-rs", "-p", "no:cacheprovider"], env=environment)

    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"\b\d+ skipped\b", result.stdout), result.stdout
    assert "PRESSROOM_STACK=<stack name> make e2e-aws" in result.stdout
    assert "passed" not in result.stdout and "failed" not in result.stdout
