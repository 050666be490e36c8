"""A small local fake of the Stripe API, for tests only.

A real HTTP server on 127.0.0.1 that the real `stripe` SDK talks to through
settings.STRIPE_API_BASE. It implements only what the site calls (customers, Checkout
Sessions, Customer Portal sessions, subscriptions retrieve/cancel), with objects shaped
like Stripe's own (see ../shared/reference/stripe-fixtures3.json). Tests change the state
it returns with the helpers on FakeStripe, and sign webhook payloads with `sign_payload`.

It also serves two tiny browser pages (a "pay" button for a Checkout Session and a
Customer Portal page) so browser tests can walk through a fake Checkout.
"""

import hashlib
import hmac
import html
import itertools
import json
import re
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

API_KEY = "sk_test_fake_backinshape"
WEBHOOK_SECRET = "whsec_test_backinshape"
API_VERSION = "2026-10-28.endive"
DAY = 24 * 60 * 60

_counter = itertools.count(1)


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(4)}{next(_counter):04d}"


def sign_payload(payload: str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header Stripe would send: t=<unix time>,v1=<HMAC-SHA256>.

    https://docs.stripe.com/webhooks#verify-manually: the signed string is
    "{timestamp}.{raw body}", keyed with the endpoint's signing secret.
    """
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = hmac.new(
        secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={signature}"


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


def price_object(price_id: str, *, amount: int = 900, interval: str = "month") -> dict:
    return {
        "id": price_id,
        "object": "price",
        "active": True,
        "billing_scheme": "per_unit",
        "created": 1721948530,
        "currency": "gbp",
        "livemode": False,
        "lookup_key": None,
        "metadata": {},
        "nickname": None,
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
    price: str,
    status: str = "active",
    current_period_start: int | None = None,
    current_period_end: int | None = None,
    cancel_at_period_end: bool = False,
    cancel_at: int | None = None,
    metadata: dict | None = None,
) -> dict:
    """A subscription as API version 2026-10-28 returns it.

    As in the reference fixture, the billing period is on the subscription *items*;
    there is deliberately no top-level current_period_end.
    """
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
                    "price": price_object(price),
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


def invoice_object(*, customer: str, subscription: str, status: str = "paid") -> dict:
    """An invoice as API version 2026-10-28 returns it: the subscription is named under
    parent.subscription_details, not at the top level."""
    now = int(time.time())
    return {
        "id": new_id("in"),
        "object": "invoice",
        "amount_due": 900,
        "amount_paid": 900 if status == "paid" else 0,
        "amount_remaining": 0 if status == "paid" else 900,
        "attempt_count": 1,
        "attempted": True,
        "billing_reason": "subscription_cycle",
        "collection_method": "charge_automatically",
        "created": now,
        "currency": "gbp",
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
        "total": 900,
    }


def checkout_session_object(session_id: str, *, base_url: str, params: dict) -> dict:
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
        "metadata": _nested(params, "metadata"),
        "mode": params.get("mode", "payment"),
        "payment_status": "unpaid",
        "status": "open",
        "subscription": None,
        "success_url": params.get("success_url"),
        "ui_mode": "hosted",
        "url": f"{base_url}/checkout/pay/{session_id}",
    }


def _nested(params: dict, prefix: str) -> dict:
    """Collect form-encoded `prefix[key]=value` pairs into {key: value}."""
    pattern = re.compile(rf"^{re.escape(prefix)}\[([^\]]+)\]$")
    return {m.group(1): v for k, v in params.items() if (m := pattern.match(k))}


class FakeStripe:
    """The fake's state, its HTTP server, and helpers for tests to steer it."""

    def __init__(self, api_key: str = API_KEY):
        self.api_key = api_key
        self._lock = threading.RLock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None
        self.reset()

    # --- lifecycle ------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeStripe":
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        with self._lock:
            self.customers: dict[str, dict] = {}
            self.sessions: dict[str, dict] = {}
            self.portal_sessions: dict[str, dict] = {}
            self.subscriptions: dict[str, dict] = {}
            self.requests: list[dict] = []
            self.fail_with: tuple[int, str] | None = None

    # --- steering from tests --------------------------------------------------------------

    def add_customer(self, *, email: str | None = None, customer_id: str | None = None) -> dict:
        with self._lock:
            customer = customer_object(customer_id or new_id("cus"), email=email)
            self.customers[customer["id"]] = customer
            return customer

    def add_subscription(self, *, customer: str, price: str = "price_monthly", **fields) -> dict:
        with self._lock:
            if customer not in self.customers:
                self.add_customer(customer_id=customer)
            subscription_id = fields.pop("subscription_id", None) or new_id("sub")
            subscription = subscription_object(
                subscription_id, customer=customer, price=price, **fields
            )
            self.subscriptions[subscription_id] = subscription
            return json.loads(json.dumps(subscription))

    def update_subscription(self, subscription_id: str, **changes) -> dict:
        """Change what Stripe says about a subscription, e.g. status="past_due".

        `current_period_end` is set on its items, where the API keeps it now.
        """
        with self._lock:
            subscription = self.subscriptions[subscription_id]
            for key, value in changes.items():
                if key in {"current_period_end", "current_period_start"}:
                    for item in subscription["items"]["data"]:
                        item[key] = value
                else:
                    subscription[key] = value
            return json.loads(json.dumps(subscription))

    def complete_checkout(self, session_id: str, *, status: str = "active") -> dict:
        """What happens when the customer pays: a customer and subscription exist and the
        session is complete. Returns the subscription."""
        with self._lock:
            session = self.sessions[session_id]
            customer_id = session["customer"]
            if not customer_id:
                customer_id = self.add_customer(email=session["customer_email"])["id"]
            params = session["_params"]
            subscription = self.add_subscription(
                customer=customer_id,
                price=params.get("line_items[0][price]", "price_monthly"),
                status=status,
                metadata=_nested(params, "subscription_data[metadata]"),
            )
            session.update(
                customer=customer_id,
                subscription=subscription["id"],
                status="complete",
                payment_status="paid",
            )
            return subscription

    def expire_checkout(self, session_id: str) -> None:
        with self._lock:
            self.sessions[session_id]["status"] = "expired"

    def last_session(self) -> dict:
        with self._lock:
            return list(self.sessions.values())[-1]

    def calls(self, method: str, path_prefix: str) -> list[dict]:
        with self._lock:
            return [
                r
                for r in self.requests
                if r["method"] == method and r["path"].startswith(path_prefix)
            ]

    # --- the API ----------------------------------------------------------------------------

    def handle(self, method: str, path: str, params: dict, headers) -> tuple[int, dict]:
        with self._lock:
            self.requests.append(
                {
                    "method": method,
                    "path": path,
                    "params": params,
                    "stripe_version": headers.get("Stripe-Version"),
                }
            )
            if headers.get("Authorization") != f"Bearer {self.api_key}":
                return 401, _error("Invalid API Key provided.", type_="invalid_request_error")
            if self.fail_with:
                status, message = self.fail_with
                return status, _error(message, type_="api_error")
            for route_method, pattern, action in self._routes():
                match = re.fullmatch(pattern, path)
                if match and route_method == method:
                    return action(params, *match.groups())
            return 404, _error(f"Unrecognized request URL ({method}: {path}).")

    def _routes(self):
        return [
            ("POST", r"/v1/customers", self._customer_create),
            ("GET", r"/v1/customers/([^/]+)", self._customer_retrieve),
            ("POST", r"/v1/checkout/sessions", self._session_create),
            ("GET", r"/v1/checkout/sessions/([^/]+)", self._session_retrieve),
            ("POST", r"/v1/billing_portal/sessions", self._portal_create),
            ("GET", r"/v1/subscriptions/([^/]+)", self._subscription_retrieve),
            ("DELETE", r"/v1/subscriptions/([^/]+)", self._subscription_cancel),
        ]

    def _customer_create(self, params):
        return 200, self.add_customer(email=params.get("email"))

    def _customer_retrieve(self, params, customer_id):
        if customer_id not in self.customers:
            return 404, _missing("customer", customer_id)
        return 200, self.customers[customer_id]

    def _session_create(self, params):
        customer = params.get("customer")
        if customer and customer not in self.customers:
            return 400, _missing("customer", customer, param="customer")
        if not params.get("success_url"):
            return 400, _error("Missing required param: success_url.", param="success_url")
        session_id = new_id("cs_test")
        session = checkout_session_object(session_id, base_url=self.url, params=params)
        self.sessions[session_id] = {**session, "_params": params}
        return 200, session

    def _session_retrieve(self, params, session_id):
        if session_id not in self.sessions:
            return 404, _missing("checkout.session", session_id)
        return 200, _public(self.sessions[session_id])

    def _portal_create(self, params):
        customer = params.get("customer")
        if customer not in self.customers:
            return 400, _missing("customer", customer, param="customer")
        portal_id = new_id("bps")
        portal = {
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
            "url": f"{self.url}/portal/{portal_id}",
        }
        self.portal_sessions[portal_id] = portal
        return 200, portal

    def _subscription_retrieve(self, params, subscription_id):
        if subscription_id not in self.subscriptions:
            return 404, _missing("subscription", subscription_id)
        return 200, self.subscriptions[subscription_id]

    def _subscription_cancel(self, params, subscription_id):
        subscription = self.subscriptions.get(subscription_id)
        if subscription is None:
            return 404, _missing("subscription", subscription_id)
        if subscription["status"] == "canceled":
            return 400, _error("This subscription has already been canceled.")
        now = int(time.time())
        subscription.update(status="canceled", canceled_at=now, ended_at=now)
        return 200, subscription


def _public(obj: dict) -> dict:
    return {k: v for k, v in obj.items() if not k.startswith("_")}


def _error(message: str, *, type_: str = "invalid_request_error", **extra) -> dict:
    return {"error": {"type": type_, "message": message, **extra}}


def _missing(kind: str, object_id, *, param: str = "id") -> dict:
    return _error(f"No such {kind}: '{object_id}'", code="resource_missing", param=param)


def _handler_for(fake: FakeStripe):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):  # keep test output quiet
            pass

        def _params(self) -> dict:
            query = urlsplit(self.path).query
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            return dict(parse_qsl(query, keep_blank_values=True)) | dict(
                parse_qsl(body, keep_blank_values=True)
            )

        def _send(self, status: int, body: str, content_type: str, headers=()) -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", new_id("req"))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _api(self, method: str) -> None:
            path = urlsplit(self.path).path
            params = self._params()
            if path.startswith("/v1/"):
                status, payload = fake.handle(method, path, params, self.headers)
                # Like Stripe, tell the SDK a failure is final so tests don't wait on retries.
                headers = [("Stripe-Should-Retry", "false")] if status >= 500 else []
                self._send(status, json.dumps(payload), "application/json", headers)
            else:
                self._page(method, path)

        def do_GET(self):
            self._api("GET")

        def do_POST(self):
            self._api("POST")

        def do_DELETE(self):
            self._api("DELETE")

        # Browser pages standing in for Stripe-hosted Checkout and the Customer Portal.
        def _page(self, method: str, path: str) -> None:
            if match := re.fullmatch(r"/checkout/pay/([^/]+)", path):
                session = fake.sessions.get(match.group(1))
                if session is None:
                    return self._send(404, "No such checkout", "text/plain")
                if method == "POST":
                    fake.complete_checkout(session["id"])
                    target = session["success_url"].replace("{CHECKOUT_SESSION_ID}", session["id"])
                    return self._send(303, "", "text/plain", [("Location", target)])
                page = (
                    "<!doctype html><title>Fake Stripe Checkout</title>"
                    "<h1>Fake Stripe Checkout</h1>"
                    f'<form method="post"><button type="submit">Pay</button></form>'
                    f'<p><a href="{html.escape(session["cancel_url"] or "")}">Cancel</a></p>'
                )
                return self._send(200, page, "text/html")
            if match := re.fullmatch(r"/portal/([^/]+)", path):
                portal = fake.portal_sessions.get(match.group(1))
                if portal is None:
                    return self._send(404, "No such portal session", "text/plain")
                page = (
                    "<!doctype html><title>Fake Stripe billing</title>"
                    "<h1>Fake Stripe billing portal</h1>"
                    f'<p><a href="{html.escape(portal["return_url"] or "")}">Return</a></p>'
                )
                return self._send(200, page, "text/html")
            return self._send(404, "Not found", "text/plain")

    return Handler
