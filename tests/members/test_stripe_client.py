"""The one Stripe client factory."""

import pytest

from members.stripe_client import (
    StripeNotConfigured,
    stripe_client,
    stripe_dashboard_url,
    stripe_is_configured,
)


def test_it_reads_settings_each_time_it_is_asked(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_one"
    settings.STRIPE_API_BASE = "http://127.0.0.1:1"
    first = stripe_client()
    settings.STRIPE_SECRET_KEY = "sk_test_two"
    second = stripe_client()

    assert first is not second
    assert first._requestor.api_key == "sk_test_one"
    assert second._requestor.api_key == "sk_test_two"
    assert second._requestor.base_addresses["api"] == "http://127.0.0.1:1"
    assert second._requestor._options.stripe_version == settings.STRIPE_API_VERSION


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
