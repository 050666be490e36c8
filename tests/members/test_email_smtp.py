"""A membership email through a real SMTP conversation, as production sends it."""

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller

from members.models import Membership

from .fake_stripe import event_payload

pytestmark = pytest.mark.django_db


class _Sink:
    def __init__(self):
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_sink(settings):
    sink = _Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield sink
    controller.stop()


def test_the_payment_failed_email_arrives_over_smtp_as_text_and_html(
    smtp_sink, fake_stripe, post_event, subscriber_member
):
    membership = Membership.objects.get(user=subscriber_member)
    fake_stripe.update_subscription(membership.stripe_subscription_id, status="past_due")

    response = post_event(
        event_payload(
            "customer.subscription.updated",
            fake_stripe.subscriptions[membership.stripe_subscription_id],
        )
    )

    assert response.status_code == 200
    (raw,) = smtp_sink.messages
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["To"] == subscriber_member.email
    assert message["Subject"] == "Your Back In Shape payment didn't go through"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "http://testserver/account/" in text
    assert 'href="http://testserver/account/"' in html
