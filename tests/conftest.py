from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings

from tests.tools import require_tool

if TYPE_CHECKING:
    from playwright.sync_api import Browser

# What the caller's environment said about AWS, before the fakes below: only the suite
# that checks a deployed stack (tests/e2e_aws) uses it, and only when asked to.
CALLERS_AWS_ENVIRONMENT = {
    name: value for name, value in os.environ.items() if name.startswith("AWS_")
}

# No test may reach real AWS: fake credentials and a fixed region before boto3 loads.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
)

# Property tests take their example counts from a profile: few in `make test`, where the
# suite has a time budget; `make reliability` runs them with HYPOTHESIS_PROFILE=reliability.
settings.register_profile("quick", max_examples=50, deadline=None)
settings.register_profile(
    "reliability",
    max_examples=10_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))


# Tests that drive Chromium, found by the fixtures that start it. The pipeline runs them on
# an image that has a Chromium (infra/buildspec-browser.yml) and the rest on arm64.
BROWSER_FIXTURES = frozenset({"browser"})


# No background traffic: the pages are all a test may load.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, driven by Playwright (whose own browser download is not used): one
    a worker, for every test that drives it. A second Playwright in a process whose first
    still runs fails (its sync API will not start inside the first's event loop)."""
    chromium = require_tool("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
