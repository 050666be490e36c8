"""Fixtures for membership and billing tests: the fake Stripe, plans and signed webhooks."""

import json

import pytest

from tests.factories import MembershipFactory, UserFactory, monthly_and_yearly_plans
from tests.members.fake_stripe import WEBHOOK_SECRET, FakeStripe, event_payload, sign_payload


@pytest.fixture(scope="session")
def _fake_stripe_server():
    fake = FakeStripe().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_stripe(_fake_stripe_server, settings):
    """The local fake Stripe, with the site configured to talk to it."""
    fake = _fake_stripe_server
    fake.reset()
    settings.STRIPE_API_BASE = fake.url
    settings.STRIPE_SECRET_KEY = fake.api_key
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.SITE_URL = "http://testserver"
    return fake


@pytest.fixture
def stripe_unconfigured(settings):
    """As under `make run`: no Stripe keys at all."""
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""
    settings.STRIPE_API_BASE = ""


@pytest.fixture
def plans(db):
    return monthly_and_yearly_plans(yearly_description="Two months free.")


@pytest.fixture
def unverified_member(db):
    return UserFactory(email="new.member@example.com", display_name="Nia", verified=False)


@pytest.fixture
def subscriber_member(db, fake_stripe, plans):
    """A paying member whose subscription lives in the fake Stripe and is synced here."""
    user = UserFactory(email="paying.member@example.com", display_name="Pat")
    customer = fake_stripe.add_customer(email=user.email)
    subscription = fake_stripe.add_subscription(
        customer=customer["id"], price="price_monthly", metadata={"user_id": str(user.pk)}
    )
    MembershipFactory(
        user=user,
        plan=plans["monthly"],
        stripe_price_id="price_monthly",
        stripe_customer_id=customer["id"],
        stripe_subscription_id=subscription["id"],
    )
    return user


@pytest.fixture
def post_event(client, django_capture_on_commit_callbacks):
    """Post an event to the webhook, signed like Stripe, running what it queues after commit."""

    def post(event: dict, *, secret: str = WEBHOOK_SECRET, signature: str | None = None):
        body = json.dumps(event)
        headers = {}
        if signature is None:
            signature = sign_payload(body, secret)
        if signature:
            headers["HTTP_STRIPE_SIGNATURE"] = signature
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                "/membership/webhook/", data=body, content_type="application/json", **headers
            )

    return post


@pytest.fixture
def subscription_event(fake_stripe):
    """A customer.subscription.* event carrying the fake's current copy of a subscription."""

    def make(event_type: str, subscription_id: str, **kwargs) -> dict:
        return event_payload(event_type, fake_stripe.subscriptions[subscription_id], **kwargs)

    return make
