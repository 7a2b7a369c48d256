"""The layer: wheels exist for Lambda's machine, it holds the library only, and each handler
imports with the layer alone.

Lambda runs python3.13 on arm64 (Amazon Linux 2023); this machine may be
x86_64. So the wheel check asks PyPI for aarch64 wheels, and the import check
installs the same pinned requirements for this machine, in Lambda's layout.
"""

from __future__ import annotations

import json
import os
import re
import struct
import sys
import zipfile
from functools import cache
from pathlib import Path

import pytest

from pressroom import commonmark
from pressroom_local.layer import LayerBuildError, build_layer, lambda_python
from tests.corpus import PROJECT_ROOT
from tests.infra.tooling import (
    LAYER_REQUIREMENTS,
    UV,
    assert_product_only,
    functions,
    require,
    run,
)

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


def _download_for_lambda(requirements: list[str | Path], into: Path) -> None:
    """pip download of the wheels Lambda's python3.13 on arm64 would install (no others)."""
    command: list[str | Path] = [sys.executable, "-m", "pip", "download", "--quiet"]
    command += ["--disable-pip-version-check"]
    command += ["--platform", "manylinux2014_aarch64", "--platform", "manylinux_2_28_aarch64"]
    command += ["--python-version", "3.13", "--implementation", "cp", "--only-binary=:all:"]
    result = run([*command, "--no-deps", *requirements, "-d", into])
    require(not UNREACHABLE.search(result.stderr), "PyPI is unreachable")
    assert result.returncode == 0, result.stderr


def test_every_layer_dependency_has_a_wheel_for_lambda_on_arm64(tmp_path: Path) -> None:
    _download_for_lambda(["-r", LAYER_REQUIREMENTS], tmp_path)
    pinned = {
        line.split("==")[0].lower().replace("-", "_")
        for line in LAYER_REQUIREMENTS.read_text("utf-8").splitlines()
        if "==" in line
    }
    wheels = {wheel.name.split("-")[0].lower() for wheel in tmp_path.glob("*.whl")}
    assert wheels == pinned


def test_the_cmark_functions_the_library_calls_are_exported_by_lambdas_cmarkgfm(
    tmp_path: Path,
) -> None:
    """`pressroom.commonmark` calls cmark-gfm in cmarkgfm's shared object by name, so each
    function must be in the dynamic symbols of the arm64 build Lambda runs, not only of
    this machine's."""
    _download_for_lambda([f"cmarkgfm=={_pinned('cmarkgfm')}"], tmp_path)
    (wheel,) = tmp_path.glob("cmarkgfm-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        (library,) = (name for name in archive.namelist() if name.startswith("cmarkgfm/_cmark"))
        exported = _exported_functions(archive.read(library))
    assert "aarch64" in wheel.name
    assert set(commonmark._SIGNATURES) <= exported, set(commonmark._SIGNATURES) - exported


def _exported_functions(elf: bytes) -> set[str]:
    """The defined global symbols of a 64-bit little-endian ELF shared object's dynamic
    symbol table (`readelf --dyn-syms`, without needing binutils)."""
    assert elf[:6] == b"\x7fELF\x02\x01", "not a 64-bit little-endian ELF file"
    (section_headers,) = struct.unpack_from("<Q", elf, 0x28)
    header_size, count = struct.unpack_from("<HH", elf, 0x3A)
    sections = [
        struct.unpack_from("<IIQQQQIIQQ", elf, section_headers + index * header_size)
        for index in range(count)
    ]
    dynamic_symbols = 11  # SHT_DYNSYM
    _, _, _, _, offset, size, link, _, _, entry_size = next(
        section for section in sections if section[1] == dynamic_symbols
    )
    names_offset = sections[link][4]
    exported = set()
    for start in range(offset, offset + size, entry_size):
        name, info, _, section_index = struct.unpack_from("<IBBH", elf, start)
        is_global = info >> 4 == 1
        if is_global and section_index != 0:
            end = elf.index(b"\0", names_offset + name)
            exported.add(elf[names_offset + name : end].decode())
    return exported


@cache
def lambda_paths(root: Path) -> tuple[Path, Path]:
    """A layer as Lambda mounts it (/opt/python) and the runtime's SDK, built under `root`."""
    python = lambda_python()
    require(python is not None, "no Python 3.13 on this machine to import the handlers with")
    require(UV.exists(), f"{UV} is missing: `make install`")
    try:
        layer = build_layer(PROJECT_ROOT, root / "opt", uv=UV, python=python)
    except LayerBuildError as error:
        require(not UNREACHABLE.search(str(error)), "PyPI is unreachable")
        raise
    runtime = root / "runtime"
    command: list[str | Path] = [UV, "pip", "install", "--quiet", "--python", str(python)]
    command += ["--target", runtime, "--no-deps", "--only-binary", ":all:"]
    command += [f"{package}=={_pinned(package)}" for package in RUNTIME_SDK]
    result = run(command)
    require(not UNREACHABLE.search(result.stderr), "PyPI is unreachable")
    assert result.returncode == 0, result.stderr
    return layer, runtime


def _lambda_environment() -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }


