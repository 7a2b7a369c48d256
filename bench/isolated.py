"""Each handler in a fresh interpreter, as Lambda starts a new sandbox: cold start and memory.

The embedded AWS runs as a server on 127.0.0.1 (as `pressroom local` runs it);
the router drives the pipeline, and each invocation it makes runs the
template's handler in a new `python -m bench.cold` process with the
function's environment, so every one is a cold start with a real event.
Its imports come from the layer as `sam build` builds it (`shared/Makefile`, for
this machine's Python 3.13: the library, its wheels, its compiled templates and
the bytecode of all of them), with no site-packages, as on Lambda; `import boto3`,
the baseline, comes from the same layer, which carries the SDK.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.corpus import Post, write_pressroom
from pressroom_local.emulator import embedded_aws
from pressroom_local.layer import LayerBuildError, build_layer, lambda_python
from pressroom_local.locate import local_session
from pressroom_local.runtime import LocalFunction, RuntimeMode
from pressroom_local.stack import LocalStack

PROJECT_ROOT = Path(__file__).resolve().parents[1]
BASELINE = "boto3"
MIB = 1024 * 1024


@dataclass
class Sample:
    import_seconds: float
    call_seconds: float
    max_rss_kb: int
    cpu_seconds: float
    """The process's CPU time over import and call (bench.cold)."""

    @property
    def total(self) -> float:
        return self.import_seconds + self.call_seconds


@dataclass
class ColdRun:
    cold: dict[str, list[Sample]] = field(default_factory=lambda: defaultdict(list))
    """Module (or handler's function name, and its event source where it has two) -> one
    sample per fresh process."""
    large: dict[str, Sample] = field(default_factory=dict)
    """Function name -> its run on a 1 MiB post."""
    large_post_bytes: int = 0
    imports: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    """Module -> seconds of import by top-level package."""

    def median(self, name: str, attribute: str = "total") -> float:
        return statistics.median(getattr(sample, attribute) for sample in self.cold[name])


