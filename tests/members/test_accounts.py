"""Signing up, signing in and out: where people land, and what is never switched on for them."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from members.models import User

pytestmark = pytest.mark.django_db

SIGNUP_URL = "/accounts/signup/"
LOGIN_URL = "/accounts/login/"


@pytest.fixture
def known_password(settings):
    def set_for(user):
        user.set_password("a-long-and-unusual-phrase")
        user.save()
        return {"login": user.email, "password": "a-long-and-unusual-phrase"}

    return set_for


def test_a_premium_member_without_next_lands_on_the_program(client, premium_member, known_password):
    response = client.post(LOGIN_URL, known_password(premium_member))
    assert response.status_code == 302
    assert response["Location"] == "/program/"


def test_a_free_member_without_next_lands_on_their_account(client, free_member, known_password):
    response = client.post(LOGIN_URL, known_password(free_member))
    assert response.status_code == 302
    assert response["Location"] == "/account/"


def test_sign_in_returns_people_where_they_were_going(client, premium_member, known_password):
    data = {**known_password(premium_member), "next": "/episodes/"}
    response = client.post(LOGIN_URL, data)
    assert response.status_code == 302
    assert response["Location"] == "/episodes/"


def test_sign_up_needs_only_an_email(client):
    response = client.post(SIGNUP_URL, {"email": "new.reader@example.com"})
    assert response.status_code == 302
    user = User.objects.get(email="new.reader@example.com")
    assert not user.has_usable_password()
    assert EmailAddress.objects.filter(user=user, verified=False).count() == 1


def test_the_sunday_email_is_offered_unticked_at_sign_up(client):
    html = client.get(SIGNUP_URL).text
    (tag,) = re.findall(r"<input[^>]*name=\"wants_sunday_email\"[^>]*>", html)
    assert "checked" not in tag
    assert "Send me the Sunday episode email" in html


def test_a_new_member_who_does_not_tick_it_gets_no_sunday_email(client):
    client.post(SIGNUP_URL, {"email": "quiet@example.com"})
    assert User.objects.get(email="quiet@example.com").wants_sunday_email is False


def test_a_new_member_who_ticks_it_gets_the_sunday_email(client):
    client.post(SIGNUP_URL, {"email": "keen@example.com", "wants_sunday_email": "on"})
    assert User.objects.get(email="keen@example.com").wants_sunday_email is True


def test_the_header_offers_sign_out_as_a_post_form(client, free_member):
    client.force_login(free_member)
    html = client.get("/episodes/").text
    menu = html[html.index('class="account-menu"') :]
    menu = menu[: menu.index("</details>")]
    assert '<form method="post" action="/accounts/logout/">' in menu
    assert 'name="csrfmiddlewaretoken"' in menu
    assert ">Sign out</button>" in menu


def test_a_premium_member_is_not_pitched_premium_in_the_header(client, premium_member):
    client.force_login(premium_member)
    html = client.get("/episodes/").text
    header = html[: html.index("</header>")]
    assert "Join premium" not in header


def test_a_free_member_keeps_a_way_to_join(client, free_member):
    client.force_login(free_member)
    header = client.get("/episodes/").text.split("</header>")[0]
    assert 'href="/membership/">Join premium' in header


def test_signing_out_from_the_account_page_ends_the_session(client, free_member):
    client.force_login(free_member)
    assert ">Sign out</button>" in client.get("/account/").text
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_allauth_emails_speak_in_the_brands_voice(client, free_member, settings):
    client.post("/accounts/password/reset/", {"email": free_member.email})
    (message,) = mail.outbox
    assert "Hello from" not in message.body
    assert "127.0.0.1" not in message.body.split("http")[0]
    assert "The Back In Shape team" in message.body


def test_a_single_verified_address_is_shown_without_make_primary_or_remove(client, free_member):
    client.force_login(free_member)
    page = client.get("/accounts/email/").text
    assert free_member.email in page
    assert "action_primary" not in page
    assert "action_remove" not in page


def test_with_two_addresses_the_member_can_choose_the_primary_one(client, free_member):
    EmailAddress.objects.create(user=free_member, email="second@example.com", verified=True)
    client.force_login(free_member)
    page = client.get("/accounts/email/").text
    assert "action_primary" in page
    assert "second@example.com" in page
