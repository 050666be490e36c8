"""Two-step sign-in (allauth.mfa) for anyone signed in: an authenticator app from /account/,
then sign-in asks for its code; recovery codes stand in once each."""

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory
from tests.two_step import authenticator_app_turn_on, password_confirm, totp_code

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"
ACCOUNT_URL = "/account/"
SECOND_STEP_URL = "/accounts/2fa/authenticate/"
WRONG_CODE = "That code isn&#x27;t right. Check it and try again."


@pytest.fixture
def member(db):
    return UserFactory(email="maya@example.com", display_name="Maya")


def _sign_in(client, user):
    return client.post(LOGIN_URL, {"login": user.email, "password": PASSWORD})


def _signed_in(client) -> bool:
    return client.get(ACCOUNT_URL).status_code == 200


def _sign_out(client):
    client.post(reverse("account_logout"))
    assert not _signed_in(client)


def test_the_account_page_offers_two_step_sign_in(client, member):
    client.force_login(member)

    page = client.get(ACCOUNT_URL).content.decode()

    assert '<h2 id="two-step-title">Two-step sign-in</h2>' in page
    assert f'href="{reverse("mfa_index")}">Turn on two-step sign-in</a>' in page


def test_the_two_step_page_offers_an_app_and_a_passkey(client, member):
    client.force_login(member)

    page = client.get(reverse("mfa_index")).content.decode()

    assert '<h1 class="auth__title">Two-step sign-in</h1>' in page
    assert reverse("mfa_activate_totp") in page
    assert reverse("mfa_add_webauthn") in page
    assert 'aria-current="page">Two-step sign-in</a>' in page  # in the account menu


def test_an_authenticator_app_then_guards_every_sign_in(client, member):
    with time_machine.travel("2026-12-06 09:00:00 +0000", tick=False) as clock:
        _sign_in(client, member)
        secret, codes = authenticator_app_turn_on(client, password=PASSWORD)
        assert Authenticator.objects.filter(user=member, type="totp").exists()
        assert len(codes) == 10
        assert '<span class="badge badge--success">On</span>' in client.get(ACCOUNT_URL).text
        _sign_out(client)

        clock.shift(60)  # a new code: the one used to turn the app on is spent
        response = _sign_in(client, member)
        assert response.status_code == 302
        assert response["Location"] == SECOND_STEP_URL
        assert not _signed_in(client)  # the password alone is not enough

        wrong = client.post(SECOND_STEP_URL, {"code": "000000"})
        assert wrong.status_code == 200
        assert WRONG_CODE in wrong.content.decode()
        assert not _signed_in(client)

        right = client.post(SECOND_STEP_URL, {"code": totp_code(secret)})
        assert right.status_code == 302
        assert _signed_in(client)


def test_a_recovery_code_signs_in_once(client, member):
    with time_machine.travel("2026-12-06 09:00:00 +0000", tick=False):
        _sign_in(client, member)
        _, codes = authenticator_app_turn_on(client, password=PASSWORD)
        _sign_out(client)

        _sign_in(client, member)
        assert client.post(SECOND_STEP_URL, {"code": codes[0]}).status_code == 302
        assert _signed_in(client)
        _sign_out(client)

        _sign_in(client, member)
        again = client.post(SECOND_STEP_URL, {"code": codes[0]})
        assert WRONG_CODE in again.content.decode()
        assert not _signed_in(client)
        assert client.post(SECOND_STEP_URL, {"code": codes[1]}).status_code == 302
        assert _signed_in(client)


def test_a_wrong_code_when_turning_the_app_on_says_so_and_keeps_it_off(client, member):
    _sign_in(client, member)
    password_confirm(client, password=PASSWORD)

    response = client.post(reverse("mfa_activate_totp"), {"code": "123456"})

    assert response.status_code == 200
    assert WRONG_CODE in response.content.decode()
    assert not Authenticator.objects.filter(user=member).exists()


def test_the_setup_page_shows_the_qr_code_and_the_key_without_inline_script(client, member):
    _sign_in(client, member)
    password_confirm(client, password=PASSWORD)

    page = client.get(reverse("mfa_activate_totp")).content.decode()

    assert 'class="qr" src="data:image/svg+xml;base64,' in page
    assert 'id="authenticator_secret"' in page
    assert "<script>" not in page
    assert "style=" not in page
