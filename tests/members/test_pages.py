"""The plans page and the member's own account page."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from members.models import Membership, StripeEvent, User
from tests.factories import MembershipFactory, UserFactory
from tests.members.fake_stripe import event_payload

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def _assert_csp_clean(html: str) -> None:
    """The CSP forbids inline scripts and styles; pages must not need them."""
    assert not INLINE_SCRIPT.search(html)
    assert " style=" not in html
    assert "<style" not in html


# --- /membership/ -----------------------------------------------------------------------------


def test_the_plans_page_without_stripe_keys_shows_plans_and_says_payments_are_off(
    stripe_unconfigured, client, free_member, plans
):
    client.force_login(free_member)

    response = client.get("/membership/")

    assert response.status_code == 200
    assert "Monthly" in response.text
    assert "£9" in response.text
    assert "Yearly" in response.text
    assert "£90" in response.text
    assert "Payments aren't set up on this site yet" in response.text
    assert 'action="/membership/checkout/"' not in response.text


def test_a_visitor_is_asked_to_create_an_account_first(stripe_unconfigured, client, plans):
    response = client.get("/membership/")

    assert response.status_code == 200
    assert "Create an account to join" in response.text
    assert 'href="/accounts/signup/?next=/membership/"' in response.text
    assert 'action="/membership/checkout/"' not in response.text
    _assert_csp_clean(response.text)


def test_a_verified_member_gets_a_join_button_for_each_plan(
    fake_stripe, client, free_member, plans
):
    client.force_login(free_member)

    response = client.get("/membership/")

    assert response.text.count('action="/membership/checkout/"') == 2
    assert f'name="plan" value="{plans["monthly"].pk}"' in response.text
    assert f'name="plan" value="{plans["yearly"].pk}"' in response.text
    assert "Join premium" in response.text
    assert "What premium includes" in response.text
    _assert_csp_clean(response.text)


def test_an_unverified_member_is_asked_to_confirm_their_email(
    fake_stripe, client, unverified_member, plans
):
    client.force_login(unverified_member)

    response = client.get("/membership/")

    assert 'action="/membership/checkout/"' not in response.text
    assert 'href="/accounts/email/"' in response.text


def test_a_paying_member_sees_their_status_instead_of_join_buttons(
    fake_stripe, client, subscriber_member, plans
):
    client.force_login(subscriber_member)

    response = client.get("/membership/")

    assert "Your membership" in response.text
    assert "Renews on" in response.text
    assert "Your plan" in response.text
    assert 'action="/membership/checkout/"' not in response.text


def test_inactive_plans_are_not_offered(stripe_unconfigured, client, plans):
    plans["yearly"].active = False
    plans["yearly"].save()

    response = client.get("/membership/")

    assert "Monthly" in response.text
    assert "Yearly" not in response.text


# --- /account/ --------------------------------------------------------------------------------


def test_the_account_page_shows_plan_price_and_renewal_date(fake_stripe, client, subscriber_member):
    membership = Membership.objects.get(user=subscriber_member)
    client.force_login(subscriber_member)

    response = client.get("/account/")

    renews = timezone.localtime(membership.current_period_end)
    assert response.status_code == 200
    assert subscriber_member.email in response.text
    assert "Monthly · £9 a month" in response.text
    assert "Renews on" in response.text
    assert f"{renews:%-d %B %Y}" in response.text
    assert 'action="/membership/portal/"' in response.text
    assert "Manage billing" in response.text
    assert 'href="/accounts/email/"' in response.text
    assert 'href="/accounts/password/change/"' in response.text
    _assert_csp_clean(response.text)


def test_the_account_page_warns_during_the_grace_period_with_the_date_access_stops(
    stripe_unconfigured, client, settings
):
    settings.MEMBERSHIP_GRACE_DAYS = 7
    since = timezone.now() - dt.timedelta(days=2)
    membership = MembershipFactory(status=Membership.Status.PAST_DUE, past_due_since=since)
    client.force_login(membership.user)

    response = client.get("/account/")

    stops = timezone.localtime(since + dt.timedelta(days=7))
    assert "Your last payment didn't go through" in response.text
    assert f"You keep premium until {stops:%-d %B %Y}" in response.text


def test_the_account_page_says_premium_is_paused_after_the_grace_period(
    stripe_unconfigured, client, settings
):
    settings.MEMBERSHIP_GRACE_DAYS = 7
    membership = MembershipFactory(
        status=Membership.Status.PAST_DUE,
        past_due_since=timezone.now() - dt.timedelta(days=8),
    )
    client.force_login(membership.user)

    response = client.get("/account/")

    assert "premium is paused" in response.text


def test_the_account_page_shows_a_complimentary_membership(stripe_unconfigured, client):
    until = timezone.localdate() + dt.timedelta(days=30)
    membership = MembershipFactory(
        status="",
        stripe_customer_id=None,
        stripe_subscription_id=None,
        current_period_end=None,
        complimentary_until=until,
    )
    client.force_login(membership.user)

    response = client.get("/account/")

    assert "Complimentary until" in response.text
    assert f"{until:%-d %B %Y}" in response.text
    assert "Manage billing" not in response.text  # no Stripe customer


def test_the_account_page_hides_manage_billing_from_a_free_member(
    stripe_unconfigured, client, free_member
):
    client.force_login(free_member)

    response = client.get("/account/")

    assert "Manage billing" not in response.text
    assert "See premium plans" in response.text


def test_the_sunday_email_preference_turns_off_and_on(stripe_unconfigured, client, free_member):
    client.force_login(free_member)

    response = client.post("/account/", {})  # an unticked checkbox sends nothing

    assert response.status_code == 302
    assert response["Location"] == "/account/"
    assert User.objects.get(pk=free_member.pk).wants_sunday_email is False
    page = client.get("/account/").text
    assert "We won&#x27;t send you the Sunday email" in page
    assert " checked" not in _sunday_checkbox(page)

    client.post("/account/", {"wants_sunday_email": "on"})

    assert User.objects.get(pk=free_member.pk).wants_sunday_email is True
    assert " checked" in _sunday_checkbox(client.get("/account/").text)


def _sunday_checkbox(html: str) -> str:
    (tag,) = re.findall(r"<input[^>]*name=\"wants_sunday_email\"[^>]*>", html)
    return tag


# --- /account/delete/ -------------------------------------------------------------------------


def test_the_delete_page_explains_the_subscription_is_cancelled_first(
    fake_stripe, client, subscriber_member
):
    client.force_login(subscriber_member)

    response = client.get("/account/delete/")

    assert response.status_code == 200
    assert "is cancelled first, straight away" in response.text
    assert "Delete my account" in response.text
    _assert_csp_clean(response.text)


def test_deleting_needs_the_confirmation_ticked(fake_stripe, client, subscriber_member):
    client.force_login(subscriber_member)

    response = client.post("/account/delete/", {})

    assert response.status_code == 400
    assert "Tick the box to confirm" in response.text
    assert User.objects.filter(pk=subscriber_member.pk).exists()
    assert not fake_stripe.calls("DELETE", "/v1/subscriptions/")


def test_deleting_cancels_the_subscription_at_stripe_and_removes_the_user(
    fake_stripe, client, subscriber_member
):
    subscription_id = Membership.objects.get(user=subscriber_member).stripe_subscription_id
    client.force_login(subscriber_member)

    response = client.post("/account/delete/", {"confirm": "on"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert fake_stripe.subscriptions[subscription_id]["status"] == "canceled"
    assert not User.objects.filter(pk=subscriber_member.pk).exists()
    assert not Membership.objects.filter(stripe_subscription_id=subscription_id).exists()
    assert "_auth_user_id" not in client.session


def test_deleting_keeps_everything_when_stripe_cannot_cancel(
    fake_stripe, client, subscriber_member
):
    client.force_login(subscriber_member)
    fake_stripe.fail_with = (503, "SECRET-INTERNAL-DETAIL")

    response = client.post("/account/delete/", {"confirm": "on"})

    assert response.status_code == 503
    assert "haven&#x27;t deleted anything" in response.text
    assert "SECRET-INTERNAL-DETAIL" not in response.text
    assert User.objects.filter(pk=subscriber_member.pk).exists()


def test_deleting_a_member_whose_subscription_already_ended_needs_no_cancel(fake_stripe, client):
    user = UserFactory()
    customer = fake_stripe.add_customer(email=user.email)
    subscription = fake_stripe.add_subscription(customer=customer["id"], status="canceled")
    MembershipFactory(
        user=user,
        stripe_customer_id=customer["id"],
        stripe_subscription_id=subscription["id"],
        status=Membership.Status.CANCELED,
    )
    client.force_login(user)

    response = client.post("/account/delete/", {"confirm": "on"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not fake_stripe.calls("DELETE", "/v1/subscriptions/")
    assert not User.objects.filter(pk=user.pk).exists()


def test_a_free_member_can_delete_their_account_without_stripe(stripe_unconfigured, client):
    user = UserFactory()
    client.force_login(user)

    response = client.post("/account/delete/", {"confirm": "on"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not User.objects.filter(pk=user.pk).exists()


def test_deleting_an_account_leaves_no_error_behind_when_stripe_reports_the_cancellation(
    fake_stripe, client, subscriber_member, post_event
):
    subscription_id = Membership.objects.get(user=subscriber_member).stripe_subscription_id
    client.force_login(subscriber_member)
    client.post("/account/delete/", {"confirm": "on"})

    response = post_event(
        event_payload("customer.subscription.deleted", fake_stripe.subscriptions[subscription_id])
    )

    assert response.status_code == 200
    event = StripeEvent.objects.get()
    assert event.error == ""
    assert event.processed_at is not None


def test_the_membership_and_account_pages_use_a_handful_of_queries(
    fake_stripe, client, subscriber_member, django_assert_max_num_queries
):
    client.force_login(subscriber_member)

    with django_assert_max_num_queries(6):
        assert client.get("/membership/").status_code == 200
    client.get("/account/")  # the first visit makes the private feed address, once
    with django_assert_max_num_queries(7):  # 6, and the private feed address
        assert client.get("/account/").status_code == 200
