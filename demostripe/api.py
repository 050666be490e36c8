"""The demo Stripe's API, answered in-process: the few endpoints the site calls.

`DemoStripeHTTPClient` is a `stripe.HTTPClient`: members/stripe_client.py hands it to the
real SDK in demo mode, so every call (`client.v1.checkout.sessions.create(...)` and so on)
is built, sent, answered and parsed exactly as with Stripe, errors included; only the
network is missing. Requests are answered on the caller's own database connection.
"""

import json
import logging
import re
from urllib.parse import parse_qsl, urlsplit

import stripe
from django.conf import settings
from django.db import transaction
from django.urls import reverse

from . import registry, services
from .shapes import (
    checkout_session_object,
    error_payload,
    missing_payload,
    new_id,
    portal_session_object,
)
from .store import NoSuchObject, object_create, object_get

logger = logging.getLogger(__name__)

# The key the SDK sends in demo mode. It is no secret: it opens nothing but this demo.
DEMO_SECRET_KEY = "sk_test_demo_backinshape"
# Where the SDK thinks it is talking to; nothing ever connects there.
DEMO_API_BASE = "https://demo-stripe.invalid"


def demo_payments_active() -> bool:
    """Demo payments run only in development (DEBUG on) on a site with no Stripe key."""
    return bool(settings.DEBUG and not settings.STRIPE_SECRET_KEY)


class DemoStripeHTTPClient(stripe.HTTPClient):
    name = "demostripe"

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        parts = urlsplit(url)
        body = post_data.decode() if isinstance(post_data, bytes) else (post_data or "")
        params = dict(parse_qsl(parts.query, keep_blank_values=True)) | dict(
            parse_qsl(body, keep_blank_values=True)
        )
        authorization = (headers or {}).get("Authorization", "")
        if authorization != f"Bearer {DEMO_SECRET_KEY}":
            status, payload = 401, error_payload("Invalid API Key provided.")
        else:
            status, payload = api_handle(method.upper(), parts.path, params)
        # Like Stripe, say a failure is final, so the SDK does not retry it.
        response_headers = {"Request-Id": new_id("req"), "Stripe-Should-Retry": "false"}
        return json.dumps(payload), status, response_headers

    def request_stream(self, method, url, headers, post_data=None, *, _usage=None):
        raise NotImplementedError("The demo Stripe does not stream.")

    def close(self):
        pass


def api_handle(method: str, path: str, params: dict) -> tuple[int, dict]:
    """Answer one API request: (HTTP status, JSON body)."""
    for route_method, pattern, action in _ROUTES:
        if route_method == method and (match := re.fullmatch(pattern, path)):
            return action(params, *match.groups())
    return 404, error_payload(f"Unrecognized request URL ({method}: {path}).")


def _site_url(name: str, object_id: str) -> str:
    return f"{settings.SITE_URL}{reverse(name, args=[object_id])}"


def _session_create(params: dict) -> tuple[int, dict]:
    customer = params.get("customer")
    if customer:
        try:
            object_get(customer, kind="customer")
        except NoSuchObject:
            return 400, missing_payload("customer", customer, param="customer")
    if not params.get("success_url"):
        return 400, error_payload("Missing required param: success_url.", param="success_url")
    price_id = params.get("line_items[0][price]", "")
    if registry.price_find(price_id) is None:
        return 400, missing_payload("price", price_id, param="line_items[0][price]")
    session_id = new_id("cs_test")
    session = checkout_session_object(
        session_id, url=_site_url("demostripe:checkout", session_id), params=params
    )
    object_create(session, params=params)
    return 200, session


def _session_retrieve(params: dict, session_id: str) -> tuple[int, dict]:
    try:
        return 200, object_get(session_id, kind="checkout.session").data
    except NoSuchObject:
        return 404, missing_payload("checkout.session", session_id)


def _portal_create(params: dict) -> tuple[int, dict]:
    customer = params.get("customer", "")
    try:
        object_get(customer, kind="customer")
    except NoSuchObject:
        return 400, missing_payload("customer", customer, param="customer")
    portal_id = new_id("bps")
    portal = portal_session_object(
        portal_id,
        customer=customer,
        url=_site_url("demostripe:portal", portal_id),
        params=params,
    )
    object_create(portal, params=params)
    return 200, portal


def _customer_retrieve(params: dict, customer_id: str) -> tuple[int, dict]:
    try:
        return 200, object_get(customer_id, kind="customer").data
    except NoSuchObject:
        return 404, missing_payload("customer", customer_id)


def _subscription_retrieve(params: dict, subscription_id: str) -> tuple[int, dict]:
    try:
        return 200, object_get(subscription_id, kind="subscription").data
    except NoSuchObject:
        return 404, missing_payload("subscription", subscription_id)


def _subscription_cancel(params: dict, subscription_id: str) -> tuple[int, dict]:
    """DELETE /v1/subscriptions/<id>: cancel at once (as deleting an account does)."""
    try:
        with transaction.atomic():
            return 200, services.demo_subscription_cancel_now(subscription_id=subscription_id)
    except NoSuchObject:
        return 404, missing_payload("subscription", subscription_id)
    except services.DemoStripeRefusal as exc:
        return 400, error_payload(str(exc))


_ROUTES = [
    ("POST", r"/v1/checkout/sessions", _session_create),
    ("GET", r"/v1/checkout/sessions/([^/]+)", _session_retrieve),
    ("POST", r"/v1/billing_portal/sessions", _portal_create),
    ("GET", r"/v1/customers/([^/]+)", _customer_retrieve),
    ("GET", r"/v1/subscriptions/([^/]+)", _subscription_retrieve),
    ("DELETE", r"/v1/subscriptions/([^/]+)", _subscription_cancel),
]
