"""Two-step sign-in in a real browser, under the site's Content Security Policy: a passkey
made with Chromium's virtual authenticator (the Chrome DevTools Protocol's WebAuthn
domain) signs in on its own, and a staff member's security key is the admin's second step.
allauth's WebAuthn pages run a static script that reads JSON data blocks; nothing inline."""

import re

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import expect

from tests.factories import PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def webauthn_over_http(settings):
    # The live server is http://localhost: a secure context to the browser, but not https.
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True


@pytest.fixture
def csp_errors(page):
    errors = []
    page.on(
        "console",
        lambda message: (
            errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return errors


@pytest.fixture
def authenticator(page):
    """A platform authenticator with resident keys and user verification, as a phone or a
    laptop with a fingerprint reader has (CDP WebAuthn.addVirtualAuthenticator)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    yield {"cdp": cdp, "id": added["authenticatorId"]}
    cdp.send("WebAuthn.disable")


def _sign_in(page, base_url, email, next_url="/account/"):
    page.goto(f"{base_url}/accounts/login/?next={next_url}")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


def _add_passkey(page, base_url, name, *, passwordless):
    page.goto(f"{base_url}/accounts/2fa/webauthn/add/")
    if "/reauthenticate/" in page.url:  # allauth asks for the password again first
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Add a passkey")).to_be_visible()
    page.get_by_label("Name").fill(name)
    if passwordless:
        page.get_by_label("Also use it to sign in without a password").check()
    page.get_by_role("button", name="Add passkey").click()
    expect(page.locator(".messages")).to_contain_text("Passkey added.")


def _sign_out(page, base_url):
    page.goto(f"{base_url}/account/")
    page.locator(".signout-form").get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in").first).to_be_visible()


def test_a_passkey_is_made_then_signs_in_on_its_own(
    live_server, page, authenticator, webauthn_over_http, csp_errors
):
    member = UserFactory(email="maya@example.com")
    _sign_in(page, live_server.url, member.email)
    expect(page).to_have_url(re.compile(r"/account/$"))

    _add_passkey(page, live_server.url, "My laptop", passwordless=True)

    passkey = Authenticator.objects.get(user=member, type=Authenticator.Type.WEBAUTHN)
    assert passkey.wrap().name == "My laptop"
    assert passkey.wrap().is_passwordless is True
    credentials = authenticator["cdp"].send(
        "WebAuthn.getCredentials", {"authenticatorId": authenticator["id"]}
    )["credentials"]
    assert len(credentials) == 1
    assert credentials[0]["isResidentCredential"] is True

    _sign_out(page, live_server.url)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_role("button", name="Use a passkey").click()

    expect(page).to_have_url(re.compile(r"/account/$"))
    expect(page.get_by_role("heading", name="Your account", exact=True)).to_be_visible()
    expect(page.locator("#two-step-title + p .badge")).to_have_text("On")
    assert not csp_errors


def test_a_staff_security_key_is_the_admins_second_step(
    live_server, page, authenticator, webauthn_over_http, csp_errors, settings
):
    settings.STAFF_REQUIRE_MFA = True
    staff = StaffFactory(email="editor@example.com")
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # No second step yet: the admin sends them to set one up, and says why.
    expect(page).to_have_url(re.compile(r"/accounts/2fa/$"))
    expect(page.locator(".messages")).to_contain_text("Staff sign in to the admin in two steps")

    _add_passkey(page, live_server.url, "Office key", passwordless=False)
    page.goto(live_server.url + "/admin/")
    expect(page.locator("h1")).to_have_text("This Sunday")
    page.get_by_role("button", name="Log out").click()

    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="One more step")).to_be_visible()
    page.get_by_role("button", name="Use a passkey").click()

    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.locator("h1")).to_have_text("This Sunday")
    assert not csp_errors


def test_a_passkey_the_browser_refuses_is_explained_on_the_page(
    live_server, page, authenticator, webauthn_over_http
):
    member = UserFactory(email="maya@example.com")
    _sign_in(page, live_server.url, member.email)
    # The person does not pass the fingerprint or PIN check a passkey needs.
    authenticator["cdp"].send(
        "WebAuthn.setUserVerified",
        {"authenticatorId": authenticator["id"], "isUserVerified": False},
    )
    page.goto(live_server.url + "/accounts/2fa/webauthn/add/")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    page.get_by_label("Also use it to sign in without a password").check()
    page.get_by_role("button", name="Add passkey").click()

    expect(page.get_by_role("alert")).to_contain_text("Your browser didn't make or use a passkey")
    assert not Authenticator.objects.filter(user=member).exists()
