"""A function of the template, invoked as Lambda invokes it: in sandboxes of its own, or
(the deterministic mode) in this process, one invocation at a time."""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import random
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from pressroom_local.provision import LocalResources
from pressroom_local.sandbox import Invocation, LocalContext, SandboxPool, SandboxSpec
from pressroom_local.template import FunctionSpec, StackTemplate

Handler = Callable[[dict[str, Any], Any], Any]

# In this process, one invocation at a time: handlers read os.environ, which is the process's.
_INVOKE_LOCK = threading.RLock()


class _InvocationOutput:
    """What handlers print in this process, sent to the log of the stack whose function is
    being invoked. Powertools' Logger keeps the stream it was made with (on first import),
    so the stream stays this one object, and each invocation points it at its own log."""

    log: TextIO = sys.stderr

    def write(self, text: str) -> int:
        return self.log.write(text)

    def flush(self) -> None:
        self.log.flush()


_OUTPUT = _InvocationOutput()


def _log_as_this_function() -> None:
    """Point the product's logger at this invocation's output, under this function's
    service name. In this process the logger is made once, by whichever import came
    first: a function's (inside an invocation), or a test's or a tool's (outside one, with
    another stream and no service), and Lambda gives each function a process of its own."""
    observability = sys.modules.get("pressroom.observability")
    if observability is None:
        return  # the handler's import makes it, with this invocation's output in place
    logger = observability.logger
    handler = logger.registered_handler
    if isinstance(handler, logging.StreamHandler) and handler.stream is not _OUTPUT:
        handler.setStream(_OUTPUT)
    logger.append_keys(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "service_undefined"))


STREAM_SHARDS = 2
"""Shards the local stream is split into (moto runs one a table; DynamoDB runs several)."""


@dataclass(frozen=True)
class RuntimeMode:
    """How the local runtime runs invocations."""

    sandboxes: bool
    """Each function in processes of its own, as many invocations at once as the template's
    mappings allow; else in this process, one at a time."""
    stream_shards: int = STREAM_SHARDS
    seed: int | None = None
    """Deterministic mode: queues and shards are served in an order drawn from this seed."""

    @classmethod
    def concurrent(cls, *, stream_shards: int = STREAM_SHARDS) -> RuntimeMode:
        return cls(sandboxes=True, stream_shards=stream_shards)

    @classmethod
    def deterministic(cls, seed: int = 0, *, stream_shards: int = STREAM_SHARDS) -> RuntimeMode:
        """For runs that must repeat exactly, and for harnesses that work inside the
        handler's own process (fault injection through botocore's events, tracemalloc)."""
        return cls(sandboxes=False, stream_shards=stream_shards, seed=seed)

    def order(self) -> random.Random | None:
        """The generator that orders queues and shards (None: whichever is ready first)."""
        return None if self.seed is None else random.Random(self.seed)  # noqa: S311 # nosec B311 - an order, not a secret


CONCURRENT = RuntimeMode.concurrent()


class LocalFunction:
    """One function of the template, callable like Lambda calls it."""

    def __init__(
        self,
        spec: FunctionSpec,
        environment: Mapping[str, str],
        region: str,
        log: TextIO,
        *,
        code_root: Path | None = None,
        log_lock: threading.Lock | None = None,
    ) -> None:
        """`code_root` given: the function runs in sandboxes (processes) started from it."""
        self.spec = spec
        self.environment = dict(environment)
        self.region = region
        self.log = log
        self._handler: Handler | None = None
        self._sandboxes = (
            None
            if code_root is None
            else SandboxPool(self._sandbox_spec(code_root), log, log_lock or threading.Lock())
        )

    @property
    def name(self) -> str:
        return self.spec.logical_id

    @property
    def invocations(self) -> list[Invocation]:
        """The spans of the invocations its sandboxes ran (none in this process)."""
        return list(self._sandboxes.invocations) if self._sandboxes else []

    def invoke(self, event: dict[str, Any]) -> Any:
        if self._sandboxes is not None:
            return self._sandboxes.invoke(event)
        with (
            _INVOKE_LOCK,
            _patched_environ(self.environment),
            contextlib.redirect_stdout(_OUTPUT),
        ):
            _OUTPUT.log = self.log
            _log_as_this_function()
            context = LocalContext(
                function_name=self.name,
                memory_limit_in_mb=self.spec.memory_size,
                timeout_seconds=self.spec.timeout,
                region=self.region,
            )
            return self.handler(event, context)

    def close(self) -> None:
        """Stop its sandboxes (the next invocation starts a new one, cold)."""
        if self._sandboxes is not None:
            self._sandboxes.close()

    @property
    def handler(self) -> Handler:
        if self._handler is None:
            # Imported with the function's environment and log in place, as
            # Lambda imports a handler inside its own sandbox.
            module = importlib.import_module(self.spec.module)
            self._handler = getattr(module, self.spec.attribute)
        return self._handler

    def _sandbox_spec(self, code_root: Path) -> SandboxSpec:
        return SandboxSpec(
            function_name=self.name,
            module=self.spec.module,
            attribute=self.spec.attribute,
            code_root=str(code_root),
            environment=self.environment,
            memory_limit_in_mb=self.spec.memory_size,
            timeout_seconds=self.spec.timeout,
            region=self.region,
        )


def function_environment(
    spec: FunctionSpec,
    template: StackTemplate,
    resources: LocalResources,
    overrides: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """What Lambda would set, plus the template's variables resolved to local resources."""
    resolved = {
        name: str(template.resolve(value, resources.attribute))
        for name, value in spec.environment.items()
    }
    return {
        "AWS_REGION": resources.region,
        "AWS_DEFAULT_REGION": resources.region,
        "AWS_LAMBDA_FUNCTION_NAME": spec.logical_id,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_size),
        **resolved,
        # No X-Ray daemon listens locally, whatever the template's TraceAwsCalls says.
        "POWERTOOLS_TRACE_DISABLED": "true",
        **(overrides or {}),
    }


def load_functions(
    template: StackTemplate,
    resources: LocalResources,
    *,
    log: TextIO,
    overrides: Mapping[str, str] | None = None,
    sandboxes: bool = True,
) -> dict[str, LocalFunction]:
    use_project_code(template)
    log_lock = threading.Lock()
    return {
        spec.logical_id: LocalFunction(
            spec,
            function_environment(spec, template, resources, overrides),
            resources.region,
            log,
            code_root=template.path.parent if sandboxes else None,
            log_lock=log_lock,
        )
        for spec in template.functions()
    }


def use_project_code(template: StackTemplate) -> None:
    """Make the template's handlers (`functions.validator.app`) importable, as Lambda's code
    root makes them."""
    project_root = str(template.path.parent)
    if project_root not in sys.path:
        sys.path.insert(0, project_root)


@contextlib.contextmanager
def _patched_environ(values: Mapping[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
