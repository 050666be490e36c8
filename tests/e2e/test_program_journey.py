"""The Program's journey in a real browser: four sessions over a week open routine 2.

The server's clock is moved with time_machine, which patches time for every thread in
this process, the live server's included: each session is logged on its own simulated
day through the form's default date (today), and checked in the next morning, exactly as
a member would. A free member sees the locks and the join call; a visitor no instructions.
"""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from programs.demo import program_load_demo
from programs.models import SessionLog, Unlock
from tests.factories import PASSWORD, MembershipFactory, UserFactory, site_page

pytestmark = pytest.mark.e2e

EMAIL = "jo.journey@example.com"
FREE_EMAIL = "fran.free@example.com"
FIRST_ROUTINE = "/program/build-the-base/first-bridges/"


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


def at(day0: dt.date, day: int, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day0 + dt.timedelta(days=day), dt.time(hour)))


def sign_in(page, base_url, email):
    page.goto(f"{base_url}/accounts/login/?next=/program/")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/program/$"))


def log_todays_session(page, base_url):
    page.goto(base_url + FIRST_ROUTINE)
    form = page.locator("#log form")
    form.get_by_label("Yes, as prescribed").check()
    form.get_by_role("group", name="Pain before you started").get_by_label("1", exact=True).check()
    form.get_by_role("group", name="Worst pain during the session").get_by_label(
        "2", exact=True
    ).check()
    form.get_by_role("group", name="How hard did it feel?").get_by_label("5", exact=True).check()
    form.get_by_role("button", name="Log this session").click()
    expect(page.get_by_text("Session logged.")).to_be_visible()


def check_in_this_morning(page, base_url):
    page.goto(base_url + "/program/")
    page.get_by_role("link", name=re.compile(r"^Check in for ")).first.click()
    checkin = page.locator("section.checkin").first
    checkin.get_by_role("group", name="This morning, your back pain is…").get_by_label(
        "About the same"
    ).check()
    checkin.get_by_role("group", name="This morning, your stiffness is…").get_by_label(
        "Better than usual"
    ).check()
    checkin.get_by_role("button", name="Send my check-in").click()
    expect(page.get_by_text("Thanks for checking in. That session was Green.")).to_be_visible()


def test_four_good_sessions_over_a_week_open_routine_two(
    live_server, page, time_machine, csp_errors
):
    program_load_demo()
    site_page("privacy")
    member = MembershipFactory(user=UserFactory(email=EMAIL)).user
    day0 = timezone.localdate() + dt.timedelta(days=1)
    time_machine.move_to(at(day0, 0, 7))
    sign_in(page, live_server.url, EMAIL)

    page.get_by_role("link", name="Start Phase One").click()
    questions = page.locator(".red-flag-form fieldset")
    for i in range(questions.count()):
        questions.nth(i).get_by_label("No", exact=True).check()
    page.get_by_label("I agree to Back In Shape keeping my Program data about my back").check()
    page.get_by_role("button", name="Start Phase One").click()
    expect(page.get_by_text("Phase One is open.")).to_be_visible()
    expect(page.locator(".next-routine h2")).to_have_text("First bridges")

    for day in (0, 2, 4, 6):
        time_machine.move_to(at(day0, day, 18))
        log_todays_session(page, live_server.url)
        time_machine.move_to(at(day0, day + 1, 8))
        if day < 6:
            check_in_this_morning(page, live_server.url)
            expect(page.locator(".next-routine h2")).to_have_text("First bridges")

    # Day 7: the fourth check-in completes the rule, a week after the first session.
    check_in_this_morning(page, live_server.url)
    expect(page.locator(".next-routine h2")).to_have_text("Learning the hinge")
    second = page.locator(".routine-list li", has_text="Learning the hinge")
    expect(second.locator(".badge--open")).to_be_visible()
    assert [s.date for s in SessionLog.objects.filter(user=member).order_by("date")] == [
        day0 + dt.timedelta(days=d) for d in (0, 2, 4, 6)
    ]
    assert Unlock.objects.filter(user=member, routine__slug="learning-the-hinge").exists()

    page.get_by_role("link", name="See your full history").click()
    expect(page.get_by_role("heading", name="Your history")).to_be_visible()
    expect(page.locator(".session-list__item")).to_have_count(4)
    assert csp_errors == []


def test_a_free_member_sees_locks_and_the_join_call(live_server, page, csp_errors):
    program_load_demo()
    UserFactory(email=FREE_EMAIL)
    sign_in(page, live_server.url, FREE_EMAIL)

    expect(page.get_by_role("heading", name="The Back In Shape Program", level=1)).to_be_visible()
    expect(page.locator(".routine-list .badge--locked").first).to_be_visible()
    expect(page.get_by_role("link", name="Join premium to start Phase One")).to_be_visible()

    page.get_by_role("link", name="First bridges").click()
    expect(page.get_by_role("heading", name="This routine is for premium members")).to_be_visible()
    expect(page.locator("#main").get_by_role("link", name="Join premium")).to_be_visible()
    expect(page.locator("#log")).to_have_count(0)
    assert csp_errors == []


def test_a_visitor_sees_no_instructions(live_server, page, csp_errors):
    program_load_demo()
    page.goto(live_server.url + FIRST_ROUTINE)

    expect(page.get_by_role("heading", name="First bridges", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="This routine is for premium members")).to_be_visible()
    expect(page.get_by_role("heading", name="The routine")).to_have_count(0)
    expect(page.locator(".step-list")).to_have_count(0)
    expect(page.locator("#log")).to_have_count(0)
    expect(page.get_by_role("link", name="Sign in").last).to_be_visible()
    assert csp_errors == []
