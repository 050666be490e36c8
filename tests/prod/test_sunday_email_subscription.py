"""Subscribing to the Sunday email through nginx, and confirming by the emailed link."""

import html
from urllib.parse import urljoin

import pytest

from tests.prod.browsing import (
    filled,
    form_posting_to,
    form_with,
    link_in,
    mail_text_to,
    visitor,
)
from tests.prod.shape import wait_until

pytestmark = pytest.mark.prod

SUBSCRIBER_EMAIL = "new.subscriber@example.com"


@pytest.fixture(scope="module")
def guest(shape):
    """Subscribes without an account."""
    return visitor("127.0.0.1", shape.cert)


@pytest.fixture(scope="module")
def subscribed(shape, guest):
    """The answer to the subscribe form."""
    page = guest.get(f"{shape.base}/subscribe/", timeout=10)
    return guest.post(
        f"{shape.base}/subscribe/",
        data=filled(form_with(page.text, "email"), email=SUBSCRIBER_EMAIL),
        headers={"Referer": f"{shape.base}/subscribe/", "Origin": shape.base},
        timeout=10,
    )


@pytest.fixture(scope="module")
def confirmation_link(shape, subscribed) -> str | None:
    """The link in the confirmation email, once it arrives (within 20 s)."""
    return wait_until(
        lambda: link_in(mail_text_to(shape.sink, SUBSCRIBER_EMAIL), "/subscribe/confirm/"),
        timeout=20,
    )


@pytest.fixture(scope="module")
def confirmed(shape, guest, confirmation_link):
    """The answer to the confirmation page's button (a redirect, not followed)."""
    if not confirmation_link:
        pytest.fail("no confirmation email with a link arrived")
    page = guest.get(confirmation_link, timeout=10)
    form = form_posting_to(page.text, "subscribe/confirm")
    return guest.post(
        urljoin(confirmation_link, form["action"] or confirmation_link),
        data=form["fields"],
        headers={"Referer": confirmation_link, "Origin": shape.base},
        allow_redirects=False,
        timeout=10,
    )


def test_subscribe_to_the_sunday_email(subscribed):
    assert subscribed.status_code == 200


def test_confirmation_email_arrives(shape, confirmation_link):
    assert confirmation_link
    assert confirmation_link.startswith(shape.base + "/")


def test_confirm_the_subscription(confirmed):
    assert confirmed.status_code == 302


def test_the_confirmation_message_shows_on_the_cached_home_page(
    shape, guest, confirmation_link, confirmed
):
    """The home page it lands on is in nginx's micro-cache (another visitor just read it),
    yet this visitor's message waits in a cookie: nginx must not answer for Django."""
    other = visitor("127.0.0.1", shape.cert)
    for _ in range(2):
        other.get(f"{shape.base}/", timeout=10)

    landing = guest.get(
        urljoin(confirmation_link, confirmed.headers.get("Location", "/")), timeout=10
    )

    assert "You're subscribed" in html.unescape(landing.text), (
        f"X-Proxy-Cache: {landing.headers.get('X-Proxy-Cache', 'none')}"
    )
