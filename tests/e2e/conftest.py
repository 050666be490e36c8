"""Browser tests: pytest-playwright driving Debian's Chromium against pytest-django's live_server.

Without Chromium these tests skip locally and fail under CI=true (see tests.conftest).
live_server uses a transactional database, so each test creates its data with the factories.
"""

import re

import pytest

from tests.conftest import chromium_available, require_service

# Anything not served by the live server (which listens on localhost).
EXTERNAL_URL = re.compile(r"^https?://(?!(localhost|127\.0\.0\.1)[:/])")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session", autouse=True)
def _require_chromium():
    """Session-scoped so it runs before pytest-playwright launches the (session) browser."""
    require_service(
        chromium_available(),
        "Chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
    )


@pytest.fixture
def page(page):
    """Fail fast: a page that does not answer in 10 s is a failure, not a hang."""
    page.set_default_timeout(10_000)
    page.set_default_navigation_timeout(15_000)
    return page


@pytest.fixture
def offline(page):
    """Refuse every request that would leave the machine (e.g. the YouTube poster).

    Tests that need a third party answer it with their own page.route, registered later,
    which Playwright tries first.
    """
    page.route(EXTERNAL_URL, lambda route: route.abort())
    return page
