"""The layer: wheels exist for Lambda's machine, and each handler imports with the layer alone.

Lambda runs python3.13 on arm64 (Amazon Linux 2023); this machine may be
x86_64. So the wheel check asks PyPI for aarch64 wheels, and the import check
installs the same pinned requirements for this machine, in Lambda's layout.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from functools import cache
from pathlib import Path

import pytest

from tests.corpus import PROJECT_ROOT
from tests.infra.tooling import LAYER_REQUIREMENTS, UV, functions, python313, require, run

UNREACHABLE = re.compile(r"NewConnectionError|Temporary failure in name resolution|ConnectTimeout")
# Lambda's Python runtimes bring the AWS SDK, after the layer on sys.path. The
# layer pins the whole SDK itself (aws-xray-sdk brings botocore, and boto3 must
# match it), so the runtime's copy, stood in for by the project's pins, is
# shadowed, as it is on Lambda.
RUNTIME_SDK = ("boto3", "s3transfer")


def _pinned(package: str) -> str:
    text = (PROJECT_ROOT / "requirements" / "dev.txt").read_text("utf-8")
    match = re.search(rf"^{package}==(\S+)$", text, re.MULTILINE)
    assert match, f"{package} is not pinned in requirements/dev.txt"
    return match.group(1)


def test_every_layer_dependency_has_a_wheel_for_lambda_on_arm64(tmp_path: Path) -> None:
    result = run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--disable-pip-version-check",
            "--quiet",
            "--platform",
            "manylinux2014_aarch64",
            "--platform",
            "manylinux_2_28_aarch64",
            "--python-version",
            "3.13",
            "--implementation",
            "cp",
            "--only-binary=:all:",
            "--no-deps",
            "-r",
            LAYER_REQUIREMENTS,
            "-d",
            tmp_path,
        ]
    )
    require(not UNREACHABLE.search(result.stderr), "PyPI is unreachable")

    assert result.returncode == 0, result.stderr
    pinned = {
        line.split("==")[0].lower().replace("-", "_")
        for line in LAYER_REQUIREMENTS.read_text("utf-8").splitlines()
        if "==" in line
    }
    wheels = {wheel.name.split("-")[0].lower() for wheel in tmp_path.glob("*.whl")}
    assert wheels == pinned


@cache
def lambda_paths(root: Path) -> tuple[Path, Path]:
    """A layer as Lambda mounts it (/opt/python) and the runtime's SDK, built under `root`."""
    python = python313()
    require(python is not None, "no Python 3.13 on this machine to import the handlers with")
    require(UV.exists(), f"{UV} is missing: `make install`")
    layer, runtime = root / "opt" / "python", root / "runtime"
    for target, requirements in (
        (layer, ["-r", str(LAYER_REQUIREMENTS)]),
        (runtime, [f"{package}=={_pinned(package)}" for package in RUNTIME_SDK]),
    ):
        command: list[str | Path] = [UV, "pip", "install", "--quiet", "--python", str(python)]
        command += ["--target", target, "--no-deps", "--only-binary", ":all:", *requirements]
        result = run(command)
        require(not UNREACHABLE.search(result.stderr), "PyPI is unreachable")
        assert result.returncode == 0, result.stderr
    # sam build copies the layer's source (shared/) beside its dependencies.
    shutil.copytree(
        PROJECT_ROOT / "shared" / "pressroom",
        layer / "pressroom",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    return layer, runtime


_IMPORT = """
import json, sys
sys.path[:0] = json.loads(sys.argv[1])
import importlib
module = importlib.import_module(sys.argv[2])
assert callable(getattr(module, sys.argv[3])), sys.argv[3]
files = {getattr(loaded, "__file__", None) for loaded in list(sys.modules.values())}
print(json.dumps(sorted(name for name in files if name)))
"""


@pytest.mark.parametrize("function_id", sorted(functions()))
def test_each_handler_imports_from_its_code_uri_with_only_the_layer(
    function_id: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    function = functions()[function_id]
    module, _, attribute = function["Handler"].rpartition(".")
    code = PROJECT_ROOT / function["CodeUri"]
    layer, runtime = lambda_paths(tmp_path_factory.getbasetemp() / "lambda")
    python = python313()
    assert python is not None
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }

    # -I: no user site, no PYTHON* variables; -S: no site-packages. What is
    # left is the standard library, then the function's code, the layer and
    # the runtime's SDK, in the order Lambda puts them on sys.path.
    search_path = json.dumps([str(code), str(layer), str(runtime)])
    result = run(
        [python, "-I", "-S", "-c", _IMPORT, search_path, module, attribute],
        env=environment,
        cwd=code,
    )

    assert result.returncode == 0, result.stderr
    loaded = [Path(name) for name in json.loads(result.stdout)]
    assert [name for name in loaded if name.is_relative_to(code)], "the handler was not loaded"
    assert [
        name
        for name in loaded
        if "site-packages" in name.parts and not name.is_relative_to(layer.parent.parent)
    ] == []
