"""The Lambda layer laid out as `sam build` lays it out, without SAM or Docker.

template.yaml's SharedLayer is `shared/` (ContentUri) with the wheels of
`shared/requirements.txt` beside it; Lambda mounts it at /opt/python. The
infrastructure tests import each handler with this layout alone, and bench/
reports its size: what is measured is what ships, so both read the layer's
source folder whole rather than a list of what it should hold.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pressroom.exceptions import PressroomError

LAYER_SOURCE = Path("shared")
"""SharedLayer's ContentUri, relative to the project root."""
LAMBDA_PLATFORM = "aarch64-manylinux_2_28"
"""The functions' architecture (arm64) and Amazon Linux 2023's glibc, as uv names them."""
LAMBDA_PYTHON = "3.13"
LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024
"""A function's code and all its layers, unzipped, may not exceed this."""

# Bytecode this machine wrote: sam build leaves it out (Lambda's Python writes its own).
_NOT_SHIPPED = shutil.ignore_patterns("__pycache__", "*.pyc")


class LayerBuildError(PressroomError):
    """Installing the layer's pinned wheels failed; the installer's output says why."""


def build_layer(
    project_root: Path,
    target: Path,
    *,
    uv: Path,
    python: Path | None = None,
    platform: str | None = None,
) -> Path:
    """Lay the layer out under `target` and return its `python/` folder (Lambda's /opt/python).

    `python` installs wheels for that interpreter (to import them here); `platform` installs
    Lambda's (to measure what ships). The layer's own dependencies only: the runtime's SDK
    is the runtime's.
    """
    source = project_root / LAYER_SOURCE
    layer = target / "python"
    command: list[str] = [str(uv), "pip", "install", "--quiet", "--target", str(layer)]
    if python is not None:
        command += ["--python", str(python)]
    if platform is not None:
        command += ["--python-platform", platform, "--python-version", LAMBDA_PYTHON]
    command += ["--no-deps", "--only-binary", ":all:", "-r", str(source / "requirements.txt")]
    # The caller's uv on the project's own lock: no shell, no input from outside.
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 # nosec B603
    if done.returncode != 0:
        raise LayerBuildError(done.stderr)
    # uv's lock on the target folder: sam build's pip leaves none.
    (layer / ".lock").unlink(missing_ok=True)
    shutil.copytree(source, layer, ignore=_NOT_SHIPPED, dirs_exist_ok=True)
    return layer


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
