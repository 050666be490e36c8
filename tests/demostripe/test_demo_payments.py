"""Demo payments (DEBUG on, no Stripe key): joining, cancelling, switching plan and a failed
renewal go through the demo Stripe's pages and reach the membership the way real Stripe
events do: the webhook service records each event and the sync re-fetches the
subscription through the StripeClient."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from demostripe.models import DemoStripeObject
from members.models import Membership, StripeEvent
from members.selectors import member_has_premium
from members.stripe_client import stripe_client
from tests.factories import UserFactory, monthly_and_yearly_plans

DEMO_NOTICE = "Demo payments: no real money moves."


@pytest.fixture
def demo_payments(settings):
    """As under `make run`: DEBUG on and no Stripe keys at all."""
    settings.DEBUG = True
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""
    settings.STRIPE_API_BASE = ""
    settings.SITE_URL = "http://testserver"


@pytest.fixture
def plans(db):
    return monthly_and_yearly_plans()


@pytest.fixture
def joiner(db, client):
    user = UserFactory(email="jo.joiner@example.com", display_name="Jo")
    client.force_login(user)
    return user


def _path(url: str) -> str:
    return re.sub(r"^http://testserver", "", url)


def _checkout(client, plan) -> str:
    """Press "Join premium" for a plan; returns the demo checkout page's path."""
    response = client.post("/membership/checkout/", {"plan": plan.pk})
    assert response.status_code == 303, response.content[:500]
    assert response["Location"].startswith("http://testserver/demo-stripe/checkout/cs_test_")
    return _path(response["Location"])


def _pay(client, checkout_path, capture) -> str:
    with capture(execute=True):
        response = client.post(checkout_path)
    assert response.status_code == 303
    return _path(response["Location"])


@pytest.fixture
def joined(demo_payments, plans, joiner, client, django_capture_on_commit_callbacks):
    """The joiner has paid for the monthly plan at the demo checkout."""
    _pay(client, _checkout(client, plans["monthly"]), django_capture_on_commit_callbacks)
    return Membership.objects.get(user=joiner)


def _portal_action(client, capture, **data):
    response = client.post("/membership/portal/")
    assert response.status_code == 303
    portal_path = _path(response["Location"])
    assert portal_path.startswith("/demo-stripe/portal/bps_")
    with capture(execute=True):
        response = client.post(portal_path, data)
    assert response.status_code == 303
    return portal_path


def test_the_plans_page_offers_to_join_in_demo_mode(demo_payments, plans, joiner, client):
    content = client.get("/membership/").content.decode()

    assert DEMO_NOTICE in content
    assert "Payments aren't set up" not in content
    assert content.count('>Join premium<span class="visually-hidden">') == 2


def test_without_demo_mode_the_plans_page_says_payments_are_not_set_up(
    settings, plans, joiner, client
):
    settings.DEBUG = False
    settings.STRIPE_SECRET_KEY = ""

    content = client.get("/membership/").content.decode()

    assert "Payments aren't set up" in content
    assert DEMO_NOTICE not in content


def test_demo_checkout_page_says_it_is_a_demo_and_what_is_bought(
    demo_payments, plans, joiner, client
):
    response = client.get(_checkout(client, plans["yearly"]))

    content = response.content.decode()
    assert response.status_code == 200
    assert DEMO_NOTICE in content
    assert "Yearly" in content
    assert "Pay £90 a year (demo)" in content
    assert joiner.email in content


def test_paying_at_the_demo_checkout_activates_the_membership_through_webhook_events(
    demo_payments, plans, joiner, client, django_capture_on_commit_callbacks
):
    checkout_path = _checkout(client, plans["monthly"])

    success_path = _pay(client, checkout_path, django_capture_on_commit_callbacks)

    # Before the member is even back on the site, the events have done the work.
    events = StripeEvent.objects.order_by("received_at", "pk")
    assert [e.type for e in events] == [
        "customer.subscription.created",
        "invoice.paid",
        "checkout.session.completed",
    ]
    assert all(e.processed_at and not e.error for e in events)
    membership = Membership.objects.get(user=joiner)
    assert membership.status == Membership.Status.ACTIVE
    assert membership.plan == plans["monthly"]
    assert membership.stripe_subscription_id.startswith("sub_")
    assert membership.stripe_customer_id.startswith("cus_")
    assert membership.current_period_end > timezone.now() + dt.timedelta(days=27)
    assert success_path.startswith("/membership/success/?session_id=cs_test_")


def test_the_success_page_confirms_a_demo_payment_and_says_it_is_a_demo(
    demo_payments, plans, joiner, client, django_capture_on_commit_callbacks
):
    success_path = _pay(
        client, _checkout(client, plans["monthly"]), django_capture_on_commit_callbacks
    )

    content = client.get(success_path).content.decode()

    assert "Welcome to premium" in content
    assert DEMO_NOTICE in content
    assert [m.subject for m in mail.outbox] == ["Welcome to Back In Shape premium"]


