"""`python -m bench`: every figure of issue 9 in one run, printed and written to results.md.

python -m bench                       # N = 100, 1,000, 10,000 (what `make bench` runs)
python -m bench --sizes 20 --repeats 2 --batch 5 --no-peers --out /tmp/r.md   # smoke
python -m bench --cold-only --repeats 9   # cold starts and memory alone, printed
python -m bench --pure-only               # the pure pipeline at 10,000 posts alone, printed
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

# The embedded AWS must never meet real credentials: fixed fake ones before boto3 loads.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
)

from bench import report
from bench.corpus import Post, corpus, new_posts
from bench.isolated import MIB, run_cold
from bench.peers import PEERS, find_tools
from bench.pipeline import PROJECT_ROOT, run_site
from bench.pure import run_pure
from pressroom_local.layer import LAMBDA_PLATFORM, build_layer, lambda_python, measure_layer

RENDERER_BATCH = 100
"""The renderer's stream batch size in template.yaml."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--sizes", default="100,1000,10000", help="site sizes, comma-separated")
    parser.add_argument("--repeats", type=int, default=5, help="one-post publishes per size")
    parser.add_argument("--batch", type=int, default=100, help="posts in the amortised batch")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--no-peers", action="store_true", help="skip Hugo and Pelican")
    parser.add_argument("--peer-timeout", type=float, default=900.0)
    parser.add_argument("--bench-venv", type=Path, default=PROJECT_ROOT / ".venv-bench")
    parser.add_argument(
        "--cold-only",
        action="store_true",
        help="only the cold starts and memory; printed, and written only to an --out given",
    )
    parser.add_argument(
        "--pure-only",
        action="store_true",
        help="only the pure pipeline at the largest size (no AWS); printed, and written only "
        "to an --out given",
    )
    parser.add_argument("--out", type=Path, help="where to write the report (bench/results.md)")
    arguments = sys.argv[1:] if argv is None else argv
    options = parser.parse_args(arguments)
    partial = options.cold_only or options.pure_only
    if options.out is None and not partial:
        options.out = PROJECT_ROOT / "bench" / "results.md"
    sizes = [] if options.cold_only else sorted(int(size) for size in options.sizes.split(","))
    started = time.perf_counter()
    results = report.Results(
        sizes=sizes,
        repeats=options.repeats,
        machine=f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        command=" ".join(["python -m bench", *arguments]) if arguments else report.COMMAND,
    )
    fresh = new_posts((options.repeats + 1 + options.batch) * len(sizes) + 2, options.seed)

    def say(line: str) -> None:
        print(f"[bench {time.perf_counter() - started:6.0f} s] {line}", file=sys.stderr, flush=True)

    if options.pure_only:
        _pure(results, corpus(max(sizes), options.seed), say)
        return _report(results, options.out, say)

    for size in sizes:
        say(f"site of {size} posts: loading, then {options.repeats} one-post publishes")
        run = run_site(
            corpus(size, options.seed), fresh, repeats=options.repeats, batch_size=options.batch
        )
        results.sites.append(run)
        median, load = run.median * 1000, run.load_seconds
        say(f"site of {size}: publish median {median:.0f} ms (load {load:.0f} s)")

    say("cold starts and memory: each handler in a fresh interpreter")
    cold_posts = list(new_posts(options.repeats + 1, options.seed + 1))
    large = replace(cold_posts[0], slug="one-mebibyte", body=_mebibyte_body(cold_posts[0].body))
    results.cold = run_cold(cold_posts, large, repeats=options.repeats)

    if options.cold_only:
        return _report(results, options.out, say)

    say("the layer: Lambda's wheels and their bytecode, built as sam build builds them")
    python = lambda_python()
    if python is None:
        say("no Python 3.13 on this machine to compile the layer's bytecode: layer not measured")
    else:
        with tempfile.TemporaryDirectory(prefix="pressroom-layer-") as scratch:
            uv = Path(sys.executable).parent / "uv"
            layer = build_layer(
                PROJECT_ROOT, Path(scratch), uv=uv, python=python, platform=LAMBDA_PLATFORM
            )
            results.layer = measure_layer(layer, Path(scratch))

    _pure(results, corpus(max(sizes), options.seed), say)

    if not options.no_peers:
        tools = find_tools(options.bench_venv)
        if not tools:
            say(f"no Hugo or Pelican in {options.bench_venv}: run `make .venv-bench/.installed`")
        with tempfile.TemporaryDirectory(prefix="pressroom-peers-") as scratch:
            for name, executable in tools.items():
                peer = PEERS[name](executable, Path(scratch) / name.lower(), options.peer_timeout)
                for size in sizes:
                    say(f"{name}: full build of {size} posts")
                    peer.prepare(corpus(size, options.seed))
                    results.peers.append(peer.build(size))
                say(f"{name}: one post added to the {sizes[-1]}-post site, rebuilt")
                peer.add(next(fresh))
                results.peer_rebuilds[name] = peer.build(sizes[-1] + 1)

    return _report(results, options.out, say)


def _pure(results: report.Results, posts: list[Post], say: Callable[[str], None]) -> None:
    for batch_size in (1, RENDERER_BATCH):
        say(f"pure pipeline over {len(posts)} posts, {batch_size} a batch")
        results.pure.append(run_pure(posts, batch_size))


def _report(results: report.Results, out: Path | None, say: Callable[[str], None]) -> int:
    text = report.render(results)
    print(text)
    if out is not None:
        out.write_text(text, encoding="utf-8")
        say(f"written to {out}")
    return 0


def _mebibyte_body(body: str) -> str:
    """Paragraphs repeated up to just under the validator's 1 MiB object limit."""
    repeated = (body.strip() + "\n\n") * (MIB // len(body) + 1)
    return repeated[: MIB - 4096].rstrip() + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
