"""django-allauth pages in the site design: layout, field and button markup, clear errors."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.e2e

ENTRANCE_PAGES = {
    "sign in": "/accounts/login/",
    "sign up": "/accounts/signup/",
    "password reset": "/accounts/password/reset/",
    "password reset sent": "/accounts/password/reset/done/",
    "sign-in code": "/accounts/login/code/",
    "verification sent": "/accounts/confirm-email/",
}
SIGNED_IN_PAGES = {
    "sign out": "/accounts/logout/",
    "email addresses": "/accounts/email/",
    "change password": "/accounts/password/change/",
}


@pytest.fixture
def csp_errors(page):
    """Console errors from the Content Security Policy: inline styles or scripts would show here."""
    errors = []
    page.on(
        "console",
        lambda message: (
            errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return errors


def sign_in(page, base_url, email, next_url="/accounts/email/"):
    page.goto(f"{base_url}/accounts/login/?next={next_url}")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(next_url) + "$"))


def assert_in_site_design(page):
    expect(page.locator("body > header.site-header")).to_be_visible()
    expect(page.locator("body > footer.site-footer")).to_be_visible()
    expect(page.locator("main#main .auth__panel h1")).to_have_count(1)
    for control in page.locator(".auth__panel button, .auth__panel a.button").all():
        assert re.search(r"\b(button|button-link)\b", control.get_attribute("class") or "")
    for field in page.locator(".auth__panel input:visible").all():
        field_id = field.get_attribute("id")
        assert field_id, "every visible input has an id for its label"
        expect(page.locator(f"label[for='{field_id}']")).to_have_count(1)


@pytest.mark.parametrize("name", ENTRANCE_PAGES)
def test_entrance_page_is_in_the_site_design(live_server, page, csp_errors, name):
    response = page.goto(live_server.url + ENTRANCE_PAGES[name])

    assert response.status == 200
    assert_in_site_design(page)
    assert page.title().endswith("· Back In Shape")
    assert not csp_errors


@pytest.mark.parametrize("name", SIGNED_IN_PAGES)
def test_signed_in_page_is_in_the_site_design(live_server, page, csp_errors, name):
    user = UserFactory(email="reader@example.com")
    sign_in(page, live_server.url, user.email)

    response = page.goto(live_server.url + SIGNED_IN_PAGES[name])

    assert response.status == 200
    assert_in_site_design(page)
    expect(page.get_by_role("navigation", name="Account settings")).to_be_visible()
    assert not csp_errors


def test_email_page_shows_the_address_with_its_badges(live_server, page):
    user = UserFactory(email="reader@example.com")

    sign_in(page, live_server.url, user.email)

    page.goto(live_server.url + "/accounts/email/")
    address = page.locator("p", has_text="reader@example.com")
    expect(address.locator(".badge--success")).to_have_text("Verified")
    # One address is a fact, not a choice: no radio, no "Make primary", no "Remove".
    expect(page.get_by_role("radio")).to_have_count(0)
    expect(page.get_by_role("button", name="Make Primary")).to_have_count(0)


def test_wrong_password_is_explained_and_the_email_is_kept(live_server, page):
    UserFactory(email="reader@example.com")
    page.goto(live_server.url + "/accounts/login/")

    page.get_by_label("Email", exact=True).fill("reader@example.com")
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.locator(".auth__panel .error-summary[role=alert]")).to_contain_text("not correct")
    expect(page.get_by_label("Email", exact=True)).to_have_value("reader@example.com")


def test_signup_errors_sit_next_to_their_fields(live_server, page):
    page.goto(live_server.url + "/accounts/signup/")

    page.get_by_label("Email", exact=True).fill("new.reader@example")
    page.get_by_label("Display name").fill("Sam")
    page.get_by_role("button", name="Create an account").click()

    summary = page.locator(".error-summary[role=alert]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text([re.compile(r"^Email:")])
    email = page.get_by_label("Email", exact=True)
    expect(email).to_have_value("new.reader@example")
    expect(email).to_have_attribute("aria-invalid", "true")
    described_by = email.get_attribute("aria-describedby").split()
    errors = [page.locator(f"[id='{id_}']") for id_ in described_by]
    error_text = " ".join(e.inner_text() for e in errors if e.count())
    assert "valid email" in error_text
    expect(page.locator(".field--error")).to_have_count(1)
    expect(page.get_by_label("Send me the Sunday episode email")).not_to_be_checked()


def test_sign_in_code_request_needs_an_email(live_server, page):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_role("link", name="Send me a sign-in code").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/code/$"))

    page.get_by_role("button", name="Send code").click()

    email = page.get_by_label("Email", exact=True)
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field--error .field__error")).to_have_text("This field is required.")


@pytest.mark.parametrize("width", [390, 1280])
def test_a_member_signs_out_from_the_header(live_server, page, width):
    UserFactory(email="reader@example.com")
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(live_server.url + "/accounts/login/?next=/episodes/")
    page.get_by_label("Email", exact=True).fill("reader@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server.url + "/episodes/")

    page.locator(".account-menu summary").click()
    page.get_by_role("button", name="Sign out").click()

    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    expect(page.locator(".account-menu")).to_have_count(0)
