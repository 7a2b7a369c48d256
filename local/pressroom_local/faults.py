"""Fault injection for the local stack: AWS that throttles, fails and crashes its callers.

A switch on botocore's event system, not a code path in the functions. While
`inject_faults(plan)` is active, every client made from the functions' session
(`pressroom.adapters.wiring.aws_session`, which their own clients come from) meets:

- **retried faults** (`before-send`, below the client's retry handler): a
  request answers with throttling (`SlowDown`, `ThrottlingException`,
  `ProvisionedThroughputExceededException`) or a 5xx error, and botocore's
  standard retries decide whether the caller ever sees it;
- **surfaced faults** (`before-call`, above the retry handler): the call
  fails as if every retry had run out, and the handler must cope;
- **crashes** (`after-call`): the invocation dies right after its Nth write
  (a put, delete, transaction or message sent), as a Lambda sandbox dies
  between two writes. The write happened; the rest never does.

Clients made before the switch keep their own copy of the event handlers,
so `inject_faults` forgets the functions' cached clients on the way in and
out. Draws come from one seeded generator: the same plan on the same
workload fails the same calls.
"""

from __future__ import annotations

import contextlib
import json
import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.retries.standard import ExponentialBackoff

from pressroom.adapters import wiring
from pressroom.batches import receive_count
from pressroom_local.runtime import LocalFunction

FAULTED_SERVICES = frozenset({"s3", "dynamodb", "sqs"})
WRITE_OPERATIONS = frozenset(
    {
        "PutObject",
        "DeleteObject",
        "DeleteObjects",
        "CopyObject",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "BatchWriteItem",
        "TransactWriteItems",
        "SendMessage",
        "SendMessageBatch",
    }
)
INJECTED = "injected by pressroom_local.faults"
"""In every injected error's message, so that a log line says where the error came from."""

_SENTINEL_URL = "http://fault-injected.invalid/"
"""Where a faulted request points while the rest of `before-send` runs: nothing answers for it
(moto's in-process stub passes it by), so the injected answer is the only one."""

# (status, code) per service: throttling first, then server errors.
_ERRORS: dict[str, tuple[tuple[int, str], ...]] = {
    "s3": ((503, "SlowDown"), (500, "InternalError"), (503, "ServiceUnavailable")),
    "dynamodb": (
        (400, "ProvisionedThroughputExceededException"),
        (400, "ThrottlingException"),
        (500, "InternalServerError"),
    ),
    "sqs": ((400, "ThrottlingException"), (500, "InternalError"), (503, "ServiceUnavailable")),
}
_XML_SERVICES = frozenset({"s3"})
"""rest-xml; the others speak JSON (botocore's SQS model is JSON since 2023)."""


class SimulatedCrash(BaseException):
    """The sandbox died. A BaseException, so that no `except Exception` in a handler or in
    Powertools' batch processor turns it into a tidy partial failure."""


class FunctionCrashedError(RuntimeError):
    """What the event source mapping sees when an invocation crashed: the whole batch failed."""


@dataclass(frozen=True)
class FaultPlan:
    rate: float = 0.0
    """Fraction of S3, DynamoDB and SQS requests that fail."""
    surfaced: float = 0.0
    """Share of those failures injected above the client's retries: the handler sees them."""
    crash_rate: float = 0.0
    """Fraction of invocations that crash after one of their first `crash_after_writes` writes."""
    crash_after_writes: int = 3
    seed: int = 0
    services: frozenset[str] = FAULTED_SERVICES
    backoff_scale: float = 1.0
    """Scales the delays the clients' standard retries sleep between attempts. 1 is what
    Lambda's clients do; a long local run may take 0.01, so that thousands of retried
    requests do not cost twenty minutes of sleep. Retries still happen as often."""


