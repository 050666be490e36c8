"""The admin sign-in page: staff get in, password guessing does not."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from members.models import User
from tests.factories import PASSWORD, StaffFactory

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"
LIMITED = "Too many failed sign-in attempts. Wait a few minutes and try again."


@pytest.fixture(autouse=True)
def _one_rate_limit_window():
    """django-ratelimit counts in fixed windows of the clock: a test whose requests straddle
    the end of one would see its count start again. The clock stands still instead."""
    with time_machine.travel(dt.datetime(2026, 3, 4, 10, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def _sign_in(client, email, password, xff=None):
    headers = {"X-Forwarded-For": xff} if xff is not None else {}
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": email, "password": password},
        headers=headers,
        REMOTE_ADDR=PROXY,
    )


def _is_signed_in(client) -> bool:
    return client.get("/admin/").status_code == 200


def test_staff_from_createsuperuser_sign_in_without_an_email_address_record():
    User.objects.create_superuser(email="owner@example.com", password=PASSWORD)
    client = Client()
    response = _sign_in(client, "owner@example.com", PASSWORD)
    assert response.status_code == 302
    assert response.url == "/admin/"
    assert _is_signed_in(client)


def test_a_dozen_wrong_passwords_are_refused_with_429_and_the_form():
    staff = StaffFactory(email="boss@example.com")
    client = Client()
    statuses = [_sign_in(client, staff.email, f"guess-{n}").status_code for n in range(12)]
    assert statuses == [200] * 5 + [429] * 7

    refused = _sign_in(client, staff.email, "guess-again")
    assert LIMITED in refused.text
    assert 'name="username"' in refused.text
    assert 'value="boss@example.com"' in refused.text


def test_the_right_password_does_not_sign_in_while_limited():
    staff = StaffFactory(email="boss@example.com")
    client = Client()
    for n in range(5):
        _sign_in(client, staff.email, f"guess-{n}")
    response = _sign_in(client, staff.email, PASSWORD)
    assert response.status_code == 429
    assert not _is_signed_in(client)


def test_the_email_limit_ignores_letter_case_and_spaces():
    StaffFactory(email="boss@example.com")
    spellings = ["boss@example.com", "BOSS@example.com", " Boss@Example.com "]
    statuses = [_sign_in(Client(), spellings[n % 3], f"guess-{n}").status_code for n in range(6)]
    assert statuses == [200] * 5 + [429]


def test_successful_sign_ins_do_not_count():
    staff = StaffFactory(email="boss@example.com")
    for _ in range(8):
        client = Client()
        assert _sign_in(client, staff.email, PASSWORD).status_code == 302
        client.post("/admin/logout/")


def test_guessing_from_one_address_does_not_lock_out_staff_elsewhere(behind_one_proxy, settings):
    settings.ADMIN_LOGIN_RATE_LIMIT_PER_IP = "20/5m"
    staff = StaffFactory(email="boss@example.com")
    attacker = Client()
    for n in range(20):
        # A new made-up left-most address and a new email each time: neither escapes.
        response = _sign_in(attacker, f"guess{n}@example.com", "x", f"6.6.6.{n}, 203.0.113.7")
        assert response.status_code == 200
    assert _sign_in(attacker, staff.email, PASSWORD, "6.6.6.99, 203.0.113.7").status_code == 429

    colleague = Client()
    response = _sign_in(colleague, staff.email, PASSWORD, "198.51.100.9")
    assert response.status_code == 302
    assert _is_signed_in(colleague)
