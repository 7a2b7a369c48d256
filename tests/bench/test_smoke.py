"""`make bench` at a tiny size still runs end to end and writes its table (no timing checks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import bytecode
from bench.__main__ import main
from bench.corpus import corpus
from bench.peers import PEERS, find_tools
from bench.pipeline import PROJECT_ROOT
from pressroom_local.layer import lambda_python
from tests.tools import require

NEEDS_LAMBDA_PYTHON = "no Python 3.13 here: the cold starts import the layer built for it"


def test_a_tiny_bench_run_writes_every_section(tmp_path: Path) -> None:
    require(lambda_python() is not None, NEEDS_LAMBDA_PYTHON)
    out = tmp_path / "results.md"

    status = main(
        ["--sizes", "12,20", "--repeats", "2", "--batch", "4", "--no-peers", "--out", str(out)]
    )

    assert status == 0
    text = out.read_text(encoding="utf-8")
    for heading in (
        "## Goals",
        "## One new post published into a site of N posts",
        "## The pure pipeline, per post",
        "## Cold start",
        "## The layer",
        "## Peak memory",
        "## AWS requests and cost per post",
    ):
        assert heading in text
    assert "| 20 |" in text


def _printed_alone(arguments: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """What `python -m bench` with `arguments` prints, having succeeded and written no
    results.md."""
    results = PROJECT_ROOT / "bench" / "results.md"
    before = results.read_bytes()

    status = main(arguments)

    assert status == 0
    assert results.read_bytes() == before
    return capsys.readouterr().out


def test_a_cold_only_run_prints_the_cold_starts_alone_and_writes_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    require(lambda_python() is not None, NEEDS_LAMBDA_PYTHON)

    text = _printed_alone(["--cold-only", "--repeats", "1"], capsys)

    assert "## Cold start" in text
    assert "RendererFunction, dynamodb events" in text
    assert "## One new post published" not in text


def test_a_pure_only_run_prints_the_pure_pipeline_alone_and_writes_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = _printed_alone(["--pure-only", "--sizes", "30"], capsys)

    assert "## The pure pipeline, per post" in text
    assert "| 100 a batch |" in text
    assert "## Cold start" not in text


def test_the_bytecode_bench_imports_each_handler_with_and_without(
    capsys: pytest.CaptureFixture[str],
) -> None:
    require(lambda_python() is not None, NEEDS_LAMBDA_PYTHON)

    status = bytecode.main(["--repeats", "1"])

    assert status == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ")]
    names = [row.split("|")[1].strip() for row in rows[2:]]
    assert sorted(names) == [
        "IndexerFunction",
        "RendererFunction",
        "ValidatorFunction",
        "import boto3",
    ]


@pytest.mark.parametrize("tool", sorted(PEERS))
def test_a_peer_builds_a_tiny_corpus(tool: str, tmp_path: Path) -> None:
    tools = find_tools(PROJECT_ROOT / ".venv-bench")
    require(tool in tools, f"{tool} is not in .venv-bench (make .venv-bench/.installed)")
    peer = PEERS[tool](tools[tool], tmp_path / tool, timeout=120)
    peer.prepare(corpus(5))

    build = peer.build(5)

    assert build.seconds is not None, build.note
