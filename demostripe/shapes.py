"""Stripe's objects as API version 2026-10-28 returns them, and the events that carry them.

One set of shapes for the demo Stripe and the tests' fake Stripe (tests/members/
fake_stripe.py imports these), built after Stripe's API reference
(https://docs.stripe.com/api). The fields our code reads are the ones that matter most:
a subscription keeps its billing period on its *items* (`current_period_end` moved there in
2025-03-31), cancellation is `cancel_at_period_end` with `cancel_at`, and an invoice names
its subscription under `parent.subscription_details`.
"""

import itertools
import json
import re
import secrets
import time

API_VERSION = "2026-10-28.endive"
DAY = 24 * 60 * 60

_counter = itertools.count(1)


def new_id(prefix: str) -> str:
    """An id in Stripe's style: the object's prefix, then random characters."""
    return f"{prefix}_{secrets.token_hex(8)}{next(_counter):04d}"


def nested_params(params: dict, prefix: str) -> dict:
    """Collect form-encoded `prefix[key]=value` pairs into {key: value}, as the SDK sends
    `metadata[user_id]=7`."""
    pattern = re.compile(rf"^{re.escape(prefix)}\[([^\]]+)\]$")
    return {m.group(1): v for k, v in params.items() if (m := pattern.match(k))}


def event_payload(event_type: str, obj: dict, *, event_id: str | None = None) -> dict:
    """A snapshot event as Stripe posts it to a webhook endpoint."""
    return {
        "id": event_id or new_id("evt"),
        "object": "event",
        "api_version": API_VERSION,
        "created": int(time.time()),
        "data": {"object": json.loads(json.dumps(obj)), "previous_attributes": {}},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }


def price_object(
    price_id: str,
    *,
    amount: int = 900,
    interval: str = "month",
    currency: str = "gbp",
    nickname: str | None = None,
    active: bool = True,
) -> dict:
    return {
        "id": price_id,
        "object": "price",
        "active": active,
        "billing_scheme": "per_unit",
        "created": 1721948530,
        "currency": currency,
        "livemode": False,
        "lookup_key": None,
        "metadata": {},
        "nickname": nickname,
        "product": "prod_backinshape",
        "recurring": {
            "interval": interval,
            "interval_count": 1,
            "meter": None,
            "usage_type": "licensed",
            "trial_period_days": None,
        },
        "tax_behavior": "unspecified",
        "tiers_mode": None,
        "type": "recurring",
        "unit_amount": amount,
        "unit_amount_decimal": str(amount),
    }


def customer_object(customer_id: str, *, email: str | None = None) -> dict:
    return {
        "id": customer_id,
        "object": "customer",
        "balance": 0,
        "created": int(time.time()),
        "currency": "gbp",
        "default_source": None,
        "delinquent": False,
        "description": None,
        "email": email,
        "invoice_prefix": "BIS0001",
        "invoice_settings": {
            "custom_fields": None,
            "default_payment_method": None,
            "footer": None,
            "rendering_options": None,
        },
        "livemode": False,
        "metadata": {},
        "name": None,
        "phone": None,
        "preferred_locales": [],
        "tax_exempt": "none",
        "test_clock": None,
    }