class Interpreters:
    """Runs `python -m bench.cold` with the layer alone and a given environment."""

    def __init__(self, scratch: Path, python: Path, layer: Path) -> None:
        self.scratch = scratch
        self.python = python
        self.layer = layer
        self.runs = 0

    def run(self, module: str, environment: dict[str, str], event: Any = None) -> dict[str, Any]:
        self.runs += 1
        result = self.scratch / f"result-{self.runs}.json"
        command = [*self.command(), "-m", "bench.cold", module, str(result)]
        if event is not None:
            event_file = self.scratch / f"event-{self.runs}.json"
            event_file.write_text(json.dumps(event), encoding="utf-8")
            command.append(str(event_file))
        subprocess.run(
            command,
            env=self.environment(environment),
            cwd=PROJECT_ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        return json.loads(result.read_text(encoding="utf-8"))

    def command(self) -> list[str]:
        # -S: no site-packages, so every import the layer does not hold fails, as on Lambda.
        return [str(self.python), "-S"]

    def environment(self, extra: dict[str, str]) -> dict[str, str]:
        return {
            "PATH": os.environ.get("PATH", ""),
            # The layer, then this project for `functions` (the handlers) and `bench.cold`,
            # which ship as source, compiled in each sandbox as on Lambda.
            "PYTHONPATH": os.pathsep.join([str(self.layer), str(PROJECT_ROOT)]),
            "PYTHONDONTWRITEBYTECODE": "1",
            "LANG": "C.UTF-8",
            **extra,
        }


def _sample(result: dict[str, Any]) -> Sample:
    return Sample(
        result["import_seconds"],
        result["call_seconds"],
        result["max_rss_kb"],
        result["cpu_seconds"],
    )


class _InFreshProcess:
    """Stands in for a LocalFunction's invoke: the same handler, a new interpreter each time."""

    def __init__(self, function: LocalFunction, interpreters: Interpreters) -> None:
        self.function = function
        self.interpreters = interpreters
        self.samples: list[Sample] = []
        self.sources: list[str] = []
        """Each sample's event source (`aws:sqs`, `aws:dynamodb`)."""

    def __call__(self, event: dict[str, Any]) -> Any:
        result = self.interpreters.run(self.function.spec.module, self.function.environment, event)
        self.samples.append(_sample(result))
        self.sources.append(event["Records"][0].get("eventSource", "?"))
        return result.get("response")

    def by_source(self, name: str) -> dict[str, list[Sample]]:
        """The samples under the function's name; a function with two event sources (the
        renderer: stream records, listing requests) does different work on each, so each
        has its own."""
        if len(set(self.sources)) <= 1:
            return {name: list(self.samples)}
        grouped: dict[str, list[Sample]] = defaultdict(list)
        for source, sample in zip(self.sources, self.samples, strict=True):
            grouped[f"{name}, {source.removeprefix('aws:')} events"].append(sample)
        return grouped

    def clear(self) -> None:
        self.samples.clear()
        self.sources.clear()


def run_cold(posts: list[Post], large_post: Post, *, repeats: int) -> ColdRun:
    """Cold-start each handler `repeats` times with `posts`, then once with `large_post`."""
    run = ColdRun()
    with (
        tempfile.TemporaryDirectory(prefix="pressroom-cold-") as scratch_name,
        embedded_aws() as aws,
    ):
        scratch = Path(scratch_name)
        python = lambda_python()
        if python is None:
            raise LayerBuildError("no Python 3.13 on this machine: the layer's bytecode is 3.13's")
        uv = Path(sys.executable).parent / "uv"
        layer = build_layer(PROJECT_ROOT, scratch / "layer", uv=uv, python=python)
        interpreters = Interpreters(scratch, python, layer)
        session = local_session("us-east-1")
        stack = LocalStack.create(
            session,
            project_root=PROJECT_ROOT,
            site_url="https://news.example.org/",
            endpoint_url=aws.endpoint_url,
            stack_name="coldstart",
            # Each invocation is replaced by a fresh interpreter's below, one at a time.
            runtime=RuntimeMode.deterministic(),
        )
        stack.router.drain()
        invokers = {}
        for name, function in stack.functions.items():
            invokers[name] = _InFreshProcess(function, interpreters)
            function.invoke = invokers[name]  # type: ignore[method-assign]
        s3 = session.client("s3", endpoint_url=aws.endpoint_url)
        environment = {"AWS_DEFAULT_REGION": "us-east-1"}

        def publish(post: Post) -> None:
            for key, path in write_pressroom([post], scratch / "posts"):
                s3.put_object(Bucket=stack.content_bucket, Key=key, Body=path.read_bytes())
            stack.router.drain(idle_sleep=0.01)

        # Warm-up (the file system's caches): its samples are dropped.
        publish(posts[0])
        interpreters.run(BASELINE, environment)
        for invoker in invokers.values():
            invoker.clear()
        for post in posts[1 : repeats + 1]:
            publish(post)
            run.cold[BASELINE].append(_sample(interpreters.run(BASELINE, environment)))
        for name, invoker in invokers.items():
            run.cold.update(invoker.by_source(name))
            invoker.clear()
        run.imports[BASELINE] = import_profile(interpreters, BASELINE, environment)
        for function in stack.functions.values():
            # The function's own environment: it decides what loads (POWERTOOLS_TRACE_DISABLED).
            run.imports[function.spec.module] = import_profile(
                interpreters, function.spec.module, function.environment
            )
        publish(large_post)
        run.large_post_bytes = len(large_post.pressroom_source().encode())
        for name, invoker in invokers.items():
            if invoker.samples:
                run.large[name] = invoker.samples[-1]
    return run


def import_profile(
    interpreters: Interpreters, module: str, environment: dict[str, str]
) -> list[tuple[str, float]]:
    """`python -X importtime`: seconds of import by top-level package (own time, summed)."""
    completed = subprocess.run(
        [*interpreters.command(), "-X", "importtime", "-c", f"import {module}"],
        env=interpreters.environment(environment),
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    totals: dict[str, float] = defaultdict(float)
    for line in completed.stderr.splitlines():
        if not line.startswith("import time:") or "[us]" in line:
            continue
        own, _, name = line.removeprefix("import time:").split("|", 2)
        totals[name.strip().split(".")[0]] += int(own) / 1e6
    return sorted(totals.items(), key=lambda item: item[1], reverse=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
