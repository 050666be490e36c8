"""The demo Stripe's two hosted pages: Checkout (pay with no card) and the Customer Portal
(cancel, switch plan, and try a failed renewal). Both are 404 unless demo payments are on.

Like Stripe's own pages they are reached through a session's unguessable URL, made for
one member by the site's server, and send the member back to the site when done.
"""

import datetime as dt
import functools

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import registry, services
from .api import demo_payments_active
from .store import NoSuchObject, object_get, subscriptions_of

_SYMBOLS = {"gbp": "£", "usd": "$", "eur": "€"}


def demo_only(view):
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not demo_payments_active():
            raise Http404("There are no demo payments on this site.")
        return view(request, *args, **kwargs)

    return wrapped


def price_words(price: dict) -> str:
    """ "£9 a month", as the site's plans say it."""
    major, minor = divmod(price["unit_amount"], 100)
    amount = f"{major}" if minor == 0 else f"{major}.{minor:02d}"
    symbol = _SYMBOLS.get(price["currency"].lower())
    money = f"{symbol}{amount}" if symbol else f"{amount} {price['currency'].upper()}"
    return f"{money} a {price['recurring']['interval']}"


def _see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _object_or_404(object_id: str, kind: str):
    try:
        return object_get(object_id, kind=kind)
    except NoSuchObject:
        raise Http404(f"No such {kind}.") from None


@require_http_methods(["GET", "HEAD", "POST"])
@demo_only
@never_cache
def checkout(request, session_id: str):
    row = _object_or_404(session_id, "checkout.session")
    session = row.data
    if request.method == "POST" and session["status"] == "open":
        try:
            session = services.demo_checkout_session_pay(session_id=session_id)
        except services.DemoStripeRefusal as exc:
            messages.error(request, str(exc))
            return redirect("demostripe:checkout", session_id)
        return _see_other(session["success_url"].replace("{CHECKOUT_SESSION_ID}", session["id"]))
    price = registry.price_find(row.params.get("line_items[0][price]", ""))
    return render(
        request,
        "demostripe/checkout.html",
        {
            "session": session,
            "price": price,
            "price_words": price_words(price) if price else "",
            "email": session.get("customer_email") or _customer_email(session.get("customer")),
            "success_url": session["success_url"].replace("{CHECKOUT_SESSION_ID}", session["id"]),
        },
    )


def _when(timestamp: int | None) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(timestamp, tz=dt.UTC) if timestamp else None


def _customer_email(customer_id: str | None) -> str:
    if not customer_id:
        return ""
    try:
        return object_get(customer_id, kind="customer").data.get("email") or ""
    except NoSuchObject:
        return ""


_PORTAL_ACTIONS = {
    "cancel": (
        services.demo_subscription_cancel,
        "Your subscription will end at the end of this period. You keep everything until then.",
    ),
    "keep": (services.demo_subscription_keep, "Your subscription carries on. Nothing changes."),
    "fail": (
        services.demo_payment_fail,
        "The renewal payment failed (demo). Stripe would retry it over the next few days.",
    ),
    "pay": (services.demo_payment_retry, "Paid. Your subscription is active again."),
    "period-end": (services.demo_period_end, "Moved on to the end of the billing period."),
}


@require_http_methods(["GET", "HEAD", "POST"])
@demo_only
@never_cache
def portal(request, portal_id: str):
    portal_session = _object_or_404(portal_id, "billing_portal.session").data
    subscriptions = subscriptions_of(portal_session["customer"])
    subscription = next(
        (s.data for s in subscriptions if s.data["status"] != "canceled"),
        subscriptions[0].data if subscriptions else None,
    )
    if request.method == "POST":
        if subscription is None:
            raise Http404("There is no subscription to change.")
        action = request.POST.get("action", "")
        try:
            if action == "switch":
                services.demo_subscription_price_switch(
                    subscription_id=subscription["id"], price_id=request.POST.get("price", "")
                )
                messages.success(request, "Done: your plan has changed.")
            elif action in _PORTAL_ACTIONS:
                change, said = _PORTAL_ACTIONS[action]
                change(subscription_id=subscription["id"])
                messages.success(request, said)
            else:
                messages.error(request, "Please choose one of the buttons.")
        except services.DemoStripeRefusal as exc:
            messages.error(request, str(exc))
        return _see_other(request.path)

    price = subscription["items"]["data"][0]["price"] if subscription else None
    other_prices = [
        {"id": p["id"], "name": p["nickname"] or p["id"], "words": price_words(p)}
        for p in registry.prices()
        if price and p["active"] and p["id"] != price["id"]
    ]
    item = subscription["items"]["data"][0] if subscription else {}
    return render(
        request,
        "demostripe/portal.html",
        {
            "portal": portal_session,
            "email": _customer_email(portal_session["customer"]),
            "subscription": subscription,
            "price": price,
            "price_words": price_words(price) if price else "",
            "period_end": _when(item.get("current_period_end")),
            "ended_at": _when(subscription.get("ended_at")) if subscription else None,
            "other_prices": other_prices,
        },
    )
