"""`python -m bench.highlighting`: what syntax highlighting costs (issue 18). The pure
pipeline (bench/pure.py: validate, index, render the page and listings) per post, one post
a batch and 100 a batch (an import), and render_markdown alone per post, with highlighting
off and on (the median of three runs each), over posts of
bench's corpus that each also hold three fenced blocks as a technical post does (Python,
shell, YAML: about 40 lines of code). Prints figures; asserts nothing.

python -m bench.highlighting --posts 300
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from unittest import mock

from bench.corpus import Post, corpus
from bench.pure import run_pure
from pressroom import markdown

BATCH = 100
"""Posts a batch for the import figure, as `make bench` batches them."""

CODE = '''
Here is the handler as it runs now:

```python
import json
from pathlib import Path


def load_settings(path: Path, defaults: dict[str, str]) -> dict[str, str]:
    """Settings from a JSON file, falling back to the defaults."""
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return dict(defaults)
    for key, value in defaults.items():
        found.setdefault(key, value)  # keep what the file says
    return {key: str(value) for key, value in found.items() if value is not None}


class Retry:
    def __init__(self, attempts: int = 3, delay: float = 0.5) -> None:
        self.attempts, self.delay = attempts, delay
```

Deploy it with:

```bash
set -euo pipefail
for region in eu-west-1 us-east-1; do
  aws s3 sync ./site "s3://${BUCKET}-${region}/" --delete --exclude "*.tmp"
done
echo "done: $(date -u +%FT%TZ)"
```

and the workflow that runs it:

```yaml
name: deploy
on:
  push:
    branches: [main]
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make site
```
'''


def with_code(posts: list[Post]) -> list[Post]:
    return [replace(post, body=post.body + CODE) for post in posts]


def _plain(html: str) -> str:
    return html


def _timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=300)
    parser.add_argument("--seed", type=int, default=9)
    options = parser.parse_args(argv)
    posts = with_code(corpus(options.posts, options.seed))
    bodies = [post.body for post in posts]
    run_pure(posts[:20])  # warm: imports, templates, Pygments' lexers
    print(f"{len(posts)} posts, {len(bodies[0].encode())} bytes of body each (with code)")
    for label, patch in (("off", mock.patch.object(markdown, "highlight_code_blocks", _plain)),
                         ("on", mock.patch.object(markdown, "highlight_code_blocks",
                                                  markdown.highlight_code_blocks))):  # fmt: skip
        with patch:
            alone = statistics.median(run_pure(posts).per_post for _ in range(3))
            batched = statistics.median(run_pure(posts, BATCH).per_post for _ in range(3))
            render = statistics.median(
                _timed(lambda: [markdown.render_markdown(body) for body in bodies])
                for _ in range(3)
            )
        print(
            f"highlighting {label:3}: pure pipeline {alone * 1000:.2f} ms a post alone, "
            f"{batched * 1000:.2f} in batches of {BATCH}; "
            f"render_markdown {render / len(bodies) * 1000:.2f} ms a post"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
