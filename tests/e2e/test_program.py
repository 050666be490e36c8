"""A premium member starts Phase One through the red-flag screen and logs a session."""

import re

import pytest
from playwright.sync_api import expect

from programs.demo import program_load_demo
from programs.models import SessionLog
from tests.factories import PASSWORD, MembershipFactory, UserFactory, site_page

pytestmark = pytest.mark.e2e

EMAIL = "sam.stretch@example.com"


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
def premium(db):
    program_load_demo()
    site_page("privacy")  # the consent on the start page names its version
    return MembershipFactory(user=UserFactory(email=EMAIL)).user


def sign_in(page, base_url):
    page.goto(f"{base_url}/accounts/login/?next=/program/")
    page.get_by_label("Email", exact=True).fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/program/$"))


CONSENT_LABEL = "I agree to Back In Shape keeping my Program data about my back"


def answer_every_question(page, answer: str):
    questions = page.locator(".red-flag-form fieldset")
    for i in range(questions.count()):
        questions.nth(i).get_by_label(answer, exact=True).check()


def test_member_starts_phase_one_and_logs_a_session(live_server, page, premium, csp_errors):
    sign_in(page, live_server.url)
    page.get_by_role("link", name="Start Phase One").click()
    expect(page.get_by_role("heading", name="Before you start Phase One")).to_be_visible()
    answer_every_question(page, "No")
    page.get_by_label(CONSENT_LABEL).check()
    page.get_by_role("button", name="Start Phase One").click()

    expect(page.get_by_text("Phase One is open.")).to_be_visible()
    expect(page.locator(".next-routine h2")).to_have_text("First bridges")
    page.get_by_role("link", name="Log today's session").click()

    form = page.locator("#log form")
    form.get_by_label("Yes, as prescribed").check()
    form.get_by_role("group", name="Pain before you started").get_by_label("2", exact=True).check()
    form.get_by_role("group", name="Worst pain during the session").get_by_label(
        "3", exact=True
    ).check()
    form.get_by_role("group", name="How hard did it feel?").get_by_label("4", exact=True).check()
    form.get_by_label(re.compile("Anything to remember")).fill("Bridges felt steady.")
    form.get_by_role("button", name="Log this session").click()

    expect(page.get_by_text("Session logged.")).to_be_visible()
    expect(page.locator("#your-sessions")).to_contain_text("Awaiting check-in")
    session = SessionLog.objects.get(user=premium)
    assert (session.pain_before, session.worst_pain, session.effort) == (2, 3, 4)
    assert csp_errors == []


def test_a_yes_on_the_red_flag_screen_says_get_help_now(live_server, page, premium, csp_errors):
    sign_in(page, live_server.url)
    page.goto(live_server.url + "/program/start/")
    answer_every_question(page, "No")
    page.locator(".red-flag-form fieldset").first.get_by_label("Yes", exact=True).check()
    page.get_by_label(CONSENT_LABEL).check()
    page.get_by_role("button", name="Start Phase One").click()
    expect(page.get_by_role("heading", name="Get medical help now")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Call 999 or go to A&E now")
    page.goto(live_server.url + "/program/")
    expect(page.get_by_role("alert")).to_contain_text("Your program is paused")
    expect(page.get_by_role("link", name="Log this session")).to_have_count(0)
    assert csp_errors == []
