"""The X-Ray SDK loads only when the template asks for subsegments (TraceAwsCalls)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.corpus import PROJECT_ROOT


def probe(function: str, trace_disabled: str) -> str:
    """The handler's tracer, and whether importing the handler loaded the X-Ray SDK."""
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys, functions.{function}.app as app; "
            "print(type(app.tracer).__name__, 'aws_xray_sdk' in sys.modules)",
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, "POWERTOOLS_TRACE_DISABLED": trace_disabled},
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout.strip()


@pytest.mark.parametrize("function", ["validator", "indexer", "renderer"])
def test_a_handler_without_traced_aws_calls_never_loads_the_xray_sdk(function: str) -> None:
    assert probe(function, trace_disabled="true") == "Untraced False"


def test_traced_aws_calls_use_powertools_tracer() -> None:
    assert probe("indexer", trace_disabled="false") == "Tracer True"
