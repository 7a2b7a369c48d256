"""Markdown in, expected HTML out: fixture pairs kept as markdown-it-py keeps its own.

Each file in fixtures/markdown/ holds cases of three parts, each ended by a line holding
only `.`: a title, the Markdown, then the HTML render_markdown must give for it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pressroom.markdown import render_markdown
from tests.html5 import parse_body

FIXTURES = Path(__file__).parent / "fixtures" / "markdown"


def _cases() -> list[pytest.ParameterSet]:
    cases = []
    for path in sorted(FIXTURES.glob("*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        parts: list[str] = []
        part: list[str] = []
        start = 1
        for number, line in enumerate(lines, 1):
            if line.rstrip("\n") == ".":
                parts.append("".join(part))
                part = []
                if len(parts) == 3:
                    title, source, expected = parts
                    case_id = f"{path.stem}:{start}:{title.strip()}"
                    cases.append(pytest.param(source, expected, id=case_id))
                    parts = []
            elif not parts and not part and not line.strip():
                start = number + 1  # blank lines between cases
            else:
                part.append(line)
        assert not parts and not "".join(part).strip(), f"{path.name}: an unfinished case"
    return cases


@pytest.mark.parametrize(("source", "expected"), _cases())
def test_fixture_renders_as_expected(source: str, expected: str) -> None:
    html = render_markdown(source)

    assert html == expected
    parse_body(html)
