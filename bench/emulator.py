"""What the benchmark adds to the embedded AWS: a clock for the time moto takes to answer,
and a way to preload a table without stream records. `pressroom_local.scale` makes a
table's size cost what it costs on DynamoDB (see there why).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

from moto.core.botocore_stubber import BotocoreStubber
from moto.dynamodb.models.table import Table


@contextlib.contextmanager
def stream_paused(table: Table) -> Iterator[None]:
    """Writes made meanwhile leave no stream records (the site's preload is rendered once,
    by a rebuild, rather than once more from the stream)."""
    shard, table.stream_shard = table.stream_shard, None
    try:
        yield
    finally:
        table.stream_shard = shard


def moto_table(name: str, region: str) -> Table:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[DEFAULT_ACCOUNT_ID][region].get_table(name)


class EmulatorClock:
    """Time spent inside moto answering requests (the embedded AWS, not Pressroom)."""

    def __init__(self) -> None:
        self.seconds = 0.0

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        original = BotocoreStubber.__call__
        clock = self

        def timed(stubber: BotocoreStubber, event_name: str, request: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(stubber, event_name, request, **kwargs)
            finally:
                clock.seconds += time.perf_counter() - started

        BotocoreStubber.__call__ = timed  # type: ignore[method-assign]
        try:
            yield
        finally:
            BotocoreStubber.__call__ = original  # type: ignore[method-assign]
