"""A small local fake of the Stripe API, for tests only.

A real HTTP server on 127.0.0.1 that the real `stripe` SDK talks to through
settings.STRIPE_API_BASE. It implements only what the site calls (customers, Checkout
Sessions, Customer Portal sessions, subscriptions retrieve/cancel), with objects shaped
like Stripe's own: the shapes are the product's (demostripe/shapes.py), shared with the
demo Stripe that `make run` uses. Tests change the state it returns with the helpers on
FakeStripe, and sign webhook payloads with `sign_payload`.

It also serves two tiny browser pages (a "pay" button for a Checkout Session and a
Customer Portal page) so browser tests can walk through a fake Checkout.
"""

import hashlib
import hmac
import html
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from demostripe.shapes import (
    API_VERSION,
    DAY,
    checkout_session_object,
    customer_object,
    event_payload,
    invoice_object,
    new_id,
    portal_session_object,
    price_object,
    subscription_object,
)
from demostripe.shapes import error_payload as _error
from demostripe.shapes import missing_payload as _missing
from demostripe.shapes import nested_params as _nested

__all__ = [
    "API_KEY",
    "API_VERSION",
    "DAY",
    "WEBHOOK_SECRET",
    "FakeStripe",
    "customer_object",
    "event_payload",
    "invoice_object",
    "new_id",
    "price_object",
    "sign_payload",
    "subscription_object",
]

API_KEY = "sk_test_fake_backinshape"
WEBHOOK_SECRET = "whsec_test_backinshape"


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
        session = checkout_session_object(
            session_id, url=f"{self.url}/checkout/pay/{session_id}", params=params
        )
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
        portal = portal_session_object(
            portal_id, customer=customer, url=f"{self.url}/portal/{portal_id}", params=params
        )
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
