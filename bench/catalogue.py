"""`python -m bench.catalogue`: a back catalogue imported in random date order through the
pure pipeline (bench/pure.py, no AWS), in renderer batches of 100, as `aws s3 sync` of an
old blog delivers it. Prints the cost a post of validating and indexing, and of rendering,
in the first and the last tenth of the import, and with `--profile` the functions whose
time a post grew most between the two. Issue 15 asks that the renderer's cost a post stay
within 1.2 times its cost at the start; this shows where it grows without the embedded
AWS's share. Prints figures; asserts nothing.

python -m bench.catalogue --posts 3000 --profile
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import time

from bench.corpus import corpus
from bench.pure import PurePipeline
from pressroom.listings import PostChange
from pressroom.site import forget_rendered_bodies

BATCH = 100


def _function_times(profile: cProfile.Profile) -> dict[str, float]:
    """Cumulative seconds by function (`file:name`)."""
    stats: dict[tuple[str, int, str], tuple[int, int, float, float, object]]
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    return {
        f"{file.rsplit('/', 1)[-1]}:{name}": cumulative
        for (file, _, name), (_, _, _, cumulative, _) in stats.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--profile", action="store_true", help="where the growth goes")
    options = parser.parse_args(argv)
    forget_rendered_bodies()
    pipeline = PurePipeline()
    posts = corpus(options.posts, options.seed)  # dated at random over seven years
    batches = range(0, len(posts), BATCH)
    tenth = max(len(batches) // 10, 1)
    profiled = {batches[tenth - 1]: cProfile.Profile(), batches[-1]: cProfile.Profile()}
    indexing: list[float] = []
    rendering: list[float] = []
    for first in batches:
        batch = posts[first : first + BATCH]
        started = time.perf_counter()
        changes: list[PostChange] = []
        for post in batch:
            changes += pipeline.index(post.key, post.pressroom_source().encode())
        indexed = time.perf_counter()
        profile = profiled.get(first) if options.profile else None
        if profile is not None:
            profile.runcall(pipeline.render, changes)
        else:
            pipeline.render(changes)
        indexing.append((indexed - started) / len(batch))
        rendering.append((time.perf_counter() - indexed) / len(batch))

    def tenths(seconds: list[float]) -> tuple[float, float]:
        return statistics.median(seconds[:tenth]) * 1000, statistics.median(seconds[-tenth:]) * 1000

    print(f"{len(posts)} posts in random date order, renderer batches of {BATCH}")
    for label, seconds in (("validate and index", indexing), ("render", rendering)):
        start, end = tenths(seconds)
        print(f"{label:18}: {start:.2f} ms a post in the first tenth, {end:.2f} in the last "
              f"({end / start:.2f}x)")  # fmt: skip
    if options.profile:
        early, late = (_function_times(profile) for profile in profiled.values())
        grown = sorted(late, key=lambda name: early.get(name, 0.0) - late[name])[:15]
        print("\nms a post, a batch near the end of the first tenth and the last batch:")
        for name in grown:
            before, after = early.get(name, 0.0) * 1000 / BATCH, late[name] * 1000 / BATCH
            print(f"  {name:55} {before:6.2f} → {after:6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
