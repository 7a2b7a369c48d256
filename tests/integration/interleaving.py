"""Workers whose AWS requests reach the embedded AWS one at a time, in an order the test
chooses: any interleaving of their requests can be made to happen, and made again (but for
the order among one worker's own reads in parallel, such as the renderer's card reads).

Each worker runs in a thread of its own, with clients made by `Interleaving.client`. Every
request such a client makes waits at botocore's `before-call` until the scheduler lets it
go, and the next is let go only once it has been answered. The scheduler waits until
every worker still running has a request waiting, then asks `choose` which worker's goes
next: what a worker does between two requests cannot matter to another, so the order of
the requests is the whole interleaving.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import boto3

WAIT_SECONDS = 60
"""How long the scheduler waits for a worker to reach its next request, and a request for
its turn, before the run is called stuck."""


class Interleaving:
    def __init__(self, choose: Callable[[dict[str, str]], str]) -> None:
        """`choose` picks, from the workers whose requests wait (each with the operation
        it waits to make, `s3:PutObject`), whose goes next."""
        self._choose = choose
        self._changed = threading.Condition()
        self._waiting: dict[str, deque[tuple[threading.Event, str]]] = {}
        self._finished: set[str] = set()
        self._in_flight = False
        self._failures: dict[str, BaseException] = {}
        self.order: list[tuple[str, str]] = []
        """Each request let go: its worker and its operation, in the order they ran."""

    def client(self, session: boto3.Session, service: str, worker: str) -> Any:
        """A client of `service` whose requests are `worker`'s, made in its turn."""
        client = session.client(service)  # type: ignore[call-overload]
        self._waiting.setdefault(worker, deque())

        def before_call(model: Any, **_: object) -> None:
            self._wait_for_turn(worker, f"{service}:{model.name}")

        client.meta.events.register("before-call", before_call)
        client.meta.events.register("after-call", self._answered)
        client.meta.events.register("after-call-error", self._answered)
        return client

    def run(self, workers: Mapping[str, Callable[[], object]]) -> None:
        """Run the workers to their end, their requests in the order `choose` makes; a
        worker's exception is raised here, once every worker has stopped."""
        with self._changed:
            for name in workers:
                self._waiting.setdefault(name, deque())
        threads = [
            threading.Thread(target=self._work, args=(name, work), name=name, daemon=True)
            for name, work in workers.items()
        ]
        for thread in threads:
            thread.start()
        with self._changed:
            while True:
                self._wait(
                    lambda: (
                        not self._in_flight
                        and all(self._waiting[name] or name in self._finished for name in workers)
                    )
                )
                ready = {name: self._waiting[name][0][1] for name in workers if self._waiting[name]}
                if not ready:
                    break
                chosen = self._choose(ready)
                turn, operation = self._waiting[chosen].popleft()
                self._in_flight = True
                self.order.append((chosen, operation))
                turn.set()
        for thread in threads:
            thread.join(WAIT_SECONDS)
        for name, failure in self._failures.items():
            raise AssertionError(f"worker {name} failed") from failure

    def _work(self, name: str, work: Callable[[], object]) -> None:
        try:
            work()
        except BaseException as failure:
            self._failures[name] = failure
        finally:
            with self._changed:
                self._finished.add(name)
                self._changed.notify_all()

    def _wait_for_turn(self, worker: str, operation: str) -> None:
        turn = threading.Event()
        with self._changed:
            self._waiting[worker].append((turn, operation))
            self._changed.notify_all()
        if not turn.wait(WAIT_SECONDS):
            raise TimeoutError(f"{worker}'s {operation} never had its turn")

    def _answered(self, **_: object) -> None:
        with self._changed:
            self._in_flight = False
            self._changed.notify_all()

    def _wait(self, ready: Callable[[], bool]) -> None:
        if not self._changed.wait_for(ready, WAIT_SECONDS):
            raise TimeoutError(f"the workers stopped short of a request: {self.order[-5:]}")