@dataclass
class FaultReport:
    """What happened while faults were on."""

    requests_failed: Counter[str] = field(default_factory=Counter)
    """Requests answered with an injected error below the retries, by service."""
    calls_failed: Counter[str] = field(default_factory=Counter)
    """Calls failed above the retries (the caller saw them at once), by service."""
    absorbed: int = 0
    """Injected request failures that a later retry of the same call got past."""
    exhausted: int = 0
    """Calls whose every attempt met an injected failure: the caller saw the error."""
    crashes: Counter[str] = field(default_factory=Counter)
    """Invocations crashed between two writes, by function."""
    invocations: Counter[str] = field(default_factory=Counter)
    failed_invocations: Counter[str] = field(default_factory=Counter)
    """Invocations that raised (crashes among them): the whole batch goes back."""
    batch_item_failures: Counter[str] = field(default_factory=Counter)
    """Records a function reported failed (partial batch responses)."""
    redelivered: Counter[str] = field(default_factory=Counter)
    """Records delivered again: SQS messages received more than once, stream records retried."""

    @property
    def injected(self) -> int:
        return (
            sum(self.requests_failed.values())
            + sum(self.calls_failed.values())
            + sum(self.crashes.values())
        )


class FaultInjector:
    """The event handlers, their generator and their tally."""

    def __init__(self, plan: FaultPlan) -> None:
        self.plan = plan
        self.report = FaultReport()
        self._random = random.Random(plan.seed)  # noqa: S311 # nosec B311 - reproducible faults, not secrets
        self._crash_after: int | None = None
        self._function = ""
        """The function being invoked, to which a crash is put down."""
        self._writes = 0
        self._seen_stream_records: set[str] = set()
        self._redirected: dict[int, str] = {}
        """Faulted requests (by id) and where they were going."""

    def register(self, session: boto3.Session) -> Callable[[], None]:
        """Hook into `session`'s events; return what unhooks them."""
        events = session.events
        hooks: list[tuple[str, Callable[..., Any], str]] = [
            ("before-call", self._before_call, "pressroom-faults-call"),
            ("before-send", self._before_send, "pressroom-faults-send"),
            ("after-call", self._after_call, "pressroom-faults-after"),
        ]
        for event, handler, unique_id in hooks:
            events.register_first(event, handler, unique_id=unique_id)
        events.register_last("before-send", self._restore_url, unique_id="pressroom-faults-back")

        def unregister() -> None:
            for event, handler, unique_id in hooks:
                events.unregister(event, handler, unique_id=unique_id)
            events.unregister("before-send", self._restore_url, unique_id="pressroom-faults-back")

        return unregister

    # -- botocore event handlers -------------------------------------------------------

    def _before_call(self, event_name: str, **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        service = _service(event_name)
        if service not in self.plan.services or not self._draw(self.plan.rate * self.plan.surfaced):
            return None
        status, code = self._random.choice(_ERRORS[service])
        self.report.calls_failed[service] += 1
        response = AWSResponse(_SENTINEL_URL, status, {}, None)  # type: ignore[arg-type]
        parsed = {
            "Error": {"Code": code, "Message": f"{code} ({INJECTED}, above retries)"},
            "ResponseMetadata": {"HTTPStatusCode": status, "HTTPHeaders": {}},
        }
        return response, parsed

    def _before_send(
        self, event_name: str, request: AWSPreparedRequest, **_: Any
    ) -> AWSResponse | None:
        service = _service(event_name)
        failing = self.plan.rate * (1 - self.plan.surfaced)
        if service not in self.plan.services or not self._draw(failing):
            return None
        status, code = self._random.choice(_ERRORS[service])
        self.report.requests_failed[service] += 1
        original_url = request.url
        request.url = _SENTINEL_URL
        self._redirected[id(request)] = original_url
        return _error_response(service, original_url, status, code)

    def _restore_url(self, request: AWSPreparedRequest, **_: Any) -> None:
        """Botocore sends the same request again on retry: point it back where it was going."""
        original = self._redirected.pop(id(request), None)
        if original is not None:
            request.url = original

    def _after_call(
        self, event_name: str, http_response: AWSResponse, parsed: dict[str, Any], **_: Any
    ) -> None:
        service = _service(event_name)
        if service not in self.plan.services:
            return
        retries = int(parsed.get("ResponseMetadata", {}).get("RetryAttempts", 0))
        message = str(parsed.get("Error", {}).get("Message", ""))
        if INJECTED in message and "above retries" not in message:
            self.report.exhausted += 1
        elif http_response.status_code < 300:
            self.report.absorbed += retries
        operation = event_name.split(".")[-1]
        if http_response.status_code >= 300 or operation not in WRITE_OPERATIONS:
            return
        self._writes += 1
        if self._crash_after is not None and self._writes == self._crash_after:
            self._crash_after = None
            self.report.crashes[self._function] += 1
            raise SimulatedCrash(f"{INJECTED}: crashed after write {self._writes} ({operation})")

    # -- invocations ---------------------------------------------------------------------

    def invoke(self, function: LocalFunction, invoke: Invoke, event: dict[str, Any]) -> Any:
        """One invocation, perhaps doomed to crash, with its outcome tallied."""
        name = self._function = function.name
        self.report.invocations[name] += 1
        self._count_redeliveries(name, event)
        self._writes = 0
        self._crash_after = (
            self._random.randint(1, self.plan.crash_after_writes)
            if self._draw(self.plan.crash_rate)
            else None
        )
        try:
            response = invoke(function, event)
        except SimulatedCrash as crash:
            self.report.failed_invocations[name] += 1
            raise FunctionCrashedError(str(crash)) from None
        except Exception:
            self.report.failed_invocations[name] += 1
            raise
        finally:
            self._crash_after = None
        if isinstance(response, dict):
            self.report.batch_item_failures[name] += len(response.get("batchItemFailures", []))
        return response

    def _count_redeliveries(self, name: str, event: dict[str, Any]) -> None:
        for record in event.get("Records", []):
            if record.get("eventSource") == "aws:sqs":
                if receive_count(record) > 1:
                    self.report.redelivered[name] += 1
            elif "eventID" in record:
                if record["eventID"] in self._seen_stream_records:
                    self.report.redelivered[name] += 1
                self._seen_stream_records.add(record["eventID"])

    def _draw(self, probability: float) -> bool:
        return probability > 0 and self._random.random() < probability


Invoke = Callable[[LocalFunction, dict[str, Any]], Any]


@contextlib.contextmanager
def inject_faults(plan: FaultPlan) -> Iterator[FaultReport]:
    """While active, the functions' AWS calls fail as `plan` says; yields the running tally."""
    injector = FaultInjector(plan)
    unregister = injector.register(wiring.aws_session())
    with observe_invocations(injector.invoke), _scaled_backoff(plan.backoff_scale):
        wiring.reset()
        try:
            yield injector.report
        finally:
            unregister()
            wiring.reset()


@contextlib.contextmanager
def _scaled_backoff(scale: float) -> Iterator[None]:
    original = ExponentialBackoff.delay_amount
    if scale == 1:
        yield
        return

    def delay_amount(backoff: ExponentialBackoff, context: Any) -> float:
        return float(original(backoff, context)) * scale

    ExponentialBackoff.delay_amount = delay_amount  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        ExponentialBackoff.delay_amount = original  # type: ignore[method-assign]


@contextlib.contextmanager
def observe_invocations(
    around: Callable[[LocalFunction, Invoke, dict[str, Any]], Any],
) -> Iterator[None]:
    """Route every LocalFunction.invoke through `around(function, invoke, event)`.

    Observers nest: each wraps whatever invoke was in place when it started.
    """
    inner: Invoke = LocalFunction.invoke

    def invoke(function: LocalFunction, event: dict[str, Any]) -> Any:
        return around(function, inner, event)

    LocalFunction.invoke = invoke  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        LocalFunction.invoke = inner  # type: ignore[method-assign,assignment]


def _service(event_name: str) -> str:
    """`before-send.dynamodb.PutItem` → `dynamodb`."""
    return event_name.split(".")[1]


def _error_response(service: str, url: str, status: int, code: str) -> AWSResponse:
    message = f"{code} ({INJECTED})"
    if service in _XML_SERVICES:
        body = (
            f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code>"
            f"<Message>{message}</Message><RequestId>injected</RequestId></Error>"
        ).encode()
        headers = {"Content-Type": "application/xml"}
    else:
        body = json.dumps({"__type": code, "message": message}).encode()
        headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-ErrorType": code}
    return AWSResponse(url, status, headers, _Raw(body))  # type: ignore[arg-type]


class _Raw:
    """The raw body botocore's AWSResponse reads (`.stream()` and `.read()`)."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body

    def read(self, *_: Any) -> bytes:
        return self._body
