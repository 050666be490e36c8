"""What happens at "Stripe" when someone pays, cancels, switches plan or a renewal fails.

Each change is made to the stored objects, then the events Stripe would send about it go
to the registered webhook endpoints once the change is committed
(https://docs.stripe.com/billing/subscriptions/webhooks): the site learns of it the same
way as from real Stripe, and re-fetches the subscription to see what changed.
"""

import calendar
import datetime as dt
import logging
import time
from functools import partial

from django.db import transaction

from . import registry
from .shapes import customer_object, event_payload, invoice_object, new_id, subscription_object
from .shapes import nested_params as _nested
from .store import object_create, object_get, object_save

logger = logging.getLogger(__name__)


class DemoStripeRefusal(Exception):
    """A change Stripe would refuse (the message says why); nothing was changed."""


def _period_end(start: int, interval: str) -> int:
    """One billing interval after `start`, on the calendar as Stripe bills (a month from
    31 January ends on the last day of February)."""
    begin = dt.datetime.fromtimestamp(start, tz=dt.UTC)
    if interval == "day":
        return int((begin + dt.timedelta(days=1)).timestamp())
    if interval == "week":
        return int((begin + dt.timedelta(weeks=1)).timestamp())
    months = 12 if interval == "year" else 1
    year, month = divmod(begin.month - 1 + months, 12)
    year, month = begin.year + year, month + 1
    day = min(begin.day, calendar.monthrange(year, month)[1])
    return int(begin.replace(year=year, month=month, day=day).timestamp())


def _events_send(*events: tuple[str, dict]) -> None:
    """After the change commits, hand each event to every endpoint, in order."""
    for event_type, obj in events:
        event = event_payload(event_type, obj)
        for endpoint in registry.webhook_endpoints():
            transaction.on_commit(partial(_deliver, endpoint, event))


def _deliver(endpoint, event: dict) -> None:
    # As with Stripe, a delivery that fails does not undo the change at "Stripe".
    try:
        endpoint(event)
    except Exception:
        logger.exception("Demo Stripe could not deliver %s (%s)", event["id"], event["type"])


def _item(subscription: dict) -> dict:
    return subscription["items"]["data"][0]


def _price_of(subscription: dict) -> dict:
    return _item(subscription)["price"]


def _invoice(subscription: dict, *, status: str, reason: str) -> dict:
    price = _price_of(subscription)
    return invoice_object(
        customer=subscription["customer"],
        subscription=subscription["id"],
        status=status,
        amount=price["unit_amount"],
        currency=price["currency"],
        billing_reason=reason,
    )


def _new_period(subscription: dict, *, start: int) -> None:
    item = _item(subscription)
    item["current_period_start"] = start
    interval = _price_of(subscription)["recurring"]["interval"]
    item["current_period_end"] = _period_end(start, interval)
    subscription["billing_cycle_anchor"] = start


@transaction.atomic
def demo_checkout_session_pay(*, session_id: str) -> dict:
    """The customer pays at Checkout: a customer (if new), an active subscription for the
    session's price, the session complete. Returns the session."""
    row = object_get(session_id, kind="checkout.session", for_update=True)
    session = row.data
    if session["status"] != "open":
        raise DemoStripeRefusal("This checkout is no longer open.")
    params = row.params
    price = registry.price_find(params.get("line_items[0][price]", ""))
    if price is None:
        raise DemoStripeRefusal("The price of this checkout no longer exists.")
    customer_id = session.get("customer")
    if not customer_id:
        customer = customer_object(new_id("cus"), email=session.get("customer_email"))
        object_create(customer)
        customer_id = customer["id"]
    now = int(time.time())
    subscription = subscription_object(
        new_id("sub"),
        customer=customer_id,
        price=price,
        current_period_start=now,
        current_period_end=_period_end(now, price["recurring"]["interval"]),
        metadata=_nested(params, "subscription_data[metadata]"),
    )
    invoice = _invoice(subscription, status="paid", reason="subscription_create")
    subscription["latest_invoice"] = invoice["id"]
    object_create(subscription)
    session.update(
        customer=customer_id,
        subscription=subscription["id"],
        status="complete",
        payment_status="paid",
        invoice=invoice["id"],
        amount_subtotal=price["unit_amount"],
        amount_total=price["unit_amount"],
    )
    object_save(row)
    _events_send(
        ("customer.subscription.created", subscription),
        ("invoice.paid", invoice),
        ("checkout.session.completed", session),
    )
    return session


def _subscription_for_update(subscription_id: str):
    row = object_get(subscription_id, kind="subscription", for_update=True)
    if row.data["status"] == "canceled":
        raise DemoStripeRefusal("This subscription has already been cancelled.")
    return row


