"""A cold start loads what the first call needs: each handler, with the service its first
call builds, leaves out the other functions' libraries, and Markdown loads Pygments and
latex2mathml only for a post with a fenced block of a language or a formula."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.corpus import PROJECT_ROOT

HEAVY = (
    "jinja2",
    "pygments",
    "latex2mathml",
    "yaml",
    "pressroom.indexing",
    "boto3.dynamodb",
    "pressroom.markdown",
    "nh3",
    "cmarkgfm",
)


def loaded_after(statements: str) -> set[str]:
    """Which of HEAVY a fresh interpreter has loaded after running `statements`."""
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import json, sys\n{statements}\n"
            f"print(json.dumps([name for name in {HEAVY!r} if name in sys.modules]))",
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, "POWERTOOLS_TRACE_DISABLED": "true"},
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(completed.stdout))


@pytest.mark.parametrize(
    ("statements", "left_out"),
    [
        pytest.param(
            "import functions.validator.app, pressroom.services.validator",
            {"jinja2", "pygments", "latex2mathml", "pressroom.indexing", "boto3.dynamodb"},
            id="validator",
        ),
        pytest.param(
            "import functions.indexer.app, pressroom.services.indexer",
            {"jinja2", "pygments", "latex2mathml", "yaml", "pressroom.markdown"},
            id="indexer",
        ),
        pytest.param(
            "import functions.renderer.app\n"
            "from pressroom.markdown import render_markdown\n"
            "render_markdown('A post in *prose*, at $5 and $10.')",
            {"pygments", "latex2mathml", "yaml"},
            id="renderer, a post in prose",
        ),
        pytest.param(
            "import functions.renderer.app\n"
            "from datetime import UTC, datetime\n"
            "from pressroom.bodies import rendering_fingerprint\n"
            "from pressroom.config import DEFAULT_THEME, SiteConfig\n"
            "from pressroom.models import PostDocument\n"
            "from pressroom.site import Theme, render_post_page\n"
            "document = PostDocument(source_key='posts/a.md', slug='a', title='A',\n"
            "    date=datetime(2024, 1, 1, tzinfo=UTC), content_hash='0' * 64,\n"
            "    body_markdown='In *prose*.', body_html='<p>In <em>prose</em>.</p>',\n"
            "    body_rendered_by=rendering_fingerprint())\n"
            "render_post_page(document, SiteConfig(base_url='https://a.example/'),\n"
            "    Theme(DEFAULT_THEME))",
            {"pygments", "latex2mathml", "yaml", "pressroom.markdown", "nh3", "cmarkgfm"},
            id="renderer, a page whose document holds its body's HTML",
        ),
    ],
)
def test_a_cold_start_leaves_out_what_its_first_call_does_not_use(
    statements: str, left_out: set[str]
) -> None:
    assert loaded_after(statements) & left_out == set()


def test_a_post_with_code_and_a_formula_loads_pygments_and_latex2mathml() -> None:
    loaded = loaded_after(
        "from pressroom.markdown import render_markdown\n"
        "render_markdown('Euler: $e^{i\\\\pi} = -1$\\n\\n```python\\nimport os\\n```\\n')"
    )

    assert {"pygments", "latex2mathml"} <= loaded
