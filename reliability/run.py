"""`make reliability`: faults, duplicated and reordered events, and load, with the figures.

    python -m reliability.run [--posts 1000] [--load 10000] [--step 1000] [--catalogue]
                              [--in-process]

Exit status 1 when a faulted or reordered run does not end like the fault-free
one, a post is lost (in those runs or the load), or a dead-letter queue is not
empty after redrive.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Sequence

from pressroom_local.emulator import EmbeddedAws
from pressroom_local.runtime import CONCURRENT
from pressroom_local.stack import LocalStack
from reliability.harness import (
    FUNCTIONS,
    HARSH,
    TEN_PERCENT,
    Captured,
    FinalState,
    Measurement,
    Pipelines,
    Post,
    Probe,
    Run,
    SandboxFigures,
    capture_notifications,
    differences,
    generate_posts,
    history_uploads,
    in_date_order,
    local_aws,
    lost_posts,
    rebuild,
    resident_memory,
    shuffled_with_duplicates,
)

MIB = 1024 * 1024


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reliability.run", description=__doc__)
    parser.add_argument("--posts", type=int, default=1000, help="posts in the fault runs (0: none)")
    parser.add_argument("--load", type=int, default=10000, help="posts in the load run (0: none)")
    parser.add_argument("--step", type=int, default=1000, help="posts per load measurement")
    parser.add_argument(
        "--catalogue",
        action="store_true",
        help="load as a back catalogue: the posts in generated order, dates all over seven "
        "years, so every month grows with the site (default: in date order, as a site grows)",
    )
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="run the load's functions in this process, one invocation at a time, with a "
        "probe that separates the embedded AWS's time (default: the concurrent runtime)",
    )
    arguments = parser.parse_args(argv)
    ok = faults_and_deliveries(arguments.posts) if arguments.posts else True
    if arguments.load:
        ok &= load(
            arguments.load,
            arguments.step,
            catalogue=arguments.catalogue,
            concurrent=not arguments.in_process,
        )
    return 0 if ok else 1


def faults_and_deliveries(count: int) -> bool:
    with local_aws() as aws:
        posts, deleted, uploads = history_uploads(count)
        captured = capture_notifications(aws.session, uploads)
        pipelines = Pipelines(aws)
        print(
            f"history: {count} posts, {len(uploads) - count - len(deleted)} updates, "
            f"{len(deleted)} deletes: {len(captured.notifications)} S3 events"
        )
        baseline = pipelines.publish(captured)
        expected = baseline.state()
        ok = _verdict("fault-free (the reference)", baseline, expected, expected, posts, deleted)

        faulted = pipelines.publish(captured, plan=TEN_PERCENT)
        ok &= _verdict("10 % faults", faulted, faulted.state(), expected, posts, deleted)
        report = faulted.faults
        assert report is not None
        print(
            f"  faults: {report.injected} injected: "
            f"{sum(report.requests_failed.values())} requests failed below the retries "
            f"({report.absorbed} absorbed by retries, {report.exhausted} calls ran out of them), "
            f"{sum(report.calls_failed.values())} calls failed above them, "
            f"{sum(report.crashes.values())} invocations crashed between two writes"
        )
        for name in FUNCTIONS:
            print(
                f"    {name:<18} {report.invocations[name]:>5} invocations, "
                f"{report.failed_invocations[name]:>4} failed whole, "
                f"{report.batch_item_failures[name]:>4} records reported failed, "
                f"{report.redelivered[name]:>5} records delivered again"
            )

        harsh = pipelines.publish(captured, plan=HARSH)
        name = "30 % faults, half past the retries"
        ok &= _verdict(name, harsh, harsh.state(), expected, posts, deleted)

        deliveries = shuffled_with_duplicates(captured.notifications, seed=3)
        shuffled = pipelines.publish(captured, deliveries=deliveries, chunk=50)
        print(
            f"reordered: {len(deliveries)} deliveries of {len(captured.notifications)} events, "
            "shuffled, in chunks of 50"
        )
        ok &= _verdict("reordered", shuffled, shuffled.state(), expected, posts, deleted)
    return ok


def _verdict(
    name: str,
    run: Run,
    state: FinalState,
    expected: FinalState,
    posts: Sequence[Post],
    deleted: frozenset[str],
) -> bool:
    different = differences(expected, state)
    lost = lost_posts(posts, state, deleted)
    left = sum(run.dead_letters_after.values())
    print(
        f"{name}: {run.seconds:.0f} s; {len(state.table)} index items, "
        f"{len(state.site)} site objects; "
        f"{'identical to the fault-free run' if not different else f'{len(different)} DIFFER'}; "
        f"{len(lost)} posts lost; dead letters {_counts(run.dead_letters)} → "
        f"redriven {_counts(run.redriven) or 'none'} → {left} left"
    )
    for line in different[:10]:
        print(f"    differs: {line}")
    return not different and not lost and not left


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in counts.items() if count) or "0"


def load(count: int, step: int, *, catalogue: bool = False, concurrent: bool = True) -> bool:
    """Publish `count` posts, `step` at a time, and print each function's cost per post as
    the site grows: through the concurrent runtime (what `pressroom local` runs) from what
    its sandboxes report, or in this process with a probe around each invocation."""
    with local_aws() as aws:
        posts = generate_posts(count, seed=2)
        if not catalogue:
            posts = in_date_order(posts)
        captured = capture_notifications(aws.session, [(post.key, post.body) for post in posts])
        print(
            f"load ({'a back catalogue, every month growing' if catalogue else 'in date order'},"
            f" {'concurrent runtime' if concurrent else 'in this process'}): {count} posts",
            flush=True,
        )
        if concurrent:
            return _load_concurrently(aws, posts, captured, step)
        return _load_in_process(aws, posts, captured, step)


def _load_concurrently(aws: EmbeddedAws, posts: list[Post], captured: Captured, step: int) -> bool:
    pipelines = Pipelines(aws, CONCURRENT)
    print(
        f"  {'site size':>11} {'function':<18} {'invoked':>7} {'sandboxes':>9} {'ms/post':>8}"
        f" {'own ms':>7} {'requests':>8} {'peak MiB':>8}   embedded AWS MiB (now, peak)"
    )
    seen: dict[str, int] = dict.fromkeys(FUNCTIONS, 0)

    def report_phase(phase: int, stack: LocalStack) -> None:
        now, peak = resident_memory()
        for name in FUNCTIONS:
            invocations = stack.functions[name].invocations
            figures = SandboxFigures.of(invocations[seen[name] :])
            seen[name] = len(invocations)
            print(
                f"  {_size(phase, step):>11} {name:<18} {figures.invocations:>7}"
                f" {figures.sandboxes:>9} {1000 * figures.per_record(figures.seconds):>8.1f}"
                f" {1000 * figures.per_record(figures.cpu_seconds):>7.1f}"
                f" {figures.per_record(figures.aws_requests):>8.2f}"
                f" {figures.max_memory_bytes / MIB:>8.0f}"
                + (f"   {now / MIB:.0f}, {peak / MIB:.0f}" if name == FUNCTIONS[0] else ""),
                flush=True,
            )

    started = time.perf_counter()
    run = pipelines.publish(captured, chunk=step, between_chunks=report_phase)
    seconds = time.perf_counter() - started
    peak = resident_memory()[1]
    with run.stack:
        state = run.state()
        # Every listing against the index: a rebuild renders each from the committed index,
        # so any page the stream left stale differs.
        rebuild(run.stack)
        stale = differences(state, run.state())
    lost = lost_posts(posts, state)
    print(
        f"  {len(posts)} posts in {seconds:.0f} s, {len(lost)} lost, {len(state.site)} site "
        f"objects, {len(stale)} that a rebuild from the index changes; peak resident memory "
        f"of the embedded AWS {peak / MIB:.0f} MiB"
    )
    for line in stale[:10]:
        print(f"    differs: {line}")
    return not lost and not stale


def _load_in_process(aws: EmbeddedAws, posts: list[Post], captured: Captured, step: int) -> bool:
    probe = Probe(memory_every=5)
    pipelines = Pipelines(aws)

    def next_phase(phase: int, _: LocalStack) -> None:
        probe.phase = phase + 1
        print(f"  … {(phase + 1) * step} posts published", file=sys.stderr, flush=True)

    started = time.perf_counter()
    with probe.active():
        run = pipelines.publish(captured, chunk=step, between_chunks=next_phase)
    state = run.state()
    lost = lost_posts(posts, state)
    print(
        f"  {len(posts)} posts in {time.perf_counter() - started:.0f} s, {len(lost)} lost, "
        f"{len(state.site)} site objects; per post and per invocation, "
        f"as the site grows by {step}:"
    )
    print(
        f"  {'function':<18} {'site size':>11} {'ms/post':>8} {'own ms':>7} "
        f"{'AWS calls':>9} {'peak MiB':>9} {'median':>7}"
    )
    phases = sorted(phase for phase in probe.by_phase if phase * step < len(posts))
    for name in FUNCTIONS:
        for phase in phases:
            measured = probe.by_phase[phase][name]
            print(f"  {name:<18} {_size(phase, step):>11} " + _figures(measured))
    return not lost


def _size(phase: int, step: int) -> str:
    return f"{phase * step}-{(phase + 1) * step}"


def _figures(measured: Measurement) -> str:
    peaks = measured.peaks or [0]
    return (
        f"{measured.per_record_ms:>8.1f} {measured.own_per_record_ms:>7.1f} "
        f"{measured.calls_per_record:>9.2f} {max(peaks) / MIB:>9.1f} "
        f"{statistics.median(peaks) / MIB:>7.1f}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
