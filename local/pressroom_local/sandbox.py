"""Lambda's execution environments, as processes: a function's handler runs in an interpreter
of its own, started with that function's environment, one invocation at a time.

A handler reads its settings from os.environ, and Powertools' Logger is one
per process, named from the environment of whoever made it first; in one
shared process every function would log as the first one imported. A
process per sandbox gives each function its own environment and service
name, and lets invocations run at the same time as they do on Lambda, where
one function scales to several sandboxes. A sandbox reaches the embedded AWS
through AWS_ENDPOINT_URL, as a deployed function reaches AWS.

Sandboxes are forked from a zygote: one interpreter (`python -m
pressroom_local.sandbox`) that has imported the libraries every handler
needs (boto3, Powertools, pydantic, Jinja2) and nothing of any function's,
and is single-threaded, so forking it is safe. A cold start then costs the
handler's own imports, as on Lambda, rather than a whole interpreter's
(seconds, where bytecode is not cached). Events and responses cross a
socket as JSON, as Lambda's runtime API carries them; what the handler
prints (its log) comes back with each response.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection
from typing import Any, TextIO

from pressroom_local.provision import ACCOUNT_ID

_STARTUP_SECONDS = 60.0
_INHERITED = ("PATH", "LANG", "LC_ALL", "TMPDIR", "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")
"""What the zygote takes from this process's environment; a sandbox adds its function's."""
_PRELOADED = (
    "boto3",
    "botocore.client",
    "pydantic",
    "jinja2",
    "yaml",
    "aws_lambda_powertools.logging",
    "aws_lambda_powertools.metrics",
    "aws_lambda_powertools.utilities.batch",
    "aws_lambda_powertools.utilities.data_classes",
)
"""Imported by the zygote: none of them reads the environment when imported."""


@dataclass
class LocalContext:
    """The attributes of Lambda's context object that handlers and Powertools read."""

    function_name: str
    memory_limit_in_mb: int
    timeout_seconds: int
    region: str
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{ACCOUNT_ID}:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return "local"

    def get_remaining_time_in_millis(self) -> int:
        elapsed = time.monotonic() - self.started
        return max(0, int((self.timeout_seconds - elapsed) * 1000))


class FunctionError(RuntimeError):
    """The invocation failed as a whole (the handler raised, timed out or its sandbox died)."""


@dataclass(frozen=True)
class SandboxSpec:
    """What a sandbox needs to load a handler, sent to it as JSON."""

    function_name: str
    module: str
    attribute: str
    code_root: str
    environment: Mapping[str, str]
    memory_limit_in_mb: int
    timeout_seconds: int
    region: str


@dataclass(frozen=True)
class Invocation:
    """One invocation as its sandbox measured it: what Lambda's REPORT line says of it, and
    what it asked of AWS."""

    function_name: str
    sandbox: int
    """Which of the function's sandboxes ran it (its process id)."""
    started: float
    ended: float
    """time.time() around the handler call."""
    records: int
    """Records in its event (an SQS or stream batch)."""
    cpu_seconds: float
    """Processor time the handler used: the function's own work, for the embedded AWS
    answers in another process."""
    max_memory_bytes: int
    """The sandbox's peak resident memory so far (Lambda's "Max Memory Used")."""
    aws_requests: int
    """HTTP requests its AWS clients sent, retries included (each is billed)."""


