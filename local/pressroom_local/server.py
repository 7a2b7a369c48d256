"""`pressroom local`: the whole stack on this machine, without Docker.

The embedded AWS (`emulator`) answers AWS calls on 127.0.0.1, so the AWS
CLI, boto3 and the author's own scripts reach the stack as they would reach
AWS. The stack is provisioned there by the same code as `pressroom publish`,
the functions run in sandboxes of their own, as many at once as the
template allows, and background threads do what AWS would do by itself:
Lambda's event source mappings poll the queues and the stream, CloudFront
serves the site bucket (with live reload: an open page reloads when it
changes), and (with `--watch`) a folder is mirrored into the
content bucket.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import signal
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import TextIO

from pressroom.characters import for_terminal
from pressroom.exceptions import ConfigurationError
from pressroom.sources import collect_sources
from pressroom_local.emulator import embedded_aws
from pressroom_local.locate import LOCAL_STACK_FILE, local_session, process_running
from pressroom_local.mappings import EventRouter
from pressroom_local.serve import SiteServer
from pressroom_local.stack import DRAFTS_PREVIEW, LocalStack
from pressroom_local.watch import FolderMirror, Outcomes

HOST = "127.0.0.1"
REGION = "us-east-1"
FIRST_REST_SECONDS = 0.05
LONGEST_REST_SECONDS = 0.5
"""The router rests longer the longer nothing arrives (an idle stack costs next to no CPU),
and never so long that an upload takes more than a second to reach the site."""
STARTUP_SETTLE_SECONDS = 30.0
SIGNAL_CHECK_SECONDS = 0.2
"""The kernel hands Ctrl-C or SIGTERM to any one of the process's threads, and Python runs the
handler in the main thread only when that thread next wakes: so it never sleeps for long."""

Report = Callable[[str], None]


@dataclass(frozen=True)
class LocalOptions:
    project_root: Path
    port: int
    """Where the embedded AWS listens."""
    site_port: int
    examples: Path | None = None
    """Published at start (a folder or a file), under the keys `pressroom publish` uses."""
    watch: Path | None = None
    """A folder mirrored into the content bucket while the stack runs."""
    log: TextIO | None = None
    """Where the functions' logs go (None: nowhere)."""
    log_name: str | None = None
    drafts: bool = False
    """A preview: drafts rendered too, marked as such (`stack.DRAFTS_PREVIEW`)."""
    state_file: Path = LOCAL_STACK_FILE


class _Stopped(Exception):
    """Ctrl-C or SIGTERM: stop everything and exit cleanly."""


def run_local(options: LocalOptions, out: TextIO, err: TextIO) -> int:
    """Run until Ctrl-C or SIGTERM; 0 once everything has stopped."""
    if options.watch is not None and not options.watch.is_dir():
        raise ConfigurationError(f"--watch {options.watch}: not a folder")
    _refuse_second_instance(options.state_file)
    with _signals_stop(), contextlib.suppress(_Stopped):
        _run(options, out, err)
    print("pressroom local: stopped", file=err, flush=True)
    return 0


def _welcome(stack: LocalStack) -> None:
    """A site nothing was published to yet still answers `/` (with how to publish the
    first post) and has its not-found page: the renderer writes them, as it would."""
    s3 = stack.session.client("s3", endpoint_url=stack.endpoint_url)
    if s3.list_objects_v2(Bucket=stack.site_bucket, MaxKeys=1).get("KeyCount", 0) == 0:
        renderer = stack.renderer()
        renderer.write_newest()
        renderer.write_site_indexes()


def _run(options: LocalOptions, out: TextIO, err: TextIO) -> None:
    def report(line: str) -> None:
        # Watched file names and router errors are user data: escaped, as the CLI's are.
        print(for_terminal(line), file=err, flush=True)

    _refuse_busy_port(options.port, "--port")
    _refuse_busy_port(options.site_port, "--site-port")
    site_url = f"http://{HOST}:{options.site_port}/"
    with contextlib.ExitStack() as running:
        endpoint_url = running.enter_context(embedded_aws(HOST, options.port, REGION)).endpoint_url
        session = local_session(REGION)
        stack = LocalStack.create(
            session,
            project_root=options.project_root,
            site_url=site_url,
            log=options.log,
            # As on Lambda: a failed message waits out its queue's visibility timeout.
            retry_after_seconds=None,
            endpoint_url=endpoint_url,
            environment_overrides=DRAFTS_PREVIEW if options.drafts else None,
        )
        running.callback(stack.close)
        s3 = session.client("s3", endpoint_url=endpoint_url)
        examples = collect_sources([options.examples]) if options.examples else []
        stack.upload(examples)
        mirror = FolderMirror(s3, stack.content_bucket, options.watch) if options.watch else None
        if mirror is not None:
            mirror.sync()
        _settle(stack.router, report)
        _welcome(stack)
        statuses = Counter(
            status.status if status else "unrecorded"
            for status in stack.statuses(key for key, _ in examples).values()
        )
        try:
            site = SiteServer((HOST, options.site_port), s3, stack.site_bucket, live_reload=True)
        except OSError as error:
            raise _port_taken(options.site_port, "--site-port", error) from None
        running.callback(site.server_close)
        _write_state(options.state_file, stack, endpoint_url, site_url)
        running.callback(options.state_file.unlink, missing_ok=True)

        stop = threading.Event()
        # Daemons: a worker stuck past its join timeout must not keep the process alive.
        workers = [
            threading.Thread(target=_route, args=(stack.router, stop, report), daemon=True),
            threading.Thread(target=site.serve_forever, args=(0.2,), daemon=True),
        ]
        if mirror is not None:
            outcomes = Outcomes(lambda keys: stack.statuses(keys), report, drafts=options.drafts)
            watching = functools.partial(mirror.run, changed=outcomes.expect)
            workers.append(threading.Thread(target=watching, args=(stop, report), daemon=True))
            workers.append(threading.Thread(target=outcomes.run, args=(stop,), daemon=True))
        for worker in workers:
            worker.start()
        running.callback(_stop_workers, workers, stop, site)

        _print_banner(out, options, stack, endpoint_url, site_url, statuses)
        while True:
            time.sleep(SIGNAL_CHECK_SECONDS)


