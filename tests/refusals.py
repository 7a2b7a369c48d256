"""AWS calls refused as AWS refuses them: a test names the call and what about it is
refused, and the code under test sees the error response a real service would send."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from pressroom.adapters import wiring


class Error(NamedTuple):
    code: str
    message: str
    status: int


ACCESS_DENIED = Error("AccessDenied", "Access Denied", 403)


@contextlib.contextmanager
def refused(
    event: str,
    about: Callable[[dict[str, Any]], bool],
    error: Error,
    *,
    times: int | None = None,
) -> Iterator[Callable[[], None]]:
    """Every call named by `event` (`before-call.s3.PutObject`) whose request `about`
    accepts is refused with `error`; only the first `times` of them, if given. Gives the
    way to lift the refusal before the block ends (the cause fixed)."""
    events = wiring.aws_session().events
    refusals = 0

    def deny(params: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]] | None:
        nonlocal refusals
        if not about(params) or (times is not None and refusals >= times):
            return None
        refusals += 1
        from botocore.awsrequest import AWSResponse

        return AWSResponse("", error.status, {}, None), {  # type: ignore[arg-type]
            "Error": {"Code": error.code, "Message": error.message},
            "ResponseMetadata": {"HTTPStatusCode": error.status},
        }

    def lift() -> None:
        events.unregister(event, deny, unique_id="test-refusal")
        wiring.reset()

    events.register_first(event, deny, unique_id="test-refusal")
    wiring.reset()  # the functions' clients copy the session's events when they are made
    try:
        yield lift
    finally:
        lift()
