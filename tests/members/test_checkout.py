"""Joining premium: Checkout, the return from it, and the Customer Portal."""

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from django.core import mail

from members.models import Membership, User
from members.selectors import member_has_premium
from tests.factories import MembershipFactory, UserFactory
from tests.members.fake_stripe import event_payload

pytestmark = pytest.mark.django_db


def _has_premium(user) -> bool:
    return member_has_premium(User.objects.get(pk=user.pk))


def _start_checkout(client, user, plan):
    client.force_login(user)
    return client.post("/membership/checkout/", {"plan": plan.pk})


def test_it_sends_a_new_member_to_stripe_checkout_for_a_subscription(
    fake_stripe, client, free_member, plans
):
    response = _start_checkout(client, free_member, plans["yearly"])

    session = fake_stripe.last_session()
    assert response.status_code == 303
    assert response["Location"] == session["url"]
    params = session["_params"]
    assert params["mode"] == "subscription"
    assert params["line_items[0][price]"] == "price_yearly"
    assert params["client_reference_id"] == str(free_member.pk)
    assert params["customer_email"] == free_member.email
    assert "customer" not in params
    assert params["subscription_data[metadata][user_id]"] == str(free_member.pk)
    assert params["success_url"] == (
        "http://testserver/membership/success/?session_id={CHECKOUT_SESSION_ID}"
    )
    assert params["cancel_url"] == "http://testserver/membership/"


def test_it_reuses_the_members_existing_stripe_customer(fake_stripe, client, plans):
    user = UserFactory()
    customer = fake_stripe.add_customer(email=user.email)
    MembershipFactory(
        user=user,
        stripe_customer_id=customer["id"],
        stripe_subscription_id="sub_old",
        status=Membership.Status.CANCELED,
    )

    response = _start_checkout(client, user, plans["monthly"])

    assert response.status_code == 303
    params = fake_stripe.last_session()["_params"]
    assert params["customer"] == customer["id"]
    assert "customer_email" not in params


def test_it_falls_back_to_the_email_when_the_stored_customer_was_deleted_in_stripe(
    fake_stripe, client, plans
):
    user = UserFactory()
    MembershipFactory(
        user=user,
        stripe_customer_id="cus_deleted",
        stripe_subscription_id=None,
        status="",
    )

    response = _start_checkout(client, user, plans["monthly"])

    assert response.status_code == 303
    params = fake_stripe.last_session()["_params"]
    assert params["customer_email"] == user.email


def test_a_member_who_already_pays_is_not_sent_to_checkout_again(
    fake_stripe, client, subscriber_member, plans
):
    response = _start_checkout(client, subscriber_member, plans["yearly"])

    assert response.status_code == 302
    assert response["Location"] == "/account/"
    assert not fake_stripe.sessions


def test_an_unverified_email_cannot_start_checkout(fake_stripe, client, unverified_member, plans):
    response = _start_checkout(client, unverified_member, plans["monthly"])

    assert response.status_code == 302
    assert response["Location"] == "/membership/"
    assert not fake_stripe.sessions
    page = client.get("/membership/").text
    assert "confirm your email address" in page


def test_a_visitor_is_sent_to_sign_in_before_checkout(fake_stripe, client, plans):
    response = client.post("/membership/checkout/", {"plan": plans["monthly"].pk})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/membership/"
    assert not fake_stripe.sessions


