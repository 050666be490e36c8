"""Shared fixtures: the personas every test is written around, and service guards.

Tests that need a real service (PostgreSQL, Redis, Chromium) skip with a reason on a
machine without it, and fail instead when CI=true, so CI can never pass by skipping.
"""

import asyncio
import os
import shutil
import socket
from email import message_from_bytes
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client

from backinshape.celery import app
from tests.factories import (
    EpisodeFactory,
    MembershipFactory,
    ProgramConsentFactory,
    StaffFactory,
    UserFactory,
)

IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def require_service(available: bool, reason: str) -> None:
    """Skip locally when a service is missing; fail in CI, where every service must be up."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"Required in CI: {reason}")
    pytest.skip(reason)


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def chromium_available() -> bool:
    return os.path.exists(CHROMIUM) or shutil.which("chromium") is not None


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    marked = bool(
        marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))
    )
    fixtures = getattr(item, "fixturenames", ())
    return marked or "transactional_db" in fixtures or "live_server" in fixtures


def _is_browser_test(item) -> bool:
    return "tests/e2e/" in item.nodeid


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Transactional tests last, as Django orders them, once pytest has done its own sorting.

    A transactional test (live_server, the browser tests, real workers) empties every table
    when it ends, the rows the data migrations made included (the podcast show). pytest-django
    puts those tests last, but pytest then groups tests by their package-scoped fixtures (the
    browser tests' Playwright) and moved them back among the others. A stable sort keeps each
    group together, and the browser tests stay one group, so Playwright starts once.
    """
    items.sort(key=lambda item: _is_transactional(item) or _is_browser_test(item))


def pytest_configure(config):
    """Test-only settings, set here rather than guessed in settings.py.

    One fast password hasher for the whole suite: the personas all get a password, and
    the production hasher is slow on purpose. The page cache says hit or miss (X-Cache),
    which the cache tests read.
    """
    django_settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    django_settings.PAGE_CACHE_DEBUG_HEADER = True


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and rendered articles live in the cache; start each test clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def visitor(client):
    """Someone reading without an account."""
    return client


@pytest.fixture
def free_member(db):
    return UserFactory(email="free.member@example.com", display_name="Fran")


@pytest.fixture
def premium_member(db):
    """A paying member who has agreed to the Program keeping their health data (as every
    member who starts it has); `premium_member_without_consent` has not."""
    membership = MembershipFactory(
        user=UserFactory(email="premium.member@example.com", display_name="Priya")
    )
    ProgramConsentFactory(user=membership.user)
    return membership.user


@pytest.fixture
def premium_member_without_consent(db):
    """A paying member who hasn't agreed to the Program keeping their health data: new to
    it, or holding Program data from before consent was asked for."""
    membership = MembershipFactory(
        user=UserFactory(email="premium.unasked@example.com", display_name="Uma")
    )
    return membership.user


@pytest.fixture
def staff(db):
    return StaffFactory(email="staff.member@example.com", display_name="Sam")


@pytest.fixture
def staff_client(staff):
    """A client signed in as staff that raises a view's exception instead of a 500 page."""
    client = Client(raise_request_exception=True)
    client.force_login(staff)
    return client


@pytest.fixture
def episode(db):
    return EpisodeFactory()


@pytest.fixture
def premium_episode(db):
    return EpisodeFactory(
        title="Discs, decoded",
        slug="discs-decoded",
        body=(
            "## What everyone should know\n\nPublic words about discs.\n\n"
            "<!-- members-only -->\n\n"
            "## The members' routine\n\nSECRET-PREMIUM-PARAGRAPH with the full routine."
        ),
    )


@pytest.fixture(autouse=True)
def _eager_celery(settings):
    """Run tasks in-process unless a test starts a real worker (see the `celery_worker` tests).

    CI sets CELERY_BROKER_URL for those integration tests; every other test stays eager.
    """
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    yield
    app.conf.task_always_eager = previous


class SmtpSink:
    """A real SMTP server (aiosmtpd) that keeps what it receives, and can misbehave the way
    real servers do, so tests can hold the release email to each kind of failure.

    - `refuse`: addresses turned away at RCPT TO with 550, as for an unknown mailbox.
    - `rcpt_replies` / `data_replies`: address → the reply to give at RCPT TO or after DATA,
      e.g. "552 5.2.2 Mailbox full", "554 5.7.1 Rejected", "451 4.3.0 Try later".
    - `fail_first(k, reply, stage)`: the first k attempts at that stage get `reply`
      (a server that throttles, then recovers).
    - `delay`: seconds to wait before answering DATA, for a slow server.
    - `before_accept`: called with the envelope once a message's data has arrived, just
      before it is accepted, to look at the world at that moment.
    Messages refused at any stage are not kept.
    """

    def __init__(self):
        self.messages: list[bytes] = []
        self.refuse: set[str] = set()
        self.rcpt_replies: dict[str, str] = {}
        self.data_replies: dict[str, str] = {}
        self.delay: float = 0.0
        self.before_accept = None
        self.connections = 0  # SMTP sessions opened (EHLO/HELO greetings)
        self._failures_left = {"rcpt": 0, "data": 0}
        self._failure_reply = {"rcpt": "", "data": ""}

    def fail_first(self, k: int, reply: str, *, stage: str = "data") -> None:
        self._failures_left[stage] = k
        self._failure_reply[stage] = reply

    def _scripted_failure(self, stage: str) -> str | None:
        if self._failures_left[stage] > 0:
            self._failures_left[stage] -= 1
            return self._failure_reply[stage]
        return None

    @property
    def recipients(self) -> list[str]:
        """The To address of each message received, in order."""
        return [message_from_bytes(raw)["To"] for raw in self.messages]

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_HELO(self, server, session, envelope, hostname):
        self.connections += 1
        session.host_name = hostname
        return f"250 {server.hostname}"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        key = address.lower()
        if key in self.refuse:
            return "550 5.1.1 No such mailbox"
        if key in self.rcpt_replies:
            return self.rcpt_replies[key]
        failure = self._scripted_failure("rcpt")
        if failure:
            return failure
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        for address in envelope.rcpt_tos:
            if address.lower() in self.data_replies:
                return self.data_replies[address.lower()]
        failure = self._scripted_failure("data")
        if failure:
            return failure
        if self.before_accept is not None:
            self.before_accept(envelope)
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def smtp_sink(settings):
    """Send this test's email through a real SMTP conversation on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "common.email_backends.SmtpEmailBackend"  # as EMAIL_URL=smtp://…
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield sink
    controller.stop()


CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")


def _broker_reachable() -> bool:
    if not CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        return False
    parts = urlsplit(CELERY_BROKER_URL)
    return port_open(parts.hostname or "127.0.0.1", parts.port or 6379)


@pytest.fixture
def celery_worker():
    """A real Celery worker on the Redis broker in CELERY_BROKER_URL, for this test only."""
    require_service(
        _broker_reachable(),
        "a Celery broker: set CELERY_BROKER_URL=redis://127.0.0.1:6379/0 with Redis running",
    )
    previous = {
        "broker_url": app.conf.broker_url,
        "task_always_eager": app.conf.task_always_eager,
        "task_default_queue": app.conf.task_default_queue,
    }
    app.conf.broker_url = CELERY_BROKER_URL
    app.conf.task_always_eager = False
    # A queue of its own, so this worker never takes (or leaves) anyone else's tasks.
    app.conf.task_default_queue = "backinshape-tests"
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker
    app.conf.update(previous)
