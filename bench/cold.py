"""Run inside a fresh interpreter: import one module, optionally call its handler once.

    python -m bench.cold MODULE RESULT_FILE [EVENT_FILE]

Writes {"import_seconds", "call_seconds", "cpu_seconds", "max_rss_kb", "response"}
to RESULT_FILE (stdout belongs to the handler's logs). Only the standard library is
imported before the clock starts, as in a Lambda sandbox before the handler's module.
`cpu_seconds` is this process's CPU time over the import and the call: on a busy machine
it varies less than the elapsed times, and leaves out waiting for the embedded AWS.
"""

from __future__ import annotations

import importlib
import json
import resource
import sys
import time
import uuid
from pathlib import Path
from typing import Any


class Context:
    """What Powertools reads of Lambda's context object."""

    def __init__(self, name: str, memory_mb: int) -> None:
        self.function_name = name
        self.memory_limit_in_mb = memory_mb
        self.aws_request_id = str(uuid.uuid4())
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
        self.log_group_name = f"/aws/lambda/{name}"
        self.log_stream_name = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def _peak_rss_kb() -> int:
    """This interpreter's peak resident memory (what Lambda reports as Max Memory Used).

    VmHWM, not getrusage's ru_maxrss: the latter survives exec, so a child of a large
    process would report its parent's peak.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(arguments: list[str]) -> None:
    module_name, result_file = arguments[0], Path(arguments[1])
    event_file = Path(arguments[2]) if len(arguments) > 2 else None
    started, cpu_started = time.perf_counter(), time.process_time()
    module = importlib.import_module(module_name)
    imported = time.perf_counter()
    result: dict[str, Any] = {"import_seconds": imported - started, "call_seconds": 0.0}
    if event_file is not None:
        event = json.loads(event_file.read_text(encoding="utf-8"))
        called = time.perf_counter()
        result["response"] = module.lambda_handler(event, Context(module_name, 512))
        result["call_seconds"] = time.perf_counter() - called
    result["cpu_seconds"] = time.process_time() - cpu_started
    result["max_rss_kb"] = _peak_rss_kb()
    result_file.write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
