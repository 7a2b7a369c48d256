"""Starting and stopping `pressroom local`: a clean exit on SIGTERM, a clear refusal when its
ports or its folder are taken, and commands that find the project from anywhere."""

from __future__ import annotations

import ctypes
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from tests.e2e.conftest import (
    STOP_SECONDS,
    LocalProcess,
    pressroom_command,
    start_local,
    user_environment,
)


def test_sigterm_stops_everything_and_removes_local_json(tmp_path: Path) -> None:
    running = start_local(tmp_path, "--no-examples")
    assert running.state_file.exists()
    # An empty site answers `/` with how to publish the first post, not a bare 404.
    with urllib.request.urlopen(running.site_url, timeout=10) as response:
        assert "To publish the first post" in response.read().decode()

    exit_code = running.stop(signal.SIGTERM)

    assert exit_code == 0, running.stderr
    assert not running.state_file.exists()
    assert "stopped" in running.stderr


def test_a_stop_signal_the_kernel_hands_to_any_thread_stops_everything(tmp_path: Path) -> None:
    """A signal sent to a process goes to whichever of its threads the kernel picks; Python
    runs the handler in the main thread, but only once that thread runs again."""
    running = start_local(tmp_path, "--no-examples")
    pid = running.process.pid
    threads = [int(task.name) for task in Path(f"/proc/{pid}/task").iterdir()]
    others = [tid for tid in threads if tid != pid]
    assert others, "pressroom local runs its pollers and servers in threads"

    # tgkill(2): the signal as the kernel delivers it to one thread of the process.
    assert ctypes.CDLL(None, use_errno=True).tgkill(pid, others[0], signal.SIGTERM) == 0
    asked = time.monotonic()
    # No second signal: the first one's handler makes a second one end the process at once.
    exit_code = running.stop(None)

    assert exit_code == 0, running.stderr
    assert time.monotonic() - asked < STOP_SECONDS
    assert not running.state_file.exists()


def test_a_second_stack_is_refused_the_ports_and_the_folder_in_use(
    local: LocalProcess, tmp_path: Path
) -> None:
    def start(cwd: Path, port: int, site_port: int) -> subprocess.CompletedProcess[str]:
        command = [*pressroom_command(), "local", "--port", str(port)]
        command += ["--site-port", str(site_port), "--no-examples"]
        return subprocess.run(
            command,
            cwd=cwd,
            env=local.environment,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    busy_port = start(tmp_path, local.port, 0)
    same_folder = start(local.workdir, 0, 0)

    assert busy_port.returncode == 2
    assert f"127.0.0.1:{local.port} is not free" in busy_port.stderr
    assert "--port" in busy_port.stderr
    assert same_folder.returncode == 2
    assert "already running here" in same_folder.stderr
    assert local.state_file.exists()


def test_status_outside_a_stack_folder_says_how_to_start_one(tmp_path: Path) -> None:
    done = subprocess.run(
        [*pressroom_command(), "status"],
        cwd=tmp_path,
        env=user_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 2
    assert "pressroom local" in done.stderr
