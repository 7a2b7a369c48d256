"""Powertools Logger, Metrics and Tracer: one of each per process, configured by environment.

template.yaml sets POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE,
POWERTOOLS_LOG_LEVEL and POWERTOOLS_TRACE_DISABLED per function.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.shared.functions import strtobool

_Function = TypeVar("_Function", bound=Callable[..., Any])


class FunctionTracer(Protocol):
    """The part of Powertools' Tracer the handlers use: two decorators."""

    def capture_lambda_handler(self, lambda_handler: Callable[..., Any]) -> Callable[..., Any]: ...

    def capture_method(self, method: _Function) -> _Function: ...


class Untraced:
    """Stands in for Powertools' Tracer when the functions' own calls are not traced.

    Powertools' Tracer imports the X-Ray SDK and builds its recorder even when
    tracing is disabled: about a third of a handler's import time. Lambda's
    active tracing records each invocation and its init without the SDK.
    """

    def capture_lambda_handler(self, lambda_handler: _Function) -> _Function:
        return lambda_handler

    def capture_method(self, method: _Function) -> _Function:
        return method


def traces_aws_calls() -> bool:
    """Whether subsegments for the handlers and their AWS calls are wanted (template
    parameter TraceAwsCalls); unset means traced, as Powertools has it."""
    # Read as Powertools' Tracer reads it.
    return not strtobool(os.environ.get("POWERTOOLS_TRACE_DISABLED", "false"))


def _tracer() -> FunctionTracer:
    if not traces_aws_calls():
        return Untraced()
    tracer: FunctionTracer = Tracer()
    return tracer


logger = Logger()
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "Pressroom"))
tracer = _tracer()
