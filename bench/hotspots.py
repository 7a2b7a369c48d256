"""Where a one-post publish spends its time: py-spy (from .venv-bench) over repeated publishes.

    python -m bench.hotspots --size 10000 --repeats 20

Loads a site of N posts (listings only), then publishes `repeats` single posts
under py-spy, and sums the samples taken inside `measured_publish` by the
innermost Pressroom frame (shared/pressroom, functions/) and by whether moto
was answering. `--pure` profiles the pure pipeline instead (one post a batch).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
MARK = "measured_publish"


def measured_publish(publish: object, *args: object) -> None:
    publish(*args)  # type: ignore[operator]


def _target(size: int, repeats: int, pure: bool) -> None:
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
    )
    from bench.corpus import corpus, new_posts

    if pure:
        from bench.pure import run_pure

        measured_publish(run_pure, corpus(size))
        return
    from bench import pipeline
    from bench.aws_calls import CallCounter
    from bench.corpus import write_pressroom
    from pressroom_local.s3_events import in_process_aws
    from pressroom_local.stack import LocalStack

    fresh = new_posts(repeats)
    with (
        tempfile.TemporaryDirectory() as scratch,
        in_process_aws() as session,
    ):
        stack = LocalStack.create(
            session, project_root=PROJECT_ROOT, site_url=pipeline.SITE_URL, stack_name="hotspots"
        )
        stack.router.drain()
        pipeline.load_site(stack, corpus(size), render_pages=False)
        counter = CallCounter()
        for post in fresh:
            files = write_pressroom([post], Path(scratch))
            measured_publish(pipeline.publish, stack, counter, files)


def _frame_file(frame: str) -> str:
    """The frame's file as py-spy writes it: relative to its sys.path entry."""
    return "/" + frame.rsplit("(", 1)[-1].rstrip(")").lstrip("/")


def _is_product(frame: str) -> bool:
    """Lambda code: the handlers and the library, not the local stack that drives them."""
    path = _frame_file(frame)
    return "/pressroom/" in path or "/functions/" in path


def summarise(raw: Path, top: int = 15) -> str:
    by_frame: Counter[str] = Counter()
    by_leaf: Counter[str] = Counter()
    moto = total = 0
    for line in raw.read_text(encoding="utf-8").splitlines():
        stack, _, count_text = line.rpartition(" ")
        frames = stack.split(";")
        if not any(frame.startswith(MARK + " ") for frame in frames):
            continue
        count = int(count_text)
        total += count
        inside = frames[[f.startswith(MARK + " ") for f in frames].index(True) + 1 :]
        if any("/moto/" in _frame_file(frame) for frame in inside):
            moto += count
        own = [frame for frame in inside if _is_product(frame)]
        by_frame[_short(own[-1]) if own else "(the local router, not a function)"] += count
        by_leaf[_short(inside[-1]) if inside else "?"] += count
    if not total:
        return "no samples inside the measured publishes"
    lines = [
        f"{total} samples in {MARK}; {moto / total:.0%} with moto answering a request",
        "",
        "innermost Pressroom frame:",
        *(f"  {count / total:6.1%}  {frame}" for frame, count in by_frame.most_common(top)),
        "",
        "leaf frame:",
        *(f"  {count / total:6.1%}  {frame}" for frame, count in by_leaf.most_common(top)),
    ]
    return "\n".join(lines)


def _short(frame: str) -> str:
    name, _, where = frame.partition(" (")
    return f"{name} ({where.rstrip(')').split('/site-packages/')[-1]})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hotspots", description=__doc__)
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--pure", action="store_true")
    parser.add_argument("--target", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--py-spy", type=Path, default=PROJECT_ROOT / ".venv-bench/bin/py-spy")
    options = parser.parse_args(argv)
    if options.target:
        _target(options.size, options.repeats, options.pure)
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        raw = Path(scratch) / "profile.txt"
        command = [sys.executable, "-m", "bench.hotspots", "--target"]
        command += ["--size", str(options.size), "--repeats", str(options.repeats)]
        command += ["--pure"] if options.pure else []
        spy = [str(options.py_spy), "record", "--format", "raw", "--nolineno", "--rate", "200"]
        subprocess.run(
            [*spy, "--output", str(raw), "--", *command],
            cwd=PROJECT_ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(summarise(raw))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
