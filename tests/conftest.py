"""Shared fixtures: the personas every test is written around, and service guards.

Tests that need a real service (PostgreSQL, Redis, Chromium) skip with a reason on a
machine without it, and fail instead when CI=true, so CI can never pass by skipping.
"""

import os
import shutil
import socket

import pytest

from .factories import EpisodeFactory, MembershipFactory, StaffFactory, UserFactory

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


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and rendered articles live in the cache; start each test clean."""
    from django.core.cache import cache

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
    membership = MembershipFactory(
        user=UserFactory(email="premium.member@example.com", display_name="Priya")
    )
    return membership.user


@pytest.fixture
def staff(db):
    return StaffFactory(email="staff.member@example.com", display_name="Sam")


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
    from backinshape.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    yield
    app.conf.task_always_eager = previous