class Sandbox:
    """One interpreter running one function's handler, warm between invocations."""

    def __init__(self, spec: SandboxSpec, log: TextIO, log_lock: threading.Lock) -> None:
        self.spec = spec
        self.log = log
        self.log_lock = log_lock
        ours, theirs = socket.socketpair()
        with theirs:
            self.pid = _zygote().fork(theirs)
        self._connection = Connection(ours.detach())
        self._send(asdict(spec))
        started = self._receive(_STARTUP_SECONDS)
        if started is None or started["error"] is not None:
            self.close()
            # Lambda's Runtime.ImportModuleError: every invocation fails until the code is fixed.
            reason = started["error"] if started else "the sandbox did not start\n"
            self._write(f"[ERROR] {spec.function_name}: init failed\n{reason}")
            raise FunctionError(f"{spec.function_name}: init failed")

    @property
    def alive(self) -> bool:
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def invoke(self, event: dict[str, Any]) -> tuple[Any, Invocation]:
        """The handler's response and the invocation's span; FunctionError if it raised."""
        self._send(event)
        # Lambda's timeout, with a second's grace for the socket.
        reply = self._receive(self.spec.timeout_seconds + 1)
        if reply is None:
            self.close()
            raise FunctionError(
                f"{self.spec.function_name}: no answer within its {self.spec.timeout_seconds} s"
                " timeout, or its sandbox exited"
            )
        self._write(reply["output"])
        if reply["error"] is not None:
            kind, message, trace = reply["error"]
            self._write(f"[ERROR] {kind}: {message}\n{trace}")
            raise FunctionError(f"{kind}: {message}")
        span = Invocation(
            self.spec.function_name,
            self.pid,
            reply["started"],
            reply["ended"],
            records=len(event.get("Records", [])),
            cpu_seconds=reply["cpu_seconds"],
            max_memory_bytes=reply["max_memory_bytes"],
            aws_requests=reply["aws_requests"],
        )
        return reply["response"], span

    def close(self) -> None:
        self._connection.close()
        # The zygote reaps it; a sandbox stuck in its handler must not outlive the stack.
        if self.alive:
            os.kill(self.pid, signal.SIGKILL)

    def _send(self, message: Any) -> None:
        self._connection.send_bytes(json.dumps(message).encode())

    def _receive(self, timeout: float) -> Any:
        """The next message, or None if none came in time or the sandbox is gone."""
        try:
            if not self._connection.poll(timeout):
                return None
            return json.loads(self._connection.recv_bytes())
        except (EOFError, OSError):
            return None

    def _write(self, text: str) -> None:
        if text:
            with self.log_lock:
                self.log.write(text)
                self.log.flush()


class SandboxPool:
    """A function's sandboxes: a warm one when one is idle, else a new one (a cold start).

    The event source mappings cap how many invocations run at once, as
    Lambda's do; the pool only keeps the sandboxes for the next ones.
    """

    def __init__(self, spec: SandboxSpec, log: TextIO, log_lock: threading.Lock) -> None:
        self.spec = spec
        self.log = log
        self.log_lock = log_lock
        self.invocations: list[Invocation] = []
        self._idle: list[Sandbox] = []
        self._all: list[Sandbox] = []
        self._lock = threading.Lock()

    def invoke(self, event: dict[str, Any]) -> Any:
        with self._lock:
            sandbox = self._idle.pop() if self._idle else None
        if sandbox is None:
            sandbox = Sandbox(self.spec, self.log, self.log_lock)
            with self._lock:
                self._all.append(sandbox)
        try:
            response, span = sandbox.invoke(event)
        except FunctionError:
            with self._lock:
                # A handler that raised leaves its sandbox warm; a dead one is replaced.
                if sandbox.alive:
                    self._idle.append(sandbox)
                else:
                    self._all.remove(sandbox)
            raise
        with self._lock:
            self.invocations.append(span)
            self._idle.append(sandbox)
        return response

    def close(self) -> None:
        with self._lock:
            sandboxes, self._all, self._idle = self._all, [], []
        for sandbox in sandboxes:
            sandbox.close()


class _Zygote:
    """The interpreter that sandboxes are forked from, one for this process."""

    def __init__(self) -> None:
        environment = {name: os.environ[name] for name in _INHERITED if name in os.environ}
        self._control, theirs = socket.socketpair()
        with theirs:
            self._process = subprocess.Popen(  # noqa: S603 # nosec B603 - this interpreter, our module
                [sys.executable, "-m", "pressroom_local.sandbox", str(theirs.fileno())],
                env={**environment, "PYTHONPATH": os.pathsep.join(sys.path)},
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
            )
        self._lock = threading.Lock()

    def fork(self, connection: socket.socket) -> int:
        """A new process that serves a sandbox on `connection`; its process id."""
        with self._lock:
            socket.send_fds(self._control, [b"fork"], [connection.fileno()])
            answer = self._control.recv(32)
        if not answer:
            raise FunctionError("the sandboxes' zygote has exited")
        return int(answer)


_zygote_lock = threading.Lock()
_zygotes: dict[int, _Zygote] = {}
"""By process id: a process forked from this one (a test runner's worker) needs its own."""


