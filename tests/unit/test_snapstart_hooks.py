"""SnapStart's runtime hooks: services built before the snapshot, forgotten after each restore.

Lambda's Python runtime provides `snapshot_restore_py`; here a stand-in records what
is registered with it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from collections.abc import Callable
from pathlib import Path

import pytest

from pressroom.adapters import wiring
from tests.corpus import PROJECT_ROOT

HANDLERS = ("functions.validator.app", "functions.indexer.app", "functions.renderer.app")

_RECORDER = """
registered = {"before": [], "after": []}


def register_before_snapshot(function):
    registered["before"].append(function)
    return function


def register_after_restore(function):
    registered["after"].append(function)
    return function
"""


def _recorder(registered: dict[str, list[Callable[[], object]]]) -> types.ModuleType:
    module = types.ModuleType("snapshot_restore_py")
    module.register_before_snapshot = registered["before"].append  # type: ignore[attr-defined]
    module.register_after_restore = registered["after"].append  # type: ignore[attr-defined]
    return module


def test_the_builders_run_before_the_snapshot_and_everything_is_forgotten_after_restore(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    registered: dict[str, list[Callable[[], object]]] = {"before": [], "after": []}
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", _recorder(registered))
    built: list[str] = []

    wiring.register_snapshot_hooks(lambda: built.append("service"), lambda: built.append("queue"))
    [before] = registered["before"]
    before()

    assert built == ["service", "queue"]
    assert registered["after"] == [wiring.after_restore]


def test_a_restore_forgets_the_services_clients_and_the_session_they_came_from(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in {
        "CONTENT_BUCKET": "content",
        "ARTIFACTS_BUCKET": "artifacts",
        "INDEX_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/index",
    }.items():
        monkeypatch.setenv(name, value)
    wiring.reset(session=True)
    session, service = wiring.aws_session(), wiring.validator_service()

    wiring.after_restore()

    # A snapshot's session holds the credentials it resolved, and its clients their
    # connections: every restored environment makes its own.
    try:
        assert wiring.aws_session() is not session
        assert wiring.validator_service() is not service
    finally:
        # A session made here, before moto is imported, must not serve a later test.
        wiring.reset(session=True)


def test_without_the_runtimes_library_nothing_is_hooked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)  # import fails

    wiring.register_snapshot_hooks(lambda: pytest.fail("built"))


@pytest.mark.parametrize("handler", HANDLERS)
def test_each_handler_registers_its_hooks_when_it_is_imported(handler: str, tmp_path: Path) -> None:
    (tmp_path / "snapshot_restore_py.py").write_text(_RECORDER, encoding="utf-8")
    script = (
        "import importlib, json, sys\n"
        "import snapshot_restore_py as hooks\n"
        "from pressroom.adapters import wiring\n"
        "importlib.import_module(sys.argv[1])\n"
        "print(json.dumps({'before': len(hooks.registered['before']),"
        " 'after': [f is wiring.after_restore for f in hooks.registered['after']]}))\n"
    )
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(PROJECT_ROOT / "shared")]),
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }

    done = subprocess.run(
        [sys.executable, "-c", script, handler],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"before": 1, "after": [True]}
