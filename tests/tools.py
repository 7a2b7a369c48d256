"""Tests that need a tool the project cannot install itself (Java, Chromium, Node, Python 3.13).

On a workstation without it, such a test skips and says why. Under CI=true it
fails: `.ci/run` installs every tool, so a missing one is a broken CI machine.
"""

from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def require(available: bool, reason: str) -> None:
    """Skip when something a test needs is missing; under CI=true, fail."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: every test must run)")
    pytest.skip(reason)
