"""The Sunday email's unsubscribe link: opaque, unforgeable, and working for everyone.

The link sits in every email, in the `List-Unsubscribe` header and in access logs along
the way, so it must not carry the address in any readable form.
"""

import base64
import contextlib
import re

import pytest
from django.core import mail, signing
from django.test import Client

from episodes.mailing import release_send
from members.models import Subscriber, User
from members.selectors import sunday_email_recipients
from members.services import (
    UNSUBSCRIBE_SALT,
    sunday_email_address_for_token,
    sunday_email_unsubscribe_token,
)
from tests.factories import SubscriberFactory, UserFactory

pytestmark = pytest.mark.django_db

ADDRESS = "reader.name@example.com"


def _token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


def _decodings(token: str) -> list[bytes]:
    """Every way a reader could base64-decode the token or a piece of it."""
    pieces = [token, *re.split(r"[:.]", token)]
    decoded = []
    for piece in pieces:
        for offset in range(4):  # the address may start at any byte of the encoding
            chunk = piece[offset:]
            chunk += "=" * (-len(chunk) % 4)
            for decode in (base64.urlsafe_b64decode, base64.b64decode):
                with contextlib.suppress(ValueError):  # binascii.Error is one
                    decoded.append(decode(chunk))
    return decoded


def _one_click(url: str):
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    return Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"})


def test_the_token_carries_no_address_nor_its_base64():
    token = sunday_email_unsubscribe_token(ADDRESS)

    assert "reader" not in token.lower()
    assert not any(b"reader.name" in decoded for decoded in _decodings(token))
    assert sunday_email_address_for_token(token) == ADDRESS


def test_the_sunday_emails_links_carry_no_address(premium_episode):
    SubscriberFactory(email=ADDRESS)
    release_send(episode=premium_episode)

    message = mail.outbox[0]
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    token = _token_of(url)
    assert url in message.body
    assert not any(b"reader.name" in decoded for decoded in _decodings(token))


def test_a_free_subscriber_leaves_with_one_click_from_the_email(premium_episode):
    SubscriberFactory(email=ADDRESS)
    release_send(episode=premium_episode)
    url = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")

    response = _one_click(url)

    assert response.status_code == 200
    assert Subscriber.objects.get().unsubscribed_at is not None
    assert sunday_email_recipients() == []


def test_a_member_leaves_with_one_click_from_the_email(premium_episode):
    UserFactory(email=ADDRESS)
    release_send(episode=premium_episode)
    url = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")

    assert _one_click(url).status_code == 200
    assert User.objects.get(email=ADDRESS).wants_sunday_email is False


def test_a_token_made_with_another_secret_is_404(settings):
    settings.SECRET_KEY = "another-site-secret-key-" + "x" * 40
    token = sunday_email_unsubscribe_token(ADDRESS)
    settings.SECRET_KEY = "this-site-secret-key-" + "y" * 40
    SubscriberFactory(email=ADDRESS)

    assert Client().post(f"/unsubscribe/{token}/").status_code == 404
    assert Subscriber.objects.get().unsubscribed_at is None


def test_links_keep_working_after_the_secret_key_is_rotated(settings):
    old_key = "the-old-secret-key-" + "z" * 40
    settings.SECRET_KEY = old_key
    token = sunday_email_unsubscribe_token(ADDRESS)
    settings.SECRET_KEY = "the-new-secret-key-" + "w" * 40
    settings.SECRET_KEY_FALLBACKS = [old_key]

    assert sunday_email_address_for_token(token) == ADDRESS


def test_a_link_from_an_email_sent_before_stays_working(visitor):
    """Emails already sent carry the older token: the address signed (not encrypted)
    with the same salt. The signature means nobody can make one, so it is honoured."""
    SubscriberFactory(email=ADDRESS)
    old_token = signing.dumps(ADDRESS, salt=UNSUBSCRIBE_SALT)

    assert visitor.get(f"/unsubscribe/{old_token}/").status_code == 200
    assert Client(enforce_csrf_checks=True).post(f"/unsubscribe/{old_token}/").status_code == 200
    assert Subscriber.objects.get().unsubscribed_at is not None


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(base64.urlsafe_b64encode(ADDRESS.encode()).decode(), id="bare base64"),
        pytest.param(
            base64.urlsafe_b64encode(f'"{ADDRESS}"'.encode()).decode().rstrip("="),
            id="the old form without its signature",
        ),
        pytest.param(signing.dumps(ADDRESS, salt="another.salt"), id="signed for something else"),
    ],
)
def test_an_address_written_as_a_token_by_anyone_is_404(visitor, token):
    SubscriberFactory(email=ADDRESS)

    assert visitor.get(f"/unsubscribe/{token}/").status_code == 404
    assert visitor.post(f"/unsubscribe/{token}/").status_code == 404
    assert Subscriber.objects.get().unsubscribed_at is None