def _zygote() -> _Zygote:
    with _zygote_lock:
        zygote = _zygotes.get(os.getpid())
        if zygote is None or zygote._process.poll() is not None:
            zygote = _zygotes[os.getpid()] = _Zygote()
        return zygote


# -- in the zygote and the sandboxes -----------------------------------------------------------


def _load_service_models() -> None:
    """Import botocore's client machinery once, here, by making a client of each service.
    The functions' clients come from a session of their own (`wiring.aws_session`), which
    parses its trimmed models in each sandbox, as on Lambda: about 10 ms."""
    import boto3

    boto3.setup_default_session()
    for service in ("s3", "sqs", "dynamodb"):
        # Explicit credentials, so that no credential provider runs (or waits on a metadata
        # endpoint) before the sandbox's own environment is in place.
        boto3.client(
            service,
            region_name="us-east-1",
            aws_access_key_id="zygote",
            aws_secret_access_key="zygote",  # noqa: S106 # nosec B106 - no request is made
        )


def run_zygote(control: socket.socket) -> None:
    """Import what every handler needs, then fork a sandbox for each request until this
    process's parent goes away (the control socket closes)."""
    for module in _PRELOADED:
        importlib.import_module(module)
    _load_service_models()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    while True:
        _, fds, _, _ = socket.recv_fds(control, 16, 1)
        if not fds:
            return
        pid = os.fork()
        if pid == 0:
            control.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            serve(Connection(fds[0]))
            os._exit(0)
        os.close(fds[0])
        control.sendall(str(pid).encode())


class _Output:
    """The sandbox's stdout: Powertools' Logger keeps the stream it was made with, so this
    one object stays in place and each invocation takes what was written during it."""

    def __init__(self) -> None:
        self._parts: list[str] = []

    def write(self, text: str) -> int:
        self._parts.append(text)
        return len(text)

    def flush(self) -> None:
        """Nothing is buffered elsewhere."""

    def take(self) -> str:
        text, self._parts = "".join(self._parts), []
        return text


def serve(connection: Connection) -> None:
    """The sandbox's main loop: load the handler, then run each event that arrives until
    the socket closes."""
    spec = SandboxSpec(**json.loads(connection.recv_bytes()))
    os.environ.update(spec.environment)
    sys.path.insert(0, spec.code_root)
    output = _Output()
    sys.stdout = output
    _count_aws_requests()
    try:
        handler = getattr(importlib.import_module(spec.module), spec.attribute)
    except Exception:
        connection.send_bytes(
            json.dumps({"error": output.take() + traceback.format_exc()}).encode()
        )
        return
    connection.send_bytes(json.dumps({"error": None}).encode())
    while True:
        try:
            event = json.loads(connection.recv_bytes())
        except EOFError:
            return
        context = LocalContext(
            function_name=spec.function_name,
            memory_limit_in_mb=spec.memory_limit_in_mb,
            timeout_seconds=spec.timeout_seconds,
            region=spec.region,
        )
        connection.send_bytes(json.dumps(_run(handler, event, context, output)).encode())


_aws_requests = 0
"""HTTP requests this sandbox's AWS clients have sent."""


def _count_aws_requests() -> None:
    """Count each request botocore sends, whichever client sends it: a handler builds its
    own clients, and every attempt of a retried call is a request AWS bills."""
    import botocore.endpoint

    send = botocore.endpoint.Endpoint._send  # type: ignore[attr-defined]

    def counted(endpoint: Any, request: Any) -> Any:
        global _aws_requests
        _aws_requests += 1
        return send(endpoint, request)

    botocore.endpoint.Endpoint._send = counted  # type: ignore[attr-defined]


def _run(
    handler: Any, event: dict[str, Any], context: LocalContext, output: _Output
) -> dict[str, Any]:
    requests_before, cpu_before = _aws_requests, time.process_time()
    started = time.time()
    response, error = None, None
    try:
        response = handler(event, context)
    except Exception as raised:
        error = (type(raised).__name__, str(raised), traceback.format_exc())
    return {
        "response": response,
        "error": error,
        "output": output.take(),
        "started": started,
        "ended": time.time(),
        "cpu_seconds": time.process_time() - cpu_before,
        # ru_maxrss is in KiB on Linux.
        "max_memory_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "aws_requests": _aws_requests - requests_before,
    }


if __name__ == "__main__":
    run_zygote(socket.socket(fileno=int(sys.argv[1])))
