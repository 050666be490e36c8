"""The one way the site talks to Stripe.

Every call goes through `stripe_client()`, a `stripe.StripeClient` built from settings
at call time (tests point STRIPE_API_BASE at a local fake). The global `stripe.api_key`
style is being retired by Stripe, so it is never used here.
"""

from functools import lru_cache

import stripe
from django.conf import settings

# A Stripe call made while someone waits for a page should fail fast, not hang for the
# SDK's default 80 seconds; the SDK retries connection errors with its own back-off.
STRIPE_TIMEOUT_SECONDS = 20
STRIPE_MAX_NETWORK_RETRIES = 2

DASHBOARD_BASE = "https://dashboard.stripe.com"


class StripeNotConfigured(Exception):
    """STRIPE_SECRET_KEY is not set, so there is no Stripe to talk to."""


def stripe_is_configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def stripe_client() -> stripe.StripeClient:
    """A StripeClient for the configured account, API version and (in tests) API base."""
    if not stripe_is_configured():
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


def stripe_dashboard_url(kind: str, object_id: str) -> str:
    """Link to an object in the Stripe dashboard, e.g. kind="customers" or "subscriptions".

    Test-mode objects live under /test/ in the dashboard; we are in test mode when the
    configured secret (or restricted) key is a test key.
    """
    key = settings.STRIPE_SECRET_KEY or ""
    test_mode = key.startswith(("sk_test_", "rk_test_"))
    prefix = f"{DASHBOARD_BASE}/test" if test_mode else DASHBOARD_BASE
    return f"{prefix}/{kind}/{object_id}"
