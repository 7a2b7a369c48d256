"""bandit over the code that ships and the local stack: no finding of high severity."""

from __future__ import annotations

import json
import subprocess

from tests.corpus import PROJECT_ROOT
from tests.tools import require

BANDIT = PROJECT_ROOT / ".venv-bandit" / "bin" / "bandit"


def test_bandit_finds_nothing_of_high_severity() -> None:
    require(BANDIT.is_file(), "bandit is not installed: make .venv-bandit/.installed")
    done = subprocess.run(
        [str(BANDIT), "-r", "shared", "functions", "-q", "-f", "json"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(done.stdout)
    assert report["errors"] == []
    high = [
        f"{issue['filename']}:{issue['line_number']} {issue['test_id']} {issue['issue_text']}"
        for issue in report["results"]
        if issue["issue_severity"] == "HIGH"
    ]
    assert high == []
