"""The figures as Markdown tables: printed by `python -m bench` and kept in results.md."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from bench.costs import PRICE_TABLE, PRICES_AS_OF, PostCost, pipeline_requests, post_cost
from bench.isolated import BASELINE, ColdRun
from bench.peers import PeerBuild
from bench.pipeline import SiteRun
from bench.pure import PureRun
from pressroom_local.layer import LAMBDA_UNZIPPED_LIMIT, LayerSize

COMMAND = "make bench"
COLD_START_GOAL = 2.0
"""A cold start, import and first call, at most twice `import boto3`, without SnapStart."""
REQUESTS_PER_POST_GOAL = 10
"""AWS requests per published post, amortised over a batch of uploads, at most."""
HANDLERS = ("ValidatorFunction", "IndexerFunction", "RendererFunction")
"""The template's functions, in the pipeline's order."""


@dataclass
class Results:
    sizes: list[int]
    repeats: int
    machine: str
    date: str
    command: str = COMMAND
    sites: list[SiteRun] = field(default_factory=list)
    cold: ColdRun | None = None
    layer: LayerSize | None = None
    pure: list[PureRun] = field(default_factory=list)
    peers: list[PeerBuild] = field(default_factory=list)
    peer_rebuilds: dict[str, PeerBuild] = field(default_factory=dict)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def _s(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds:,.2f}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def _verdict(met: bool | None) -> str:
    return {True: "met", False: "missed", None: "not measured"}[met]


def render(results: Results) -> str:
    goals: list[list[str]] = []
    out = [
        "# Pressroom benchmarks",
        "",
        f"`{results.command}` on {results.machine}, {results.date}. Times are medians of "
        f"{results.repeats} runs unless said otherwise; this machine is shared and noisy.",
        "",
    ]
    out += _publish_section(results, goals)
    out += _peers_section(results, goals)
    out += _pure_section(results, goals)
    out += _cold_section(results, goals)
    out += _layer_section(results, goals)
    out += _cost_section(results, goals)
    summary = ["## Goals", "", *_table(["goal", "figure", "verdict"], goals)]
    return "\n".join(out[:4] + summary + out[4:]).rstrip() + "\n"


def _publish_section(results: Results, goals: list[list[str]]) -> list[str]:
    if not results.sites:
        return []
    rows = [
        [
            f"{run.size:,}",
            _ms(run.median),
            _ms(statistics.median(run.emulator_seconds)),
            _ms(run.median_own),
            " ".join(_ms(s) for s in run.publish_seconds),
            f"{run.load_seconds:,.0f}",
        ]
        for run in results.sites
    ]
    out = [
        "## One new post published into a site of N posts",
        "",
        "Upload to the content bucket, then the router drains the S3 event, the ingest queue, "
        "the validator, the index queue, the indexer, the table's stream and the renderer, on "
        "the in-process embedded AWS (moto, with the two fixes in `local/pressroom_local/scale.py` "
        "that make a table's size cost what it costs on DynamoDB). *In moto* is the time moto "
        "takes to answer the requests (parsing, serialising, storing); *Pressroom's own* is "
        "the rest: the handlers, Powertools, botocore. The N posts are loaded beforehand with "
        "the services directly and the site rendered by a rebuild (*load*).",
        "",
        *_table(
            [
                "N",
                "publish (ms)",
                "in moto (ms)",
                "Pressroom's own (ms)",
                "each run (ms)",
                "load (s)",
            ],
            rows,
        ),
    ]
    if len(results.sites) > 1:
        small, large = results.sites[0], results.sites[-1]
        ratio = large.median / small.median
        own = large.median_own / small.median_own
        out += [
            f"Ratio N={large.size:,} / N={small.size:,}: **{ratio:.2f}** (whole publish), "
            f"{own:.2f} (Pressroom's own time). Requests per publish: "
            + ", ".join(f"{run.single.total():d} at N={run.size:,}" for run in results.sites)
            + ".",
            "",
        ]
        goals.append(
            [
                f"one-post publish N={large.size:,} / N={small.size:,} ≤ 1.2",
                f"{ratio:.2f} (own time {own:.2f})",
                _verdict(ratio <= 1.2),
            ]
        )
    return out


def _peers_section(results: Results, goals: list[list[str]]) -> list[str]:
    if not results.peers:
        goals.append(["≥ 100x faster than Hugo's rebuild", "peers not run", _verdict(None)])
        return []
    tools = sorted({build.tool for build in results.peers})
    rows = []
    for size in results.sizes:
        row = [f"{size:,}"]
        for tool in tools:
            build = next((b for b in results.peers if b.tool == tool and b.posts == size), None)
            row.append(
                _s(build.seconds if build else None)
                + (f" ({build.note})" if build and build.note else "")
            )
        rows.append(row)
    largest = results.sites[-1] if results.sites else None
    out = [
        "## Side by side: Hugo and Pelican",
        "",
        "Full builds of the same corpora (seconds), then one post added to the "
        f"{results.sizes[-1]:,}-post site: a static site generator builds the site again.",
        "",
        *_table(["N", *(f"{tool} full build (s)" for tool in tools)], rows),
    ]
    rebuild_rows = []
    for tool, build in sorted(results.peer_rebuilds.items()):
        if build.seconds is None or largest is None:
            rebuild_rows.append([tool, _s(build.seconds), "n/a", "n/a"])
            continue
        rebuild_rows.append(
            [
                tool,
                _s(build.seconds),
                f"{build.seconds / largest.median:,.0f}x",
                f"{build.seconds / largest.median_own:,.0f}x",
            ]
        )
        if tool == "Hugo":
            ratio = build.seconds / largest.median
            goals.append(
                [
                    "one-post publish ≥ 100x faster than Hugo's rebuild",
                    f"{ratio:,.0f}x ({build.seconds / largest.median_own:,.0f}x own time)",
                    _verdict(ratio >= 100),
                ]
            )
    if largest is not None:
        out += [
            f"Adding one post to the {largest.size:,}-post site; Pressroom's one-post publish "
            f"is {_ms(largest.median)} ms ({_ms(largest.median_own)} ms its own).",
            "",
            *_table(
                [
                    "tool",
                    "rebuild (s)",
                    "÷ Pressroom publish",
                    "÷ Pressroom's own time",
                ],
                rebuild_rows,
            ),
        ]
    return out


def _pure_section(results: Results, goals: list[list[str]]) -> list[str]:
    if not results.pure:
        return []
    alone = results.pure[0]
    hugo = next(
        (b for b in results.peers if b.tool == "Hugo" and b.posts == alone.posts and b.seconds),
        None,
    )
    hugo_per_post = hugo.seconds / hugo.posts if hugo and hugo.seconds else None
    rows = [
        [
            "one at a time" if run.batch_size == 1 else f"{run.batch_size} a batch",
            f"{run.seconds:,.1f}",
            _ms(run.per_post),
            f"{run.per_post / hugo_per_post:,.1f}" if hugo_per_post else "n/a",
            f"{run.objects_written:,}",
        ]
        for run in results.pure
    ]
    out = [
        "## The pure pipeline, per post",
        "",
        f"`validate_post`, the indexer's plan on the in-memory index, then the post page and "
        f"every listing it appears on, over in-memory adapters, for {alone.posts:,} posts: one "
        "at a time (each upload its own renderer batch, the costliest case), and in the "
        "renderer's stream batches (the listings rendered once per batch).",
        "",
    ]
    if hugo is not None and hugo_per_post is not None:
        out += [
            f"Hugo's full build of the same {hugo.posts:,} posts: {_s(hugo.seconds)} s, "
            f"{_ms(hugo_per_post)} ms per post (its lists, tag pages, RSS and sitemap included).",
            "",
        ]
        goals.append(
            [
                "pure pipeline per post no slower than Hugo per page",
                f"{_ms(alone.per_post)} ms one at a time, {_ms(results.pure[-1].per_post)} ms "
                f"batched, vs {_ms(hugo_per_post)} ms",
                _verdict(results.pure[-1].per_post <= hugo_per_post),
            ]
        )
    else:
        goals.append(["pure pipeline per post no slower than Hugo", "Hugo not run", _verdict(None)])
    return [
        *out,
        *_table(["posts", "total (s)", "per post (ms)", "÷ Hugo per post", "site objects"], rows),
    ]


def _cold_section(results: Results, goals: list[list[str]]) -> list[str]:
    cold = results.cold
    if cold is None:
        return []
    baseline = cold.median(BASELINE)
    baseline_cpu = cold.median(BASELINE, "cpu_seconds")
    rows = [
        [
            f"`import {BASELINE}`",
            _ms(cold.median(BASELINE, "import_seconds")),
            "",
            _ms(baseline),
            "1.00",
            _ms(baseline_cpu),
            "1.00",
            f"{statistics.median(s.max_rss_kb for s in cold.cold[BASELINE]) / 1024:,.0f}",
        ]
    ]
    worst = 0.0
    # A function's rows, one per event source where it has two (bench.isolated).
    names = [
        name for function in HANDLERS for name in sorted(cold.cold) if name.startswith(function)
    ]
    for name in names:
        if not cold.cold[name]:
            continue
        ratio = cold.median(name) / baseline
        worst = max(worst, ratio)
        rows.append(
            [
                name,
                _ms(cold.median(name, "import_seconds")),
                _ms(cold.median(name, "call_seconds")),
                _ms(cold.median(name)),
                f"{ratio:.2f}",
                _ms(cold.median(name, "cpu_seconds")),
                f"{cold.median(name, 'cpu_seconds') / baseline_cpu:.2f}",
                f"{statistics.median(s.max_rss_kb for s in cold.cold[name]) / 1024:,.0f}",
            ]
        )
    goals.append(
        [
            f"cold start (import + first call) ≤ {COLD_START_GOAL:g}x `import boto3`",
            f"{worst:.2f}x (worst)",
            _verdict(worst <= COLD_START_GOAL),
        ]
    )
    import_rows = [
        [module, ", ".join(f"{package} {seconds * 1000:.0f}" for package, seconds in packages[:7])]
        for module, packages in cold.imports.items()
    ]
    memory_rows = [
        [name, _ms(sample.total), f"{sample.max_rss_kb / 1024:,.0f}"]
        for name, sample in cold.large.items()
    ]
    if cold.large:
        peak = max(sample.max_rss_kb for sample in cold.large.values()) / 1024
        goals.append(
            [
                "each handler's peak memory, 1 MiB post, fits 128 MB",
                f"{peak:,.0f} MB (worst)",
                _verdict(peak <= 128),
            ]
        )
    return [
        "## Cold start",
        "",
        "Each handler in a fresh interpreter, as a new Lambda sandbox: import the handler's "
        "module, then one invocation with the real event the router made (S3 event in SQS, "
        "index message, stream records) against the embedded AWS served on 127.0.0.1. "
        "Every import comes from the layer as `shared/Makefile` builds it (for this machine), "
        "with its bytecode and compiled templates, and no site-packages; `import boto3` from "
        "the same layer (`python -m bench.bytecode` says what a layer without bytecode "
        "costs). *CPU* is the "
        "process's CPU time over the same span: it leaves out waiting for the embedded AWS, "
        "and varies less than the elapsed time on a busy machine. The renderer has a row for "
        "each of its event sources: a listing batch's first call reads and writes every "
        "listing its post is in.",
        "",
        *_table(
            [
                "handler",
                "import (ms)",
                "first call (ms)",
                "total (ms)",
                "÷ import boto3",
                "CPU (ms)",
                "CPU ÷ boto3's",
                "peak RSS (MB)",
            ],
            rows,
        ),
        "Where import time goes (`python -X importtime`, own time by top-level package, ms):",
        "",
        *_table(["module", "largest packages"], import_rows),
        f"## Peak memory, one {cold.large_post_bytes / 1024 / 1024:.2f} MiB post",
        "",
        "Each handler cold, in its own interpreter, handling the post's event; peak resident "
        "set of the whole interpreter (VmHWM, what Lambda reports as Max Memory Used).",
        "",
        *_table(["handler", "import + call (ms)", "peak RSS (MB)"], memory_rows),
    ]


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:,.1f}"


def _layer_section(results: Results, goals: list[list[str]]) -> list[str]:
    layer = results.layer
    if layer is None:
        return []
    share = layer.unzipped / LAMBDA_UNZIPPED_LIMIT
    goals.append(
        [
            "the layer, unzipped, within Lambda's 250 MB (code and layers)",
            f"{_mb(layer.unzipped)} MB ({share:.0%})",
            _verdict(layer.unzipped <= LAMBDA_UNZIPPED_LIMIT),
        ]
    )
    return [
        "## The layer",
        "",
        "SharedLayer as `sam build` builds it (`shared/Makefile`: the wheels of "
        "`shared/requirements.txt` for Lambda, arm64, Python 3.13, the pressroom package and "
        "the bytecode of both), by `pressroom_local.layer`. The larger it is, the longer Lambda "
        "takes to fetch it into a new sandbox, before any import.",
        "",
        *_table(
            ["unzipped (MB)", "zipped (MB)", "of Lambda's 250 MB"],
            [[_mb(layer.unzipped), _mb(layer.zipped), f"{share:.0%}"]],
        ),
        "Largest entries (unzipped, MB):",
        "",
        *_table(
            ["entry", "MB"],
            [[f"`{name}`", _mb(size)] for name, size in layer.by_top_level[:8]],
        ),
    ]


def _cost_section(results: Results, goals: list[list[str]]) -> list[str]:
    if not results.sites:
        return []
    run = results.sites[-1]
    single = post_cost(run.single, 1, run.memory_mb)
    batch = post_cost(run.batch, run.batch_size, run.memory_mb)
    apis = sorted(set(single.requests) | set(batch.requests))
    rows = [
        [api, f"{single.requests.get(api, 0)}", f"{batch.requests.get(api, 0) / batch.posts:.2f}"]
        for api in apis
    ]
    rows.append(
        ["**total**", f"**{single.requests_per_post:.0f}**", f"**{batch.requests_per_post:.2f}**"]
    )
    goals.append(
        [
            f"AWS requests per published post, amortised ≤ {REQUESTS_PER_POST_GOAL}",
            f"{batch.requests_per_post:.2f} (batch of {batch.posts}); "
            f"{single.requests_per_post:.0f} alone",
            _verdict(batch.requests_per_post <= REQUESTS_PER_POST_GOAL),
        ]
    )
    author = sum(n for (caller, _, _), n in run.batch.requests.items() if caller == "author")
    skipped = sum(run.batch.requests.values()) - sum(pipeline_requests(run.batch).values()) - author
    return [
        f"## AWS requests and cost per post (site of {run.size:,})",
        "",
        "Counted with a botocore `before-call` hook on every session during the runs: the "
        "three functions' requests and Lambda's SQS polling (receive, delete) for them. Not "
        f"counted: the author's upload ({author} PutObject for {batch.posts} posts), Lambda's "
        f"reads of the table's stream and the local router's queue-depth checks ({skipped} "
        "requests, free or local-only). A batch is "
        f"{batch.posts} posts uploaded at once; the functions' batch sizes are the template's.",
        "",
        *_table(["API", "one post alone", f"per post, batch of {batch.posts}"], rows),
        f"Cost at the prices below ({PRICES_AS_OF}); Lambda time is the handlers' measured "
        "time on the embedded AWS at the template's memory size; DynamoDB units estimated from "
        "the items written and read (transactional writes: 2 units per item per KB; "
        "consistent reads 1 per 4 KB, eventual half).",
        "",
        *_table(
            ["per million posts", "one post alone", f"batch of {batch.posts}"],
            _cost_rows(single, batch),
        ),
        *_table(["price", "us-east-1"], [[name, price] for name, price in PRICE_TABLE]),
        "Not included: S3 storage, CloudWatch Logs, CloudFront and data transfer, KMS.",
        "",
    ]


def _cost_rows(single: PostCost, batch: PostCost) -> list[list[str]]:
    def per_million(cost: PostCost, dollars: float) -> str:
        return f"${dollars / cost.posts * 1e6:,.2f}"

    return [
        [
            "Lambda",
            per_million(single, single.lambda_dollars),
            per_million(batch, batch.lambda_dollars),
        ],
        ["S3", per_million(single, single.s3_dollars), per_million(batch, batch.s3_dollars)],
        ["SQS", per_million(single, single.sqs_dollars), per_million(batch, batch.sqs_dollars)],
        [
            "DynamoDB",
            per_million(single, single.dynamodb_dollars),
            per_million(batch, batch.dynamodb_dollars),
        ],
        [
            "**total**",
            f"**${single.dollars_per_million:,.2f}**",
            f"**${batch.dollars_per_million:,.2f}**",
        ],
    ]