@pytest.mark.parametrize(
    "path", ["/membership/success/?session_id=cs_test_x", "/account/", "/account/delete/"]
)
def test_a_visitor_is_sent_to_sign_in_for_member_pages(fake_stripe, client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?{urlencode({'next': path}, safe='/')}"


def test_a_visitor_is_sent_to_sign_in_before_the_billing_portal(fake_stripe, client):
    response = client.post("/membership/portal/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/account/"


@pytest.mark.parametrize(
    "path", ["/membership/checkout/", "/membership/portal/", "/membership/webhook/"]
)
def test_post_only_endpoints_answer_get_with_405(fake_stripe, client, free_member, path):
    client.force_login(free_member)

    assert client.get(path).status_code == 405


def test_it_refuses_a_plan_that_is_not_on_sale(fake_stripe, client, free_member, plans):
    plans["yearly"].active = False
    plans["yearly"].save()

    response = _start_checkout(client, free_member, plans["yearly"])

    assert response.status_code == 400
    assert "not available any more" in response.text
    assert not fake_stripe.sessions


def test_it_refuses_nonsense_for_a_plan(fake_stripe, client, free_member, plans):
    client.force_login(free_member)

    response = client.post("/membership/checkout/", {"plan": "'; drop table"})

    assert response.status_code == 400
    assert "not available any more" in response.text


def test_a_stripe_failure_at_checkout_is_a_friendly_message_not_a_500(
    fake_stripe, client, free_member, plans
):
    fake_stripe.fail_with = (400, "SECRET-INTERNAL-DETAIL")

    response = _start_checkout(client, free_member, plans["monthly"])

    assert response.status_code == 302
    page = client.get(response["Location"]).text
    assert "We couldn&#x27;t start the checkout just now" in page
    assert "SECRET-INTERNAL-DETAIL" not in page


def test_checkout_without_stripe_keys_says_so(stripe_unconfigured, client, free_member, plans):
    response = _start_checkout(client, free_member, plans["monthly"])

    assert response.status_code == 302
    assert "We couldn&#x27;t start the checkout" in client.get("/membership/").text


def test_the_success_page_before_the_webhook_grants_premium_at_once(
    fake_stripe, client, free_member, plans
):
    _start_checkout(client, free_member, plans["monthly"])
    session = fake_stripe.last_session()
    fake_stripe.complete_checkout(session["id"])

    response = client.get(f"/membership/success/?session_id={session['id']}")

    assert response.status_code == 200
    assert "Welcome to premium" in response.text
    assert 'http-equiv="refresh"' not in response.text
    membership = Membership.objects.get(user=free_member)
    assert membership.status == Membership.Status.ACTIVE
    assert membership.plan == plans["monthly"]
    assert membership.stripe_customer_id == session["customer"]
    assert _has_premium(free_member)


def test_the_welcome_email_goes_out_once_when_success_page_and_webhook_both_sync(
    fake_stripe, client, free_member, plans, post_event, django_capture_on_commit_callbacks
):
    _start_checkout(client, free_member, plans["monthly"])
    session_id = fake_stripe.last_session()["id"]
    subscription = fake_stripe.complete_checkout(session_id)

    with django_capture_on_commit_callbacks(execute=True):
        client.get(f"/membership/success/?session_id={session_id}")
    post_event(event_payload("customer.subscription.created", subscription))
    post_event(event_payload("checkout.session.completed", fake_stripe.last_session()))

    (welcome,) = mail.outbox
    assert welcome.to == [free_member.email]
    assert welcome.subject == "Welcome to Back In Shape premium"
    assert "http://testserver/program/" in welcome.body


def test_a_forged_session_id_grants_nothing(fake_stripe, client, free_member, plans):
    client.force_login(free_member)

    response = client.get("/membership/success/?session_id=cs_test_forged123")

    assert response.status_code == 404
    assert "We couldn't find that checkout" in response.text
    assert not Membership.objects.filter(user=free_member).exists()
    assert not _has_premium(free_member)


@pytest.mark.parametrize("session_id", ["", "../customers/cus_1", "cs_test_x/../../v1/x"])
def test_a_malformed_session_id_never_reaches_stripe(fake_stripe, client, free_member, session_id):
    client.force_login(free_member)

    response = client.get("/membership/success/", {"session_id": session_id})

    assert response.status_code == 404
    assert not fake_stripe.requests


def test_someone_elses_session_grants_nothing(fake_stripe, client, free_member, plans):
    payer = UserFactory(email="payer@example.com")
    _start_checkout(client, payer, plans["monthly"])
    session_id = fake_stripe.last_session()["id"]
    fake_stripe.complete_checkout(session_id)
    client.force_login(free_member)

    response = client.get(f"/membership/success/?session_id={session_id}")

    assert response.status_code == 404
    assert not Membership.objects.filter(user=free_member).exists()
    assert not _has_premium(free_member)
    assert not Membership.objects.filter(user=payer).exists()  # untouched until confirmed


def test_the_success_page_waits_for_stripe_and_refreshes_itself(
    fake_stripe, client, free_member, plans
):
    _start_checkout(client, free_member, plans["monthly"])
    session_id = fake_stripe.last_session()["id"]  # still open: not paid yet

    response = client.get(f"/membership/success/?session_id={session_id}")

    assert response.status_code == 200
    assert "Stripe hasn't confirmed your payment yet" in response.text
    assert '<meta http-equiv="refresh" content="5">' in response.text
    assert not _has_premium(free_member)


def test_an_expired_checkout_says_nothing_was_charged(fake_stripe, client, free_member, plans):
    _start_checkout(client, free_member, plans["monthly"])
    session_id = fake_stripe.last_session()["id"]
    fake_stripe.expire_checkout(session_id)

    response = client.get(f"/membership/success/?session_id={session_id}")

    assert "nothing has been charged" in response.text
    assert 'http-equiv="refresh"' not in response.text


def test_the_success_page_copes_when_stripe_is_down(fake_stripe, client, free_member, plans):
    _start_checkout(client, free_member, plans["monthly"])
    session_id = fake_stripe.last_session()["id"]
    fake_stripe.fail_with = (503, "SECRET-INTERNAL-DETAIL")

    response = client.get(f"/membership/success/?session_id={session_id}")

    assert response.status_code == 200
    assert "We couldn't reach Stripe" in response.text
    assert "SECRET-INTERNAL-DETAIL" not in response.text
    assert 'http-equiv="refresh"' in response.text


def test_manage_billing_opens_the_customer_portal(fake_stripe, client, subscriber_member):
    client.force_login(subscriber_member)

    response = client.post("/membership/portal/")

    (portal,) = fake_stripe.portal_sessions.values()
    assert response.status_code == 303
    assert response["Location"] == portal["url"]
    assert portal["customer"] == Membership.objects.get(user=subscriber_member).stripe_customer_id
    assert portal["return_url"] == "http://testserver/account/"


def test_manage_billing_without_a_stripe_customer_explains(fake_stripe, client, free_member):
    client.force_login(free_member)

    response = client.post("/membership/portal/")

    assert response.status_code == 302
    assert response["Location"] == "/membership/"
    assert not fake_stripe.portal_sessions


def test_manage_billing_when_stripe_fails_is_friendly(fake_stripe, client, subscriber_member):
    client.force_login(subscriber_member)
    fake_stripe.fail_with = (500, "SECRET-INTERNAL-DETAIL")

    response = client.post("/membership/portal/", follow=True)

    assert response.status_code == 200
    assert "We couldn&#x27;t open billing just now" in response.text
    assert "SECRET-INTERNAL-DETAIL" not in response.text


def test_the_fake_checkout_page_returns_to_the_success_url(fake_stripe, client, free_member, plans):
    """The browser-facing half of the fake, used by the end-to-end test."""
    response = _start_checkout(client, free_member, plans["monthly"])
    paid = requests.post(response["Location"], allow_redirects=False, timeout=5)

    location = paid.headers["Location"]
    assert paid.status_code == 303
    assert location.startswith("http://testserver/membership/success/?session_id=cs_test_")
    session_id = parse_qs(urlsplit(location).query)["session_id"][0]
    assert client.get(f"/membership/success/?session_id={session_id}").status_code == 200
    assert _has_premium(free_member)