def test_the_sync_reads_the_demo_subscription_through_the_stripe_client(joined):
    subscription = stripe_client().v1.subscriptions.retrieve(joined.stripe_subscription_id)

    assert subscription.status == "active"
    assert subscription["items"]["data"][0]["price"]["id"] == "price_monthly"
    assert subscription["items"]["data"][0]["current_period_end"] == int(
        joined.current_period_end.timestamp()
    )


def test_cancelling_in_the_demo_portal_cancels_at_the_period_end(
    joined, client, django_capture_on_commit_callbacks
):
    _portal_action(client, django_capture_on_commit_callbacks, action="cancel")

    joined.refresh_from_db()
    assert joined.status == Membership.Status.ACTIVE
    assert joined.cancel_at_period_end is True
    assert joined.cancel_at == joined.current_period_end
    account = client.get("/account/").content.decode()
    assert "Cancelling" in account
    assert "Ends on" in account
    assert DEMO_NOTICE in account


def test_keeping_a_cancelled_subscription_in_the_demo_portal_renews_it_again(
    joined, client, django_capture_on_commit_callbacks
):
    _portal_action(client, django_capture_on_commit_callbacks, action="cancel")
    _portal_action(client, django_capture_on_commit_callbacks, action="keep")

    joined.refresh_from_db()
    assert joined.cancel_at_period_end is False
    assert joined.cancel_at is None


def test_the_end_of_a_cancelled_period_ends_the_membership(
    joined, client, django_capture_on_commit_callbacks
):
    _portal_action(client, django_capture_on_commit_callbacks, action="cancel")
    mail.outbox.clear()

    _portal_action(client, django_capture_on_commit_callbacks, action="period-end")

    joined.refresh_from_db()
    assert joined.status == Membership.Status.CANCELED
    assert not member_has_premium(joined.user)
    assert [m.subject for m in mail.outbox] == ["Your Back In Shape premium membership has ended"]


def test_switching_to_yearly_in_the_demo_portal_changes_the_plan_and_period(
    joined, plans, client, django_capture_on_commit_callbacks
):
    _portal_action(
        client, django_capture_on_commit_callbacks, action="switch", price="price_yearly"
    )

    joined.refresh_from_db()
    assert joined.plan == plans["yearly"]
    assert joined.stripe_price_id == "price_yearly"
    assert joined.current_period_end > timezone.now() + dt.timedelta(days=360)
    assert "Yearly · £90 a year" in client.get("/account/").content.decode()


def test_a_failed_demo_payment_makes_the_membership_past_due_with_grace(
    joined, client, django_capture_on_commit_callbacks
):
    mail.outbox.clear()

    _portal_action(client, django_capture_on_commit_callbacks, action="fail")

    joined.refresh_from_db()
    assert joined.status == Membership.Status.PAST_DUE
    assert joined.past_due_since is not None
    assert member_has_premium(joined.user)  # within the grace period
    account = client.get("/account/").content.decode()
    assert "Your last payment didn't go through." in account
    assert "You keep premium until" in account
    assert [m.subject for m in mail.outbox] == ["Your Back In Shape payment didn't go through"]


def test_paying_after_a_failed_demo_payment_makes_the_membership_active_again(
    joined, client, django_capture_on_commit_callbacks
):
    _portal_action(client, django_capture_on_commit_callbacks, action="fail")
    _portal_action(client, django_capture_on_commit_callbacks, action="pay")

    joined.refresh_from_db()
    assert joined.status == Membership.Status.ACTIVE
    assert joined.past_due_since is None


def test_deleting_the_account_cancels_the_demo_subscription(
    joined, client, django_capture_on_commit_callbacks
):
    subscription_id = joined.stripe_subscription_id

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/delete/", {"confirm": "on"})

    assert response.status_code == 302, response.content[:300]
    subscription = DemoStripeObject.objects.get(id=subscription_id).data
    assert subscription["status"] == "canceled"


def test_the_demo_pages_are_not_found_with_a_stripe_key(joined, settings, client):
    checkout = DemoStripeObject.objects.filter(object="checkout.session").get()
    settings.STRIPE_SECRET_KEY = "sk_test_a_real_account"

    assert client.get(f"/demo-stripe/checkout/{checkout.id}/").status_code == 404
    assert client.post(f"/demo-stripe/checkout/{checkout.id}/").status_code == 404


def test_the_demo_pages_are_not_found_with_debug_off(joined, settings, client):
    checkout = DemoStripeObject.objects.filter(object="checkout.session").get()
    settings.DEBUG = False

    assert client.get(f"/demo-stripe/checkout/{checkout.id}/").status_code == 404


def test_with_a_stripe_key_checkout_goes_to_stripe_not_the_demo(
    demo_payments, plans, joiner, settings, client
):
    settings.STRIPE_SECRET_KEY = "sk_test_a_real_account"
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing answers: "Stripe" is down

    response = client.post("/membership/checkout/", {"plan": plans["monthly"].pk})

    assert response.status_code == 302
    assert response["Location"] == "/membership/"
    assert not DemoStripeObject.objects.exists()