@transaction.atomic
def demo_subscription_cancel(*, subscription_id: str) -> dict:
    """Cancel at the end of the period, as the Customer Portal does: the member keeps
    premium until then."""
    row = _subscription_for_update(subscription_id)
    subscription = row.data
    subscription.update(
        cancel_at_period_end=True,
        cancel_at=_item(subscription)["current_period_end"],
        canceled_at=int(time.time()),
        cancellation_details={
            "comment": None,
            "feedback": None,
            "reason": "cancellation_requested",
        },
    )
    object_save(row)
    _events_send(("customer.subscription.updated", subscription))
    return subscription


@transaction.atomic
def demo_subscription_keep(*, subscription_id: str) -> dict:
    """Undo a cancellation that has not happened yet ("Don't cancel" in the portal)."""
    row = _subscription_for_update(subscription_id)
    subscription = row.data
    subscription.update(
        cancel_at_period_end=False,
        cancel_at=None,
        canceled_at=None,
        cancellation_details={"comment": None, "feedback": None, "reason": None},
    )
    object_save(row)
    _events_send(("customer.subscription.updated", subscription))
    return subscription


@transaction.atomic
def demo_subscription_price_switch(*, subscription_id: str, price_id: str) -> dict:
    """Move to another price. A change of interval (monthly to yearly) starts a new
    period now and is paid at once; the same interval keeps the period."""
    row = _subscription_for_update(subscription_id)
    subscription = row.data
    price = registry.price_find(price_id)
    if price is None or not price["active"]:
        raise DemoStripeRefusal("That plan is not on offer.")
    old_interval = _price_of(subscription)["recurring"]["interval"]
    _item(subscription)["price"] = price
    events = [("customer.subscription.updated", subscription)]
    if price["recurring"]["interval"] != old_interval:
        _new_period(subscription, start=int(time.time()))
        invoice = _invoice(subscription, status="paid", reason="subscription_update")
        subscription["latest_invoice"] = invoice["id"]
        events.append(("invoice.paid", invoice))
    object_save(row)
    _events_send(*events)
    return subscription


@transaction.atomic
def demo_payment_fail(*, subscription_id: str) -> dict:
    """The renewal is charged and the card declines: Stripe marks the subscription past_due
    and retries over the next days (Smart Retries)."""
    row = _subscription_for_update(subscription_id)
    subscription = row.data
    if subscription["status"] == "past_due":
        raise DemoStripeRefusal("The last payment has already failed.")
    _new_period(subscription, start=int(time.time()))
    invoice = _invoice(subscription, status="open", reason="subscription_cycle")
    subscription.update(status="past_due", latest_invoice=invoice["id"])
    object_save(row)
    _events_send(
        ("invoice.payment_failed", invoice), ("customer.subscription.updated", subscription)
    )
    return subscription


@transaction.atomic
def demo_payment_retry(*, subscription_id: str) -> dict:
    """The member updates their card and the open invoice is paid: active again."""
    row = _subscription_for_update(subscription_id)
    subscription = row.data
    if subscription["status"] != "past_due":
        raise DemoStripeRefusal("There is no failed payment to pay.")
    invoice = _invoice(subscription, status="paid", reason="subscription_cycle")
    subscription.update(status="active", latest_invoice=invoice["id"])
    object_save(row)
    _events_send(("invoice.paid", invoice), ("customer.subscription.updated", subscription))
    return subscription


@transaction.atomic
def demo_period_end(*, subscription_id: str) -> dict:
    """Skip to the end of the billing period: a subscription set to cancel (or whose
    payment still fails after the last retry) ends; any other renews and is paid."""
    row = _subscription_for_update(subscription_id)
    subscription = row.data
    if subscription["cancel_at_period_end"] or subscription["status"] == "past_due":
        now = int(time.time())
        subscription.update(status="canceled", ended_at=now, canceled_at=now)
        object_save(row)
        _events_send(("customer.subscription.deleted", subscription))
        return subscription
    _new_period(subscription, start=_item(subscription)["current_period_end"])
    invoice = _invoice(subscription, status="paid", reason="subscription_cycle")
    subscription["latest_invoice"] = invoice["id"]
    object_save(row)
    _events_send(("invoice.paid", invoice), ("customer.subscription.updated", subscription))
    return subscription


def demo_subscription_cancel_now(*, subscription_id: str) -> dict:
    """Cancel at once (the API's DELETE, as deleting an account does)."""
    row = _subscription_for_update(subscription_id)
    subscription = row.data
    now = int(time.time())
    subscription.update(status="canceled", ended_at=now, canceled_at=now)
    object_save(row)
    _events_send(("customer.subscription.deleted", subscription))
    return subscription
