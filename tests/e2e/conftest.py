"""Browser tests: pytest-playwright driving Debian's Chromium against pytest-django's live_server.

Without Chromium these tests skip locally and fail under CI=true (see tests.conftest).
live_server uses a transactional database, so each test creates its data with the factories.

Playwright's sync API keeps an asyncio event loop marked as running in the main thread for
as long as it is started, and Django refuses ORM calls from a thread with a running loop.
So the Playwright fixtures below live for this package only (pytest-playwright's own are
session-wide), and DJANGO_ALLOW_ASYNC_UNSAFE is set only while they do: the rest of the
suite, before or after these tests, runs with Django's check in place.
"""

import re

import pytest
from playwright.sync_api import sync_playwright

from tests.conftest import chromium_available, require_service

ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"

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


@pytest.fixture(scope="package", autouse=True)
def _async_unsafe_orm():
    """Let the factories and assertions use the ORM while Playwright's loop is running.

    Set up before, and torn down after, the package-scoped Playwright fixtures below.
    """
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(ASYNC_UNSAFE, "true")
        yield


# pytest-playwright's fixtures, as the plugin defines them, scoped to this package so that
# Playwright stops (and its event loop with it) when the last browser test has run. Every
# fixture of the plugin's that depends on `playwright` is redefined here.


@pytest.fixture(scope="package")
def playwright(_pw_api_request_contexts):
    pw = sync_playwright().start()
    if _pw_api_request_contexts:
        _pw_api_request_contexts.instrument(pw)
    yield pw
    pw.stop()


@pytest.fixture(scope="package")
def browser_type(playwright, browser_name):
    return getattr(playwright, browser_name)


@pytest.fixture(scope="package")
def launch_browser(browser_type_launch_args, browser_type):
    def launch(**kwargs):
        return browser_type.launch(**{**browser_type_launch_args, **kwargs})

    return launch


@pytest.fixture(scope="package")
def browser(launch_browser):
    browser = launch_browser()
    yield browser
    browser.close()


@pytest.fixture(scope="package")
def browser_context_args(pytestconfig, playwright, device, base_url, _pw_artifacts_folder):
    args = {}
    if device:
        args.update(playwright.devices[device])
    if base_url:
        args["base_url"] = base_url
    if pytestconfig.getoption("--video") in ("on", "retain-on-failure"):
        args["record_video_dir"] = _pw_artifacts_folder.name
    return args


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