def test_the_layer_holds_the_library_and_its_pinned_dependencies_only(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    layer, _ = lambda_paths(tmp_path_factory.getbasetemp() / "lambda")

    assert_product_only(layer)


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
    python = lambda_python()
    assert python is not None

    # -I: no user site, no PYTHON* variables; -S: no site-packages. What is
    # left is the standard library, then the function's code, the layer and
    # the runtime's SDK, in the order Lambda puts them on sys.path.
    search_path = json.dumps([str(code), str(layer), str(runtime)])
    result = run(
        [python, "-I", "-S", "-c", _IMPORT, search_path, module, attribute],
        env=_lambda_environment(),
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


_RENDER_WITHOUT_COMPILING = """
import json, sys
sys.path[:0] = json.loads(sys.argv[1])
import jinja2

def compile(*_, **__):
    raise AssertionError("a template was compiled at run time")

jinja2.Environment.compile = compile
from pressroom.config import SiteConfig
from pressroom.site import Theme, render_not_found_page, render_search_page
site = SiteConfig(title="Layer", base_url="https://layer.example.org/")
theme = Theme()
pages = [render_not_found_page(site, theme), render_search_page(site, theme)]
print(json.dumps([type(theme.environment.loader).__name__, [len(page) for page in pages]]))
"""


def test_the_renderer_renders_the_templates_the_layer_ships_compiled(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """shared/Makefile compiles each theme's templates (pressroom.theme_code): with the layer
    alone, the renderer's theme loads them and compiles none."""
    layer, runtime = lambda_paths(tmp_path_factory.getbasetemp() / "lambda")
    python = lambda_python()
    assert python is not None

    search_path = json.dumps([str(layer), str(runtime)])
    result = run(
        [python, "-I", "-S", "-c", _RENDER_WITHOUT_COMPILING, search_path],
        env=_lambda_environment(),
        cwd=layer,
    )

    assert result.returncode == 0, result.stderr
    loader, sizes = json.loads(result.stdout)
    assert loader == "ModuleLoader"
    assert min(sizes) > 500


_IMPORT_ALL = """
import json, pkgutil, sys
sys.path[:0] = json.loads(sys.argv[1])
import importlib
package = importlib.import_module(sys.argv[2])
failed = {}
for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
    try:
        importlib.import_module(module.name)
    except Exception as error:
        failed[module.name] = repr(error)
print(json.dumps(failed))
"""


def test_every_module_of_the_library_imports_with_only_the_layer(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The handlers load part of the library; none of it may lean on the command line's side."""
    layer, runtime = lambda_paths(tmp_path_factory.getbasetemp() / "lambda")
    python = lambda_python()
    assert python is not None

    search_path = json.dumps([str(layer), str(runtime)])
    result = run(
        [python, "-I", "-S", "-c", _IMPORT_ALL, search_path, "pressroom"],
        env=_lambda_environment(),
        cwd=layer,
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {}
