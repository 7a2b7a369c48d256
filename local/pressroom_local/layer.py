"""The Lambda layer built as `sam build` builds it, without SAM or Docker.

template.yaml's SharedLayer is built by `shared/Makefile` (BuildMethod: makefile): the
wheels of `shared/requirements.txt`, the pressroom package and their bytecode, which
Lambda mounts at /opt/python. This module runs that same recipe with uv as its installer,
for this machine's Python (the infrastructure tests import each handler with the layer
alone) or for Lambda's (bench/ reports its size): what is measured is what ships.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pressroom.exceptions import PressroomError

LAYER_SOURCE = Path("shared")
"""SharedLayer's ContentUri, relative to the project root: its Makefile builds the layer."""
LAYER_TARGET = "build-SharedLayer"
LAMBDA_PLATFORM = "aarch64-manylinux_2_28"
"""The functions' architecture (arm64) and Amazon Linux 2023's glibc, as uv names them."""
LAMBDA_PYTHON = "3.13"
LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024
"""A function's code and all its layers, unzipped, may not exceed this."""


@functools.cache
def lambda_python() -> Path | None:
    """A Python of Lambda's version (3.13), outside any virtual environment: this one, the
    `python3.13` on PATH, or one of pyenv's."""
    candidates: list[str] = [sys.executable]
    if found := shutil.which(f"python{LAMBDA_PYTHON}"):
        candidates.append(found)
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates += sorted(map(str, pyenv_root.glob(f"versions/{LAMBDA_PYTHON}*/bin/python3*")))
    probe = f"import sys; print(sys.version_info[:2] == ({LAMBDA_PYTHON.replace('.', ', ')}))"
    for candidate in candidates:
        # Interpreters found on this machine, asked their version: no input from outside.
        done = subprocess.run(  # noqa: S603 # nosec B603
            [candidate, "-c", f"{probe}; print(sys.base_prefix)"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        lines = done.stdout.splitlines()
        if done.returncode == 0 and lines[:1] == ["True"]:
            base = Path(lines[1]) / "bin" / f"python{LAMBDA_PYTHON}"
            return base if base.exists() else Path(candidate)
    return None


class LayerBuildError(PressroomError):
    """Installing the layer's pinned wheels failed; the installer's output says why."""


def build_layer(
    project_root: Path,
    target: Path,
    *,
    uv: Path,
    python: Path,
    platform: str | None = None,
) -> Path:
    """Build the layer under `target` and return its `python/` folder (Lambda's /opt/python).

    `python` (a 3.13, Lambda's version, to ship bytecode Lambda loads) compiles the
    bytecode, and the wheels are for it (to import them here) unless `platform` names
    Lambda's (to measure what ships). The layer's own dependencies only: the runtime's SDK
    is the runtime's.
    """
    # make runs in the layer's source folder: every path it is given must hold from there.
    uv, python, target = uv.absolute(), python.absolute(), target.absolute()
    install = [str(uv), "pip", "install", "--quiet", "--python", str(python)]
    if platform is not None:
        install += ["--python-platform", platform, "--python-version", LAMBDA_PYTHON]
    command = ["make", "--silent", "-C", str(project_root / LAYER_SOURCE), LAYER_TARGET]
    command += [f"ARTIFACTS_DIR={target}", f"PYTHON={python}", f"INSTALL={' '.join(install)}"]
    # make on the project's own Makefile, uv on its own lock: no input from outside.
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 # nosec B603
    if done.returncode != 0:
        raise LayerBuildError(done.stderr or done.stdout)
    return target / "python"


@dataclass(frozen=True)
class LayerSize:
    """How big the layer is, as Lambda counts it."""

    unzipped: int
    """Bytes of every file: with the functions' code, at most LAMBDA_UNZIPPED_LIMIT."""
    zipped: int
    """Bytes of the archive `sam package` uploads (deflated)."""
    by_top_level: tuple[tuple[str, int], ...]
    """Unzipped bytes by top-level entry (a package, a module or its .dist-info), largest first."""


def measure_layer(layer: Path, scratch: Path) -> LayerSize:
    files = [path for path in sorted(layer.rglob("*")) if path.is_file()]
    by_top_level: Counter[str] = Counter()
    for path in files:
        by_top_level[path.relative_to(layer).parts[0]] += path.stat().st_size
    archive = scratch / "layer.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for path in files:
            zipped.write(path, Path("python") / path.relative_to(layer))
    return LayerSize(
        unzipped=sum(by_top_level.values()),
        zipped=archive.stat().st_size,
        by_top_level=tuple(by_top_level.most_common()),
    )
