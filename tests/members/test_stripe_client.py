"""The one Stripe client factory."""

import pytest

from members.stripe_client import (
    StripeNotConfigured,
    stripe_client,
    stripe_dashboard_url,
    stripe_is_configured,
)
from tests.members.fake_stripe import FakeStripe


@pytest.fixture
def other_stripe():
    """A second fake Stripe, with a key of its own."""
    fake = FakeStripe(api_key="sk_test_other").start()
    yield fake
    fake.stop()


def test_it_reads_settings_each_time_it_is_asked(fake_stripe, other_stripe, settings):
    first = stripe_client()
    first.v1.customers.create(params={"email": "one@example.com"})
    settings.STRIPE_SECRET_KEY = other_stripe.api_key
    settings.STRIPE_API_BASE = other_stripe.url
    second = stripe_client()
    second.v1.customers.create(params={"email": "two@example.com"})

    assert first is not second
    # Each fake answers only its own key (401 otherwise), so each call went where, and with
    # the key, the settings said at the time; both with the pinned API version.
    for fake, email in [(fake_stripe, "one@example.com"), (other_stripe, "two@example.com")]:
        assert [call["params"]["email"] for call in fake.calls("POST", "/v1/customers")] == [email]
        assert [c["stripe_version"] for c in fake.requests] == [settings.STRIPE_API_VERSION]


def test_it_refuses_to_build_a_client_without_a_secret_key(settings):
    settings.STRIPE_SECRET_KEY = ""

    assert not stripe_is_configured()
    with pytest.raises(StripeNotConfigured):
        stripe_client()


def test_dashboard_links_follow_the_key_mode(settings):
    settings.STRIPE_SECRET_KEY = "sk_live_abc"
    assert (
        stripe_dashboard_url("customers", "cus_1") == "https://dashboard.stripe.com/customers/cus_1"
    )
    settings.STRIPE_SECRET_KEY = "sk_test_abc"
    assert (
        stripe_dashboard_url("subscriptions", "sub_1")
        == "https://dashboard.stripe.com/test/subscriptions/sub_1"
    )
