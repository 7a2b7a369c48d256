"""Tests that need a tool the project cannot install itself (Java, Chromium, Node, Python 3.13).

On a workstation without it, such a test skips and says why. Under CI=true it
fails: `.ci/run` installs every tool, so a missing one is a broken CI machine.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

T = TypeVar("T")

IN_CI = os.environ.get("CI", "").lower() == "true"


def require(available: bool, reason: str) -> None:
    """Skip when something a test needs is missing; under CI=true, fail."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: every test must run)")
    pytest.skip(reason)


def require_tool(name: str) -> Path:
    """The system command `name`; skips the test where it is missing, fails it under CI=true."""
    found = shutil.which(name)
    require(found is not None, f"`{name}` is not installed (.ci/run installs it with apt-get)")
    assert found is not None
    return Path(found)


def eventually(check: Callable[[], T | None], *, deadline: float, interval: float = 0.05) -> T:
    """Poll `check` until it answers something truthy; fail with its last answer at the deadline."""
    end = time.monotonic() + deadline
    while True:
        answer = check()
        if answer:
            return answer
        if time.monotonic() > end:
            raise AssertionError(f"still {answer!r} after {deadline} s")
        time.sleep(interval)
