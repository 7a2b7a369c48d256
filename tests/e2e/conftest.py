"""`pressroom local` as a user runs it: a process in its own folder, driven from outside.

The stack is started once per test session (per worker) on free ports, in a
temporary folder (where it writes `.pressroom/local.json`), with a watched
folder of its own. Tools a test needs and cannot find (the AWS CLI, Chromium)
skip the test on a workstation and fail it under CI=true.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import boto3
import pytest

from tests.tools import eventually as poll
from tests.tools import require

BIN = Path(sys.executable).parent
STARTUP_SECONDS = 60.0
STOP_SECONDS = 30.0
SITE_DEADLINE_SECONDS = 5.0
"""How long a change may take to show on the site (it takes well under a second)."""
BANNER_END = "Ctrl-C stops everything."

T = TypeVar("T")


def executable(name: str) -> str | None:
    """The project's own copy first (`.venv/bin`), then PATH."""
    own = BIN / name
    return str(own) if own.exists() else shutil.which(name)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def eventually(check: Callable[[], T | None], *, deadline: float = SITE_DEADLINE_SECONDS) -> T:
    """Poll `check` until it answers something truthy, within what the local stack promises."""
    return poll(check, deadline=deadline)


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: str


def user_environment(home: Path) -> dict[str, str]:
    """Fake credentials and nothing from the developer's own AWS configuration."""
    environment = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    environment.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": str(home / "aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(home / "aws-credentials"),
        }
    )
    return environment


def pressroom_command() -> list[str]:
    script = BIN / "pressroom"
    return [str(script)] if script.exists() else [sys.executable, "-m", "pressroom_local.cli"]


@dataclass
class LocalProcess:
    """A running `pressroom local` and the ways a user reaches it."""

    process: subprocess.Popen[bytes]
    workdir: Path
    port: int
    site_port: int
    watched: Path | None
    environment: dict[str, str]

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def site_url(self) -> str:
        return f"http://127.0.0.1:{self.site_port}/"

    @property
    def stdout(self) -> str:
        return (self.workdir / "stdout.txt").read_text(encoding="utf-8")

    @property
    def stderr(self) -> str:
        return (self.workdir / "stderr.txt").read_text(encoding="utf-8")

    @property
    def state_file(self) -> Path:
        return self.workdir / ".pressroom" / "local.json"

    def state(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.state_file.read_text(encoding="utf-8"))
        return loaded

    @property
    def content_bucket(self) -> str:
        bucket: str = self.state()["buckets"]["ContentBucket"]
        return bucket

    def run(
        self, command: Sequence[str], stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command,
            cwd=self.workdir,
            env=self.environment,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def pressroom(
        self, *arguments: str, stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        return self.run([*pressroom_command(), *arguments], stdin=stdin)

    def s3(self) -> Any:
        """boto3, as an author's script would reach the stack."""
        return self.client("s3")

    def client(self, service: str) -> Any:
        """A boto3 client of the stack's embedded AWS."""
        return boto3.client(
            service,
            endpoint_url=self.endpoint_url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def get(self, path: str, method: str = "GET") -> Response:
        """One request, redirects not followed."""
        connection = http.client.HTTPConnection("127.0.0.1", self.site_port, timeout=10)
        try:
            connection.request(method, path)
            answer = connection.getresponse()
            body = answer.read().decode("utf-8", errors="replace")
            return Response(answer.status, {k.lower(): v for k, v in answer.getheaders()}, body)
        finally:
            connection.close()

    def wait_until_ready(self) -> None:
        end = time.monotonic() + STARTUP_SECONDS
        while BANNER_END not in self.stdout:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"pressroom local exited with {self.process.returncode}:\n{self.stderr}"
                )
            if time.monotonic() > end:
                raise AssertionError(f"pressroom local not ready after {STARTUP_SECONDS} s")
            time.sleep(0.1)

    def wait_until_quiet(self, deadline: float = 120.0) -> None:
        """Until none of the stack's queues (dead-letter queues aside) has held a message for
        QUIET_SECONDS: the work earlier tests started is done, and no listing batch is
        gathering messages that a test's own would join."""
        sqs = self.client("sqs")
        queues = [
            queue["url"]
            for name, queue in self.state()["queues"].items()
            if not name.endswith("DLQ")
        ]
        counts = [f"ApproximateNumberOf{kind}" for kind in ("Messages", "MessagesNotVisible")]
        end = time.monotonic() + deadline
        quiet_since = time.monotonic()
        while time.monotonic() - quiet_since < QUIET_SECONDS:
            held = sum(
                int(value)
                for url in queues
                for value in sqs.get_queue_attributes(QueueUrl=url, AttributeNames=counts)[
                    "Attributes"
                ].values()
            )
            if held:
                quiet_since = time.monotonic()
            if time.monotonic() > end:
                raise AssertionError(f"the stack's queues still hold {held} messages")
            time.sleep(0.1)

    def stop(self, signal_number: int | None = signal.SIGINT) -> int:
        """Send `signal_number` (None: none, one was sent already) and wait for the exit
        code; where the process outlives STOP_SECONDS, fail with where its threads were."""
        if signal_number is not None and self.process.poll() is None:
            self.process.send_signal(signal_number)
        try:
            return self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            # SIGABRT makes faulthandler (PYTHONFAULTHANDLER) print where every thread was.
            self.process.send_signal(signal.SIGABRT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            raise AssertionError(
                f"pressroom local still running {STOP_SECONDS:.0f} s after it was signalled"
                f" ({signal_number or 'before'}); its threads then:\n{self.stderr[-20_000:]}"
            ) from None


QUIET_SECONDS = 6.0
"""Longer than a listing batch's gathering window (5 s), so that a message sent just before
is seen."""


def start_local(workdir: Path, *arguments: str, watched: Path | None = None) -> LocalProcess:
    workdir.mkdir(parents=True, exist_ok=True)
    port, site_port = free_port(), free_port()
    command = [
        *pressroom_command(),
        "local",
        "--port",
        str(port),
        "--site-port",
        str(site_port),
        *(["--watch", str(watched)] if watched else []),
        *arguments,
    ]
    environment = {**user_environment(workdir), "PYTHONFAULTHANDLER": "1"}
    with (workdir / "stdout.txt").open("wb") as out, (workdir / "stderr.txt").open("wb") as err:
        process = subprocess.Popen(command, cwd=workdir, env=environment, stdout=out, stderr=err)
    local = LocalProcess(process, workdir, port, site_port, watched, environment)
    try:
        local.wait_until_ready()
    except BaseException:
        local.stop(signal.SIGKILL)
        raise
    return local


@pytest.fixture(scope="session")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalProcess]:
    """`pressroom local` with the examples and a watched folder, stopped with Ctrl-C after."""
    workdir = tmp_path_factory.mktemp("local")
    watched = workdir / "drafts"
    watched.mkdir()
    running = start_local(workdir / "run", watched=watched)
    yield running
    exit_code = running.stop(signal.SIGINT)
    assert exit_code == 0, running.stderr
    assert not running.state_file.exists()


@pytest.fixture(scope="session")
def aws_cli() -> str:
    found = executable("aws")
    require(found is not None, "no AWS CLI (`aws`): `.venv/bin/uv pip install awscli`")
    assert found is not None
    return found
