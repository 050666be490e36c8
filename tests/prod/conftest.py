"""The production shape end to end: `make prod-check` (`pytest tests/prod -m prod`).

One shape for the whole run (tests/prod/shape.py): nginx with deploy/'s config, two
gunicorns, a worker and beat, PostgreSQL, Redis, an SMTP sink and a local S3 stand-in.
The tests then do, over HTTPS through nginx, what a new visitor and staff do. What one
check needs another to have done first (signing up before commenting as a member, signing
in before uploading) is a session fixture here, so each test can run on its own and in
any order.

Needs nginx and openssl on PATH, PostgreSQL and Redis (see shape.py for where): without
them the tests skip, and under CI=true they fail. PROD_CHECK_KEEP_LOGS=1 keeps the
children's logs when a test failed, and says where.
"""

import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.conftest import port_open, require_service
from tests.prod.browsing import filled, form_with, visitor
from tests.prod.shape import PASSWORD, STAFF_EMAIL, TOTP_SECRET, Services, production_shape
from tests.two_step import totp_code

KEPT_LOGS = pytest.StashKey[Path]()
TIMINGS = "shown after"  # the user property a test records how long a change took under


@pytest.fixture(scope="session")
def shape(request):
    services = Services.from_env()
    require_service(
        bool(shutil.which("nginx") and shutil.which("openssl")),
        "nginx and openssl on PATH (apt-get install nginx openssl)",
    )
    require_service(
        port_open(*services.postgres_address),
        "PostgreSQL: set PROD_CHECK_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres)",
    )
    require_service(
        port_open(*services.redis_address),
        "Redis: set PROD_CHECK_REDIS_URL (default redis://127.0.0.1:6379)",
    )
    tmp = Path(tempfile.mkdtemp(prefix="backinshape-prod-check-"))
    tmp.chmod(0o755)  # nginx's worker reads the static files in it
    failed = True  # until the shape has come up and gone down with every test passing
    try:
        with production_shape(services, tmp) as running:
            yield running
        failed = request.session.testsfailed > 0
    finally:
        if failed and os.environ.get("PROD_CHECK_KEEP_LOGS"):
            request.config.stash[KEPT_LOGS] = tmp / "logs"
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def pytest_terminal_summary(terminalreporter, config):
    """How long each change in the admin took to show through nginx, and where the logs
    were kept."""
    timings = [
        f"{report.head_line}: {value}"
        for report in terminalreporter.stats.get("passed", [])
        for name, value in report.user_properties
        if name == TIMINGS
    ]
    if timings:
        terminalreporter.write_sep("-", "changes in the admin shown through nginx")
        for line in timings:
            terminalreporter.write_line(line)
    if kept := config.stash.get(KEPT_LOGS, None):
        terminalreporter.write_line(f"The production shape's logs are kept in {kept}")


# --- Visitors ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def reader(shape):
    """Someone reading without an account, who never signs in: nginx's micro-cache may
    answer them."""
    return visitor("127.0.0.1", shape.cert)


@pytest.fixture(scope="session")
def home(shape, reader):
    """The home page, as a reader first sees it."""
    return reader.get(f"{shape.base}/", timeout=10)


@pytest.fixture(scope="session")
def episode_slug(home) -> str:
    """The first episode the home page links to ("" if none)."""
    slugs = re.findall(r'href="/episodes/([a-z0-9-]+)/"', home.text)
    return slugs[0] if slugs else ""


@pytest.fixture(scope="session")
def newcomer(shape):
    """Someone who signs up, verifies their email and comments as a member."""
    return visitor("127.0.0.1", shape.cert)


# --- Staff in the admin ------------------------------------------------------------------


@pytest.fixture(scope="session")
def staff(shape):
    return visitor("127.0.0.1", shape.cert)


@pytest.fixture(scope="session")
def staff_second_step(shape, staff):
    """Where the admin's sign-in form sends staff after their password."""
    page = staff.get(f"{shape.base}/admin/login/", timeout=10)
    form = form_with(page.text, "password")
    return staff.post(
        f"{shape.base}/admin/login/?next=/admin/",
        data=filled(form, username=STAFF_EMAIL, password=PASSWORD),
        headers={"Referer": f"{shape.base}/admin/login/"},
        timeout=10,
    )


@pytest.fixture(scope="session")
def staff_signed_in(staff, staff_second_step):
    """Where staff land after answering with their authenticator app's code."""
    return staff.post(
        staff_second_step.url,
        data=filled(form_with(staff_second_step.text, "code"), code=totp_code(TOTP_SECRET)),
        headers={"Referer": staff_second_step.url},
        timeout=10,
    )


@pytest.fixture(scope="session")
def admin(staff, staff_signed_in):
    """Staff, signed in to the admin."""
    if not staff_signed_in.url.rstrip("/").endswith("/admin"):
        pytest.fail(f"staff could not sign in to the admin: {staff_signed_in.url}")
    return staff


@pytest.fixture(scope="session")
def published_episode_change_url(shape, admin) -> str:
    """The admin page of the first published episode in the admin's list."""
    listing = admin.get(f"{shape.base}/admin/episodes/episode/?status__exact=published", timeout=10)
    change = re.search(r'href="(/admin/episodes/episode/\d+/change/)[^"]*"', listing.text)
    if not change:
        pytest.fail("no published episode in the admin list")
    return shape.base + change.group(1)


@pytest.fixture(scope="session")
def published_episode_slug(admin, published_episode_change_url) -> str:
    page = admin.get(published_episode_change_url, timeout=10)
    return dict(form_with(page.text, "title")["fields"])["slug"]