def subscription_object(
    subscription_id: str,
    *,
    customer: str,
    price: str | dict,
    status: str = "active",
    current_period_start: int | None = None,
    current_period_end: int | None = None,
    cancel_at_period_end: bool = False,
    cancel_at: int | None = None,
    metadata: dict | None = None,
) -> dict:
    """A subscription with one item. `price` is a price object, or an id for the default
    monthly one. As in the API, the billing period is on the subscription *items*; there
    is deliberately no top-level current_period_end."""
    now = int(time.time())
    start = current_period_start or now
    end = current_period_end or start + 30 * DAY
    return {
        "id": subscription_id,
        "object": "subscription",
        "application": None,
        "billing_cycle_anchor": start,
        "cancel_at": cancel_at,
        "cancel_at_period_end": cancel_at_period_end,
        "canceled_at": None,
        "cancellation_details": {"comment": None, "feedback": None, "reason": None},
        "collection_method": "charge_automatically",
        "created": now,
        "currency": "gbp",
        "customer": customer,
        "default_payment_method": None,
        "description": None,
        "discounts": [],
        "ended_at": None,
        "items": {
            "object": "list",
            "data": [
                {
                    "id": new_id("si"),
                    "object": "subscription_item",
                    "created": now,
                    "current_period_end": end,
                    "current_period_start": start,
                    "discounts": [],
                    "metadata": {},
                    "price": price_object(price) if isinstance(price, str) else price,
                    "quantity": 1,
                    "subscription": subscription_id,
                    "tax_rates": [],
                }
            ],
            "has_more": False,
            "url": f"/v1/subscription_items?subscription={subscription_id}",
        },
        "latest_invoice": None,
        "livemode": False,
        "metadata": metadata or {},
        "start_date": now,
        "status": status,
        "test_clock": None,
        "trial_end": None,
        "trial_start": None,
        "billing_mode": {"type": "classic"},
    }


def invoice_object(
    *,
    customer: str,
    subscription: str,
    status: str = "paid",
    amount: int = 900,
    currency: str = "gbp",
    billing_reason: str = "subscription_cycle",
) -> dict:
    """An invoice as API version 2026-10-28 returns it: the subscription is named under
    parent.subscription_details, not at the top level."""
    now = int(time.time())
    paid = status == "paid"
    return {
        "id": new_id("in"),
        "object": "invoice",
        "amount_due": amount,
        "amount_paid": amount if paid else 0,
        "amount_remaining": 0 if paid else amount,
        "attempt_count": 1,
        "attempted": True,
        "billing_reason": billing_reason,
        "collection_method": "charge_automatically",
        "created": now,
        "currency": currency,
        "customer": customer,
        "livemode": False,
        "metadata": {},
        "parent": {
            "quote_details": None,
            "subscription_details": {"metadata": {}, "subscription": subscription},
            "type": "subscription_details",
        },
        "period_end": now,
        "period_start": now - 30 * DAY,
        "status": status,
        "total": amount,
    }


def checkout_session_object(session_id: str, *, url: str, params: dict) -> dict:
    """An open Checkout Session made from the form-encoded `params` the SDK sent."""
    now = int(time.time())
    return {
        "id": session_id,
        "object": "checkout.session",
        "allow_promotion_codes": None,
        "amount_subtotal": None,
        "amount_total": None,
        "cancel_url": params.get("cancel_url"),
        "client_reference_id": params.get("client_reference_id"),
        "created": now,
        "currency": "gbp",
        "customer": params.get("customer"),
        "customer_details": None,
        "customer_email": params.get("customer_email"),
        "expires_at": now + DAY,
        "invoice": None,
        "livemode": False,
        "locale": None,
        "metadata": nested_params(params, "metadata"),
        "mode": params.get("mode", "payment"),
        "payment_status": "unpaid",
        "status": "open",
        "subscription": None,
        "success_url": params.get("success_url"),
        "ui_mode": "hosted",
        "url": url,
    }


def portal_session_object(portal_id: str, *, customer: str, url: str, params: dict) -> dict:
    return {
        "id": portal_id,
        "object": "billing_portal.session",
        "configuration": "bpc_backinshape",
        "created": int(time.time()),
        "customer": customer,
        "flow": None,
        "livemode": False,
        "locale": None,
        "on_behalf_of": None,
        "return_url": params.get("return_url"),
        "url": url,
    }


def error_payload(message: str, *, type_: str = "invalid_request_error", **extra) -> dict:
    """The body of a Stripe error response (https://docs.stripe.com/api/errors)."""
    return {"error": {"type": type_, "message": message, **extra}}


def missing_payload(kind: str, object_id, *, param: str = "id") -> dict:
    return error_payload(f"No such {kind}: '{object_id}'", code="resource_missing", param=param)
