"""`python -m bench.hostile`: the worst files the validator accepts, each validated and then
rendered to its post page, each step in a fresh process, with the time and peak memory it
took; the render against the renderer's budget (`pressroom.limits.RENDER_BUDGET`). The
validator reads and measures the whole file (`validate_post`, whose `measure_markdown` runs
cmark over the body): its figures are the validator function's per file. Prints figures;
asserts nothing.

Each file is at most `max_object_bytes` and just inside the body limits: the deepest
nesting, the largest table, the most elements, the most HTML and the largest plain body;
and the most tags the shortcode parser reads (`shortcodes.py`): shortcodes it shows as
written, and video players.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import NamedTuple

from pressroom.limits import DEFAULT_LIMITS, RENDER_BUDGET
from pressroom.shortcodes import embed_frame, youtube_address
from pressroom.validation import validate_post

LIMITS = DEFAULT_LIMITS
FRONT_MATTER = "---\ntitle: The worst accepted post\ndate: 2024-03-02\n---\n"
ROOM = LIMITS.max_object_bytes - len(FRONT_MATTER)
"""Bytes left for the body in the largest file read."""


def _deepest() -> str:
    # Each line is a paragraph at the deepest nesting allowed: as many as the elements allow.
    line = ">" * LIMITS.max_body_depth + " deep\n\n"
    return line * (LIMITS.max_body_elements // (LIMITS.max_body_depth + 1))


def _largest_table() -> str:
    columns = 100
    header = "|" + "|".join(f"c{n}" for n in range(columns)) + "|\n|" + "-|" * columns + "\n"
    # Every cell filled, as long as the file allows.
    rows = LIMITS.max_table_cells // columns - 1
    cell = "x" * max(1, (ROOM - len(header)) // (rows * columns) - 1)
    return header + ("|" + "|".join([cell] * columns) + "|\n") * rows


def _most_elements() -> str:
    # Links with long addresses: the most elements and the most bytes they can carry.
    count = LIMITS.max_body_elements - 2
    address = "a" * max(1, ROOM // count - len("[x](https://e.org/) "))
    return f"[x](https://e.org/{address}) " * count


def _most_html() -> str:
    # A `"` is 1 byte of Markdown and 6 of HTML (`&quot;`): as many as the HTML limit allows.
    return '"' * ((LIMITS.max_body_html_bytes - 16) // len("&quot;"))


def _largest_plain() -> str:
    return ("The council met at nine and adjourned at ten. " * (ROOM // 47))[:ROOM]


def _most_untranslated_shortcodes() -> str:
    # Each kept as written (its `<` and `>` as references) and warned of: the parser's
    # slowest path, a tag every eight bytes.
    return "{{<x>}} " * (ROOM // 8)


def _most_players() -> str:
    # Each shortcode of 27 bytes is a frame of about 230 bytes: as many as the HTML allows.
    frame = embed_frame(youtube_address("w7Ft2ymGmfc"), "YouTube video")
    return "{{<youtube w7Ft2ymGmfc>}}\n\n" * (LIMITS.max_body_html_bytes // (len(frame) + 1) - 1)


def _same_headings() -> str:
    # One heading over and over: each needs an id of its own (`h`, `h-1`, `h-2`, ...).
    return "## H\n\n" * (LIMITS.max_body_elements // 2 - 1)


def _formulas() -> str:
    return "$x_1^2$ " * (ROOM // 8)


CASES: dict[str, Callable[[], str]] = {
    "deepest nesting": _deepest,
    "largest table": _largest_table,
    "most elements": _most_elements,
    "most HTML": _most_html,
    "largest plain body": _largest_plain,
    "kept shortcodes": _most_untranslated_shortcodes,
    "video players": _most_players,
    "one heading repeated": _same_headings,
    "inline formulas": _formulas,
}

# Linux keeps a process's peak RSS across exec (the parent's would show): the child resets
# it (clear_refs 5) and reads VmHWM, the peak since. Each step is run once on a small post
# first, so that imports and the theme are not counted.
_CHILD = """
import sys, time
def peak():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
with open("/proc/self/clear_refs", "w") as clear:
    clear.write("5")
from datetime import UTC, datetime
from typing import NamedTuple
from pressroom.config import SiteConfig
from pressroom.models import PostDocument
from pressroom.site import Theme, render_post_page
from pressroom.validation import validate_post
post = PostDocument(source_key="worst.md", slug="worst", title="The worst accepted post",
    date=datetime(2024, 3, 2, tzinfo=UTC), content_hash="0" * 64, body_markdown="warm")
site, theme = SiteConfig(), Theme()
first_seen = datetime(2024, 3, 2, tzinfo=UTC)
if sys.argv[1] == "validate":
    step = lambda text: len(validate_post(text.encode(), "worst.md", first_seen=first_seen).errors)
else:
    step = lambda text: len(render_post_page(post.model_copy(update={"body_markdown": text}),
        site, theme).encode())
step(sys.argv[2])
text = sys.stdin.read()
before = peak()
start = time.perf_counter()
result = step(text)
seconds = time.perf_counter() - start
after = peak()
print(seconds, (after - before) * 1024, after * 1024, result)
"""


def _run(step: str, warm_up: str, text: str) -> tuple[float, int, int, int]:
    # A fresh process each: the sanitiser's memory is native, seen only in its peak RSS.
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, step, warm_up],
        input=text,
        text=True,
        capture_output=True,
        check=True,
    )
    seconds, grown, peak, value = result.stdout.split()
    return float(seconds), int(grown), int(peak), int(value)


class Figures(NamedTuple):
    validate_seconds: float
    validate_grown: int
    """Peak bytes over the warm process (imports loaded)."""
    validate_peak: int
    """Peak bytes in all."""
    render_seconds: float
    render_grown: int
    render_peak: int
    page_bytes: int


def measure(body: str) -> Figures:
    """The validator's and the renderer's figures for one accepted file."""
    raw = FRONT_MATTER + body
    outcome = validate_post(raw.encode(), "worst.md", first_seen=datetime.now(UTC))
    assert outcome.document is not None, outcome.errors
    seconds, grown, peak, _ = _run("validate", FRONT_MATTER + "warm\n", raw)
    return Figures(seconds, grown, peak, *_run("render", "warm", outcome.document.body_markdown))


def main() -> int:
    mib = 1024 * 1024
    print(
        f"budget per post: {RENDER_BUDGET.seconds:.1f} s, {RENDER_BUDGET.bytes / mib:.0f} MiB "
        f"(of {RENDER_BUDGET.function_timeout_seconds:.0f} s, "
        f"{RENDER_BUDGET.function_memory_bytes / mib:.0f} MiB)"
    )
    print(
        f"{'case':20} {'file':>9} {'page':>10} "
        f"{'validate':>9} {'grew':>9} {'peak':>9} {'render':>8} {'grew':>9} {'peak':>9}"
    )
    for name, make in CASES.items():
        body = make()
        figures = measure(body)
        size = len((FRONT_MATTER + body).encode())
        print(
            f"{name:20} {size / mib:7.2f}Mi {figures.page_bytes / mib:8.2f}Mi "
            f"{figures.validate_seconds:8.2f}s {figures.validate_grown / mib:7.0f}Mi "
            f"{figures.validate_peak / mib:7.0f}Mi "
            f"{figures.render_seconds:7.2f}s {figures.render_grown / mib:7.0f}Mi "
            f"{figures.render_peak / mib:7.0f}Mi"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
