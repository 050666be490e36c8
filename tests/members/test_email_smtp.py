"""A membership email through a real SMTP conversation, as production sends it."""

import email
import email.policy

import pytest

from members.models import Membership
from tests.members.fake_stripe import event_payload

pytestmark = pytest.mark.django_db


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
