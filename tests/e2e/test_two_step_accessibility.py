"""axe-core finds nothing on the two-step sign-in pages, in the light and the dark scheme."""

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.test_accessibility import format_violations
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.e2e

axe = Axe()

# Pages for someone signed in, before and after they turn on an authenticator app; allauth
# asks for the password again before most of them.
PAGES_OFF = {
    "two-step sign-in, off": "/accounts/2fa/",
    "set up an app": "/accounts/2fa/totp/activate/",
    "add a passkey": "/accounts/2fa/webauthn/add/",
}
PAGES_ON = {
    "two-step sign-in, on": "/accounts/2fa/",
    "recovery codes": "/accounts/2fa/recovery-codes/",
    "new recovery codes": "/accounts/2fa/recovery-codes/generate/",
    "passkeys": "/accounts/2fa/webauthn/",
    "turn the app off": "/accounts/2fa/totp/deactivate/",
}


@pytest.fixture
def browser_context_args(browser_context_args):
    # axe-core is injected as an inline script, which the CSP forbids.
    return {**browser_context_args, "bypass_csp": True}


def _sign_in(page, base_url, email):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


def _open(page, url):
    page.goto(url)
    if "/reauthenticate/" in page.url:
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()


def _assert_no_violations(page, what):
    violations = axe.run(page).response["violations"]
    assert not violations, (
        f"{len(violations)} accessibility violation(s) on {what}:\n{format_violations(violations)}"
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_two_step_pages_have_no_axe_violations(live_server, offline, scheme):
    page = offline
    page.emulate_media(color_scheme=scheme)
    member = UserFactory(email="maya@example.com")
    _sign_in(page, live_server.url, member.email)
    for pages in (PAGES_OFF, PAGES_ON):
        if pages is PAGES_ON:
            TOTP.activate(member, generate_totp_secret())
            RecoveryCodes.activate(member)
        for name, path in pages.items():
            _open(page, live_server.url + path)
            assert page.url.endswith(path), page.url
            _assert_no_violations(page, f"{name} ({scheme})")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_second_step_at_sign_in_has_no_axe_violations(live_server, offline, scheme):
    page = offline
    page.emulate_media(color_scheme=scheme)
    member = UserFactory(email="maya@example.com")
    TOTP.activate(member, generate_totp_secret())

    _sign_in(page, live_server.url, member.email)
    expect(page.get_by_role("heading", name="One more step")).to_be_visible()
    _assert_no_violations(page, f"the second step ({scheme})")

    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator(".field--error")).to_contain_text("That code isn't right")
    _assert_no_violations(page, f"the second step, wrong code ({scheme})")
