"""Count AWS requests by caller and API with botocore's `before-call` event.

The hook goes on each session's event system before its clients exist
(clients copy the emitter when they are made). The caller is the function
being invoked (its LocalFunction's invoke is wrapped to say so), else the
event source mappings (Lambda's pollers), else the author's upload.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3

from pressroom_local.stack import LocalStack

ROUTER = "mappings"
AUTHOR = "author"
_caller: contextvars.ContextVar[str] = contextvars.ContextVar("caller", default=ROUTER)

RRU_BYTES = 4096
WRU_BYTES = 1024


@dataclass
class Calls:
    """Requests made while counting, and the DynamoDB capacity they would consume."""

    requests: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    """(caller, service, operation) -> requests."""
    read_units: float = 0.0
    write_units: float = 0.0
    handler_seconds: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    invocations: Counter[str] = field(default_factory=Counter)

    def total(self) -> int:
        return sum(self.requests.values())


class CallCounter:
    def __init__(self) -> None:
        self.calls = Calls()
        self.active = False

    def attach(self, session: boto3.Session) -> None:
        session.events.register("before-call", self._before, unique_id="bench-before")
        session.events.register(
            "before-parameter-build.dynamodb", self._parameters, unique_id="bench-params"
        )
        session.events.register("after-call.dynamodb", self._after_dynamodb, unique_id="bench-ddb")

    def attach_stack(self, stack: LocalStack) -> None:
        for function in stack.functions.values():
            function.invoke = self._tagged(function.name, function.invoke)  # type: ignore[method-assign]

    @contextlib.contextmanager
    def counting(self) -> Iterator[Calls]:
        self.calls = Calls()
        self.active = True
        try:
            yield self.calls
        finally:
            self.active = False

    @contextlib.contextmanager
    def as_author(self) -> Iterator[None]:
        token = _caller.set(AUTHOR)
        try:
            yield
        finally:
            _caller.reset(token)

    def _tagged(self, name: str, invoke: Callable[[dict[str, Any]], Any]) -> Callable[..., Any]:
        def tagged(event: dict[str, Any]) -> Any:
            token = _caller.set(name)
            started = time.perf_counter()
            try:
                return invoke(event)
            finally:
                if self.active:
                    self.calls.handler_seconds[name] += time.perf_counter() - started
                    self.calls.invocations[name] += 1
                _caller.reset(token)

        return tagged

    def _before(self, model: Any, **_: Any) -> None:
        if self.active:
            service = model.service_model.service_name
            self.calls.requests[(_caller.get(), service, model.name)] += 1

    def _parameters(
        self, model: Any, params: dict[str, Any], context: dict[str, Any], **_: Any
    ) -> None:
        if not self.active:
            return
        context["bench_consistent"] = bool(params.get("ConsistentRead"))
        if model.name == "TransactWriteItems":
            # Transactional writes cost two write units per item per KB, condition checks too.
            for entry in params["TransactItems"]:
                (request,) = entry.values()
                size = _size(request.get("Item") or request.get("Key") or {})
                self.calls.write_units += 2 * math.ceil(max(size, 1) / WRU_BYTES)

    def _after_dynamodb(
        self, model: Any, parsed: dict[str, Any], context: dict[str, Any], **_: Any
    ) -> None:
        if not self.active:
            return
        if model.name == "BatchGetItem":
            # A consistent read of an item costs one read unit per 4 KB.
            for items in parsed.get("Responses", {}).values():
                self.calls.read_units += sum(
                    math.ceil(_size(item) / RRU_BYTES) or 1 for item in items
                )
        elif model.name == "Query":
            # A query costs by the total size it reads, rounded up to 4 KB; half if eventual.
            size = sum(_size(item) for item in parsed.get("Items", []))
            units = max(1, math.ceil(size / RRU_BYTES))
            self.calls.read_units += units if context.get("bench_consistent") else units / 2


def _size(item: dict[str, Any]) -> int:
    """An item's size as DynamoDB bills it, roughly: attribute names plus values."""
    return sum(len(name) + len(str(value)) for name, value in item.items())
