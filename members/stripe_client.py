"""The one way the site talks to Stripe.

Every call goes through `stripe_client()`, a `stripe.StripeClient` built from settings
at call time (tests point STRIPE_API_BASE at a local fake). The global `stripe.api_key`
style is being retired by Stripe, so it is never used here. In development with no key
(DEBUG on, STRIPE_SECRET_KEY unset) the same SDK talks to the demo Stripe instead
(demostripe/): only its HTTP client differs.
"""

from functools import lru_cache

import stripe
from django.conf import settings

from demostripe.api import (
    DEMO_API_BASE,
    DEMO_SECRET_KEY,
    DemoStripeHTTPClient,
    demo_payments_active,
)

# A Stripe call made while someone waits for a page should fail fast, not hang for the
# SDK's default 80 seconds; the SDK retries connection errors with its own back-off.
STRIPE_TIMEOUT_SECONDS = 20
STRIPE_MAX_NETWORK_RETRIES = 2

DASHBOARD_BASE = "https://dashboard.stripe.com"


class StripeNotConfigured(Exception):
    """STRIPE_SECRET_KEY is not set, so there is no Stripe to talk to."""


def stripe_is_demo() -> bool:
    """Payments go to the demo Stripe: DEBUG on and no STRIPE_SECRET_KEY."""
    return demo_payments_active()


def stripe_is_configured() -> bool:
    """Members can pay here: with a Stripe key, or in demo mode."""
    return bool(settings.STRIPE_SECRET_KEY) or stripe_is_demo()


def stripe_client() -> stripe.StripeClient:
    """A StripeClient for the configured account, API version and (in tests) API base."""
    if not settings.STRIPE_SECRET_KEY:
        if stripe_is_demo():
            return _demo_client(settings.STRIPE_API_VERSION)
        raise StripeNotConfigured("STRIPE_SECRET_KEY is not set.")
    return _client_for(
        settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE or "", settings.STRIPE_API_VERSION
    )


@lru_cache(maxsize=4)
def _client_for(api_key: str, api_base: str, api_version: str) -> stripe.StripeClient:
    # Cached per configuration: the client keeps one HTTP session per thread, so pages
    # reuse connections, and a changed setting (as in tests) gets its own client.
    return stripe.StripeClient(
        api_key=api_key,
        stripe_version=api_version,
        base_addresses={"api": api_base} if api_base else None,
        max_network_retries=STRIPE_MAX_NETWORK_RETRIES,
        http_client=stripe.new_default_http_client(timeout=STRIPE_TIMEOUT_SECONDS),
    )


@lru_cache(maxsize=1)
def _demo_client(api_version: str) -> stripe.StripeClient:
    return stripe.StripeClient(
        api_key=DEMO_SECRET_KEY,
        stripe_version=api_version,
        base_addresses={"api": DEMO_API_BASE},
        max_network_retries=0,
        http_client=DemoStripeHTTPClient(),
    )


def stripe_dashboard_url(kind: str, object_id: str) -> str:
    """Link to an object in the Stripe dashboard, e.g. kind="customers" or "subscriptions".

    Test-mode objects live under /test/ in the dashboard; we are in test mode when the
    configured secret (or restricted) key is a test key.
    """
    key = settings.STRIPE_SECRET_KEY or ""
    test_mode = key.startswith(("sk_test_", "rk_test_"))
    prefix = f"{DASHBOARD_BASE}/test" if test_mode else DASHBOARD_BASE
    return f"{prefix}/{kind}/{object_id}"
