"""Which address is the visitor's: one rule, behind zero, one or more proxies.

Every limiter (comments, the Sunday email form, allauth's sign-in limits, the admin
sign-in) and every stored address uses `common.client_ip`, so these tests pin the rule
itself and then check allauth agrees with it.
"""

import pytest
from allauth.account import app_settings as account_settings
from allauth.core.internal.ratelimit import parse_rates
from django.test import Client, RequestFactory

from common.client_ip import client_ip, client_ip_key
from tests.factories import PASSWORD, UserFactory

PROXY = "10.0.0.1"


@pytest.fixture
def one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"


def _request(xff=None, remote=PROXY, header="X-Forwarded-For"):
    headers = {header: xff} if xff is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, headers=headers)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request("6.6.6.6", remote="203.0.113.7")) == "203.0.113.7"


def test_one_proxy_takes_the_address_the_proxy_appended(one_proxy):
    # The client sent "X-Forwarded-For: 6.6.6.6"; nginx appended the address it saw.
    assert client_ip(_request("6.6.6.6, 203.0.113.7")) == "203.0.113.7"


def test_two_proxies_take_the_second_address_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    # 6.6.6.6 is made up by the client, 203.0.113.7 was appended by the CDN, and
    # 198.51.100.2 (the CDN's own address) by nginx.
    assert client_ip(_request("6.6.6.6, 203.0.113.7, 198.51.100.2")) == "203.0.113.7"


@pytest.mark.parametrize(
    ("xff", "count"),
    [
        (None, 1),  # no header at all
        ("", 1),
        ("   ", 1),
        ("garbage", 1),
        ("203.0.113.7, not-an-address", 1),
        ("203.0.113.7,", 1),
        ("203.0.113.7", 2),  # shorter than the number of proxies
        ("999.1.1.1", 1),
        ("\x00", 1),
        ("1.2.3.4, " * 5000, 1),
    ],
)
def test_a_missing_short_or_garbled_header_falls_back_to_the_connection(settings, xff, count):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(_request(xff)) == PROXY


@pytest.mark.parametrize(
    ("xff", "expected"),
    [
        ("2001:db8::7", "2001:db8::7"),
        ("2001:DB8:0:0::7", "2001:db8::7"),
        ("[2001:db8::7]:4711", "2001:db8::7"),
        ("203.0.113.7:4711", "203.0.113.7"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        (" 203.0.113.7 ", "203.0.113.7"),
    ],
)
def test_addresses_are_normalised(one_proxy, xff, expected):
    assert client_ip(_request(xff)) == expected


def test_another_header_can_be_named(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.CLIENT_IP_HEADER = "X-Real-IP"
    request = _request("203.0.113.7", header="X-Real-IP")
    assert client_ip(request) == "203.0.113.7"
    # With another header named, X-Forwarded-For means nothing.
    assert client_ip(_request("198.51.100.2")) == PROXY


def test_no_address_anywhere_gives_none_and_one_shared_limiter_key(one_proxy):
    request = _request(None, remote="")
    assert client_ip(request) is None
    assert client_ip_key(request) == "0.0.0.0"


# allauth's own sign-in limits follow the same rule ------------------------------------


def _login_failed_per_ip() -> int:
    """How many failed sign-ins allauth allows per address (from ACCOUNT_RATE_LIMITS)."""
    rate = next(r for r in parse_rates(account_settings.RATE_LIMITS["login_failed"]))
    assert rate.per == "ip"
    return rate.amount


def _login(client, email, password, xff):
    return client.post(
        "/accounts/login/",
        {"login": email, "password": password},
        headers={"X-Forwarded-For": xff},
        REMOTE_ADDR=PROXY,
    )


@pytest.mark.django_db
def test_failed_sign_ins_from_one_client_do_not_lock_out_another(one_proxy, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    member = UserFactory(email="b.member@example.com")
    attacker = Client()
    allowed = _login_failed_per_ip()
    for n in range(allowed):
        response = _login(attacker, f"guess{n}@example.com", "wrong", f"6.6.6.{n}, 203.0.113.7")
        assert response.status_code == 200
        assert "too many failed login attempts" not in response.text.lower()
    # The next guess from the same client is refused, whatever it claims to be.
    refused = _login(attacker, "guess-more@example.com", "wrong", "6.6.6.99, 203.0.113.7")
    assert "too many failed login attempts" in refused.text.lower()

    response = _login(Client(), member.email, PASSWORD, "198.51.100.9")
    assert response.status_code == 302
    assert response.url == "/account/"


@pytest.mark.django_db
@pytest.mark.parametrize("xff", [None, "garbage", "6.6.6.6, 203.0.113.7"])
def test_sign_in_page_never_fails_on_an_odd_header(settings, xff):
    settings.TRUSTED_PROXY_COUNT = 3  # more proxies than any of these headers lists
    headers = {"X-Forwarded-For": xff} if xff is not None else {}
    client = Client(raise_request_exception=True)
    response = client.post(
        "/accounts/login/",
        {"login": "someone@example.com", "password": "wrong"},
        headers=headers,
        REMOTE_ADDR=PROXY,
    )
    assert response.status_code == 200
