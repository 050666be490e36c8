"""Joining premium means agreeing to the terms: linked beside every pay button, and asked for
by Stripe Checkout itself (checked against the request the local fake Stripe receives)."""

import re

import pytest

from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

TERMS = "http://testserver/terms/"
CANCELLATION = "http://testserver/cancellation/"


def test_checkout_asks_stripe_to_collect_acceptance_of_the_terms(
    fake_stripe, client, free_member, plans
):
    client.force_login(free_member)
    client.post("/membership/checkout/", {"plan": plans["monthly"].pk})

    [call] = fake_stripe.calls("POST", "/v1/checkout/sessions")
    params = call["params"]
    assert params["consent_collection[terms_of_service]"] == "required"
    message = params["custom_text[terms_of_service_acceptance][message]"]
    assert f"[terms of membership]({TERMS})" in message
    assert f"[cancellation and refunds]({CANCELLATION})" in message


def test_a_returning_customer_is_asked_for_the_terms_too(fake_stripe, client, plans):
    user = UserFactory()
    customer = fake_stripe.add_customer(email=user.email)
    MembershipFactory(user=user, status="canceled", stripe_customer_id=customer["id"])
    client.force_login(user)
    client.post("/membership/checkout/", {"plan": plans["yearly"].pk})

    params = fake_stripe.last_session()["_params"]
    assert params["customer"] == customer["id"]
    assert params["consent_collection[terms_of_service]"] == "required"


def test_each_pay_button_has_the_terms_and_the_cancellation_policy_beside_it(
    fake_stripe, client, free_member, plans
):
    client.force_login(free_member)
    html = client.get("/membership/").text

    forms = re.findall(r'<form method="post" action="/membership/checkout/">.*?</form>', html, re.S)
    assert len(forms) == len(plans)
    for form in forms:
        assert "Join premium" in form
        assert 'href="/terms/">terms of membership</a>' in form
        assert 'href="/cancellation/">cancellation and refunds</a>' in form
        assert "until you cancel" in form


def test_sign_up_links_the_terms_and_the_privacy_notice(visitor):
    html = visitor.get("/accounts/signup/").text
    assert 'href="/terms/">terms of membership</a>' in html
    assert 'href="/privacy/">privacy notice</a>' in html
