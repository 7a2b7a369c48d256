"""Run a function's real handler in-process, with the environment its template gives it."""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO

from pressroom.local.provision import ACCOUNT_ID, LocalResources
from pressroom.local.template import FunctionSpec, StackTemplate

Handler = Callable[[dict[str, Any], Any], Any]

# One invocation at a time: handlers read os.environ, which is the process's.
_INVOKE_LOCK = threading.RLock()


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


class LocalFunction:
    """One function of the template, callable like Lambda calls it."""

    def __init__(
        self,
        spec: FunctionSpec,
        environment: Mapping[str, str],
        region: str,
        log: TextIO,
    ) -> None:
        self.spec = spec
        self.environment = dict(environment)
        self.region = region
        self.log = log
        self._handler: Handler | None = None

    @property
    def name(self) -> str:
        return self.spec.logical_id

    def invoke(self, event: dict[str, Any]) -> Any:
        with _INVOKE_LOCK, _patched_environ(self.environment), contextlib.redirect_stdout(self.log):
            context = LocalContext(
                function_name=self.name,
                memory_limit_in_mb=self.spec.memory_size,
                timeout_seconds=self.spec.timeout,
                region=self.region,
            )
            return self.handler(event, context)

    @property
    def handler(self) -> Handler:
        if self._handler is None:
            # Imported with the function's environment and log in place, as
            # Lambda imports a handler inside its own sandbox.
            module = importlib.import_module(self.spec.module)
            self._handler = getattr(module, self.spec.attribute)
        return self._handler


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
) -> dict[str, LocalFunction]:
    use_project_code(template)
    return {
        spec.logical_id: LocalFunction(
            spec, function_environment(spec, template, resources, overrides), resources.region, log
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
