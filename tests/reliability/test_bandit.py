"""bandit over the code that ships and the local stack: nothing of medium or high severity.

What bandit flags and a reviewer accepted carries `# nosec <test>` with the reason, so a new
finding fails here until someone looks at it."""

from __future__ import annotations

import json
import subprocess

from tests.corpus import PROJECT_ROOT
from tests.tools import require

BANDIT = PROJECT_ROOT / ".venv-bandit" / "bin" / "bandit"


def test_bandit_finds_nothing_of_medium_or_high_severity() -> None:
    require(BANDIT.is_file(), "bandit is not installed: make .venv-bandit/.installed")
    done = subprocess.run(
        [str(BANDIT), "-r", "shared", "local", "functions", "-q", "-f", "json"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(done.stdout)
    assert report["errors"] == []
    serious = [
        f"{issue['filename']}:{issue['line_number']} {issue['test_id']} {issue['issue_text']}"
        for issue in report["results"]
        if issue["issue_severity"] in {"MEDIUM", "HIGH"}
    ]
    assert serious == []
