"""As the site grows, no function needs more memory or more AWS calls per post.

Time per post is a figure, not an assertion: `make reliability` prints it for
10,000 posts (see docs/contributors.md, "Reliability").
"""

from __future__ import annotations

import os

from reliability.harness import (
    FUNCTIONS,
    Pipelines,
    Probe,
    capture_notifications,
    generate_posts,
    local_aws,
    lost_posts,
)

STEP = int(os.environ.get("RELIABILITY_LOAD_STEP", "60"))
PHASES = 3
MIB = 1024 * 1024


def test_cost_per_post_does_not_grow_with_the_site() -> None:
    probe = Probe(memory_every=3)
    with local_aws() as aws:
        posts = generate_posts(STEP * PHASES, seed=2)
        captured = capture_notifications(aws.session, [(post.key, post.body) for post in posts])

        def next_phase(phase: int, _: object) -> None:
            probe.phase = phase + 1

        with probe.active():
            run = Pipelines(aws).publish(captured, chunk=STEP, between_chunks=next_phase)
        assert lost_posts(posts, run.state()) == []

    first, last = probe.by_phase[0], probe.by_phase[PHASES - 1]
    for name in FUNCTIONS:
        assert first[name].records and last[name].records, name
        # The same bounded set of reads and writes per post, whatever the site's size.
        assert last[name].calls_per_record <= first[name].calls_per_record * 1.2 + 0.5, name
        # Memory: bounded by the batch, not the site.
        assert max(last[name].peaks) <= 2 * max(first[name].peaks) + 2 * MIB, name
        assert max(last[name].peaks) < 64 * MIB, name
