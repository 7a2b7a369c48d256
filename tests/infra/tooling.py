"""What the infrastructure checks share: paths, the tools `make` installs, and missing tools.

A check whose tool is missing skips on a workstation and fails under `CI=true`,
where every check must run.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from pressroom_local.template import load_template
from tests.corpus import PROJECT_ROOT
from tests.tools import require

TEMPLATE = PROJECT_ROOT / "template.yaml"
PIPELINE = PROJECT_ROOT / "infra" / "pipeline.yaml"
LAYER_REQUIREMENTS = PROJECT_ROOT / "shared" / "requirements.txt"
SAM = PROJECT_ROOT / ".venv-sam" / "bin" / "sam"
CHECKOV = PROJECT_ROOT / ".venv-checkov" / "bin" / "checkov"
UV = Path(sys.executable).parent / "uv"


PSEUDO_PARAMETERS = frozenset(
    {
        "AWS::AccountId",
        "AWS::NoValue",
        "AWS::NotificationARNs",
        "AWS::Partition",
        "AWS::Region",
        "AWS::StackId",
        "AWS::StackName",
        "AWS::URLSuffix",
    }
)


def tool(path: Path) -> Path:
    require(path.exists(), f"{path.relative_to(PROJECT_ROOT)} is missing: `make infra-check`")
    return path


def templates() -> list[Path]:
    """Every CloudFormation template in the project."""
    found = [TEMPLATE, *sorted((PROJECT_ROOT / "infra").glob("*.yaml"))]
    return [path for path in found if "AWSTemplateFormatVersion" in path.read_text("utf-8")]


@functools.cache
def document(path: Path = TEMPLATE) -> dict[str, Any]:
    return load_template(path)


def functions() -> dict[str, dict[str, Any]]:
    """template.yaml's functions' properties, by logical id."""
    return {
        logical_id: resource["Properties"]
        for logical_id, resource in document()["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


def run(
    command: Sequence[str | Path],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path = PROJECT_ROOT,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=dict(env) if env is not None else None,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def offline_aws_environment(**extra: str) -> dict[str, str]:
    """For the SAM CLI and checkov: fake credentials (nothing real is touched), no telemetry."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "SAM_")) and name != "PYTHONPATH"
    }
    environment.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        SAM_CLI_TELEMETRY="0",
    )
    environment.update(extra)
    return environment


LAYER_PACKAGE = "pressroom"
OPERATOR_SIDE = ("pressroom_local", "moto", "tqdm", "pressroom.cli", "pressroom.local")
"""What the command line and the local stack need and Lambda must not carry."""


def _normalised(name: str) -> str:
    return name.lower().replace("-", "_")


def pinned_layer_distributions() -> set[str]:
    return {
        _normalised(line.split("==")[0])
        for line in LAYER_REQUIREMENTS.read_text("utf-8").splitlines()
        if "==" in line
    }


def layer_inventory(layer: Path) -> tuple[set[str], set[str]]:
    """A built layer's installed distributions, and its top-level entries none of them owns."""
    distributions, owned = set(), {"__pycache__"}
    for info in layer.glob("*.dist-info"):
        distributions.add(_normalised(info.name.split("-")[0]))
        owned.add(info.name)
        for line in (info / "RECORD").read_text("utf-8").splitlines():
            owned.add(line.split(",")[0].split("/")[0])
    return distributions, {entry.name for entry in layer.iterdir()} - owned


def assert_product_only(layer: Path) -> None:
    """The layer is the library and its pinned dependencies: no command line, no local stack."""
    distributions, own = layer_inventory(layer)
    assert distributions == pinned_layer_distributions()
    assert own == {LAYER_PACKAGE}, own
    modules = {
        ".".join(path.relative_to(layer).with_suffix("").parts)
        for path in (layer / LAYER_PACKAGE).rglob("*")
        if path.suffix == ".py" or path.is_dir()
    }
    present = {
        name
        for name in modules | distributions | own
        for side in OPERATOR_SIDE
        if name == side or name.startswith(f"{side}.")
    }
    assert present == set(), f"the layer carries the operator's side: {sorted(present)}"


def walk(node: Any) -> Iterator[Any]:
    """Every mapping, list and scalar in a template fragment, depth first."""
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


# The SAM transform, offline, in the SAM CLI's environment (it has the translator).
_TRANSFORM = """
import json, sys
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

document = yaml_parse(open(sys.argv[1], encoding="utf-8").read())
for resource in document["Resources"].values():
    for key in ("CodeUri", "ContentUri"):
        if isinstance(resource.get("Properties", {}).get(key), str):
            resource["Properties"][key] = "s3://bucket/key"


class NoManagedPolicies:
    def load(self):
        raise AssertionError("the transform asked for AWS managed policies")


print(json.dumps(transform(document, {}, NoManagedPolicies())))
"""


@functools.cache
def transformed() -> dict[str, Any]:
    sam_python = tool(SAM).parent / "python"
    result = run([sam_python, "-c", _TRANSFORM, TEMPLATE], env=offline_aws_environment())
    assert result.returncode == 0, result.stderr
    loaded: dict[str, Any] = json.loads(result.stdout)
    return loaded