def _route(router: EventRouter, stop: threading.Event, report: Report) -> None:
    """Lambda's pollers: deliver whatever waits, look again soon when nothing does."""
    failing = False
    rest = FIRST_REST_SECONDS
    while not stop.is_set():
        try:
            delivered = router.poll_once()
        except Exception as error:  # the router must outlive one bad poll
            if not failing:
                report(f"router: {error}")
            failing = True
            stop.wait(LONGEST_REST_SECONDS)
            continue
        failing = False
        if delivered:
            rest = FIRST_REST_SECONDS
        else:
            stop.wait(rest)
            rest = min(rest * 2, LONGEST_REST_SECONDS)


def _settle(router: EventRouter, report: Report) -> None:
    """Deliver the start-up uploads before the banner says the site is there."""
    try:
        router.drain(timeout_seconds=STARTUP_SETTLE_SECONDS)
    except TimeoutError:
        # A failed message waits out its visibility timeout; the router will retry it.
        report("pressroom local: some uploads are still being retried; see `pressroom status`")


def _stop_workers(workers: list[threading.Thread], stop: threading.Event, site: SiteServer) -> None:
    stop.set()
    site.shutdown()
    for worker in workers:
        worker.join(timeout=60)


def _write_state(path: Path, stack: LocalStack, endpoint_url: str, site_url: str) -> None:
    described = stack.resources.to_json(
        endpoint_url,
        {logical_id: function.environment for logical_id, function in stack.functions.items()},
        site_url=site_url,
        pid=os.getpid(),
        started=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.write_text(described + "\n", encoding="utf-8")
    partial.replace(path)


def _refuse_second_instance(path: Path) -> None:
    try:
        pid = json.loads(path.read_text(encoding="utf-8"))["pid"]
    except (OSError, ValueError, KeyError, TypeError):
        return  # none, or not ours to keep: replaced once the stack is up
    if isinstance(pid, int) and pid != os.getpid() and process_running(pid):
        raise ConfigurationError(
            f"pressroom local is already running here (process {pid}, see {path}); "
            "stop it first, or start another in a different folder"
        )


def _refuse_busy_port(port: int, option: str) -> None:
    """Fail at once with a clear message (moto's server would wait forever for a busy port)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError as error:
            raise _port_taken(port, option, error) from None


def _port_taken(port: int, option: str, error: OSError) -> ConfigurationError:
    return ConfigurationError(
        f"{HOST}:{port} is not free ({error.strerror}); choose another with {option}"
    )


@contextlib.contextmanager
def _signals_stop() -> Iterator[None]:
    """The first Ctrl-C or SIGTERM stops everything cleanly; a second one is not gentle."""
    signals = (signal.SIGINT, signal.SIGTERM)
    previous = {number: signal.getsignal(number) for number in signals}

    def stop(number: int, frame: FrameType | None) -> None:
        for restored, handler in previous.items():
            signal.signal(restored, handler)
        raise _Stopped

    for number in signals:
        signal.signal(number, stop)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _print_banner(
    out: TextIO,
    options: LocalOptions,
    stack: LocalStack,
    endpoint_url: str,
    site_url: str,
    statuses: Counter[str],
) -> None:
    bucket = stack.content_bucket
    aws = f"aws --endpoint-url {endpoint_url}"
    lines = [
        f"Pressroom is running on an embedded AWS at {endpoint_url}",
        "",
        f"  site      {site_url}",
        f"  publish   {aws} s3 cp my-post.md s3://{bucket}/posts/my-post.md",
        f"  remove    {aws} s3 rm s3://{bucket}/posts/my-post.md",
        "  status    pressroom status posts/my-post.md",
    ]
    if options.examples:
        summary = ", ".join(f"{count} {status}" for status, count in sorted(statuses.items()))
        lines.append(f"  examples  {options.examples}: {summary or 'no Markdown files'}")
    if options.watch:
        lines.append(f"  watching  {options.watch} → s3://{bucket}/")
    if options.drafts:
        lines.append("  drafts    rendered, marked as drafts, in no listing (a preview)")
    lines.append(f"  names     {options.state_file} (endpoint, buckets, table, queues, functions)")
    if options.log_name:
        lines.append(f"  logs      {options.log_name}")
    lines += ["", "Any AWS credentials will do. Ctrl-C stops everything."]
    print("\n".join(for_terminal(line) for line in lines), file=out, flush=True)
