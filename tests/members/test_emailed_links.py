"""Every link the site emails is built on SITE_URL, never on the request's Host.

A visitor chooses the Host header. Had a password-reset link taken its host from there,
someone asking for a reset of another person's account with `Host: evil.example` would
mail that person a working reset link pointing at a site of their choosing.
"""

import re

import pytest
from django.core import mail

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SITE_URL = "https://backinshape.example"
SPOOFED_HOST = "localhost:6666"  # in ALLOWED_HOSTS with DEBUG on, as in the tests


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE_URL


def _links(message) -> list[str]:
    return re.findall(r"https?://[^\s<>\"']+", message.body)


def _assert_only_site_links(message):
    links = _links(message)
    assert links, "the email should carry a link"
    assert all(link == SITE_URL or link.startswith(SITE_URL + "/") for link in links), links
    assert SPOOFED_HOST not in message.body


def test_a_password_reset_link_is_on_the_site_whatever_the_host_header(client):
    member = UserFactory(email="reset.me@example.com")

    client.post("/accounts/password/reset/", {"email": member.email}, HTTP_HOST=SPOOFED_HOST)

    [message] = mail.outbox
    _assert_only_site_links(message)
    assert any(
        link.startswith(f"{SITE_URL}/accounts/password/reset/key/") for link in _links(message)
    )


def test_an_email_confirmation_link_is_on_the_site_whatever_the_host_header(client):
    client.post("/accounts/signup/", {"email": "new.reader@example.com"}, HTTP_HOST=SPOOFED_HOST)

    [message] = mail.outbox
    _assert_only_site_links(message)
    assert any(link.startswith(f"{SITE_URL}/accounts/confirm-email/") for link in _links(message))


def test_the_no_account_email_links_to_sign_up_on_the_site(client):
    client.post(
        "/accounts/password/reset/", {"email": "nobody.here@example.com"}, HTTP_HOST=SPOOFED_HOST
    )

    [message] = mail.outbox
    _assert_only_site_links(message)
    assert f"{SITE_URL}/accounts/signup/" in _links(message)


def test_the_account_already_exists_email_links_to_the_site(client):
    UserFactory(email="already.here@example.com")

    client.post("/accounts/signup/", {"email": "already.here@example.com"}, HTTP_HOST=SPOOFED_HOST)

    [message] = mail.outbox
    _assert_only_site_links(message)
