"""The five-minute tour, in `make run`'s own configuration: scripts/run.sh starts web,
worker and beat (honcho) on a spare port, with SQLite, the filesystem broker, the outbox
and demo payments, exactly as a newcomer would run it. Chromium then walks the tour:

- staff publish the scheduled episode now, with the Sunday email "at the usual time";
- a new visitor signs up, confirms their address from the outbox (the email was sent by
  the worker), joins with demo payments, reads a members-only part, follows "Put it into
  practice" to its routine and starts Phase One;
- the Sunday email reaches the outbox exactly once, sent when beat's sweep finds it due.

The release is moved to today, a couple of minutes after start-up (RELEASE_WEEKDAY,
RELEASE_TIME), and beat sweeps every 2 s, so "the usual time" comes during the test.
Screenshots of the demo checkout, the demo portal and the outbox, light and dark, at 390
and 1280 px, go to /tmp/shots-make-run/; axe checks each of them.
"""

import datetime as dt
import re
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.test_accessibility import format_violations
from tests.e2e.test_program import CONSENT_LABEL
from tests.run_stack import RunStack, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.services]

EMAIL = "robin.newcomer@example.com"
PASSWORD = "bridges-before-stretches-7"
STAFF = "staff@example.com"
DEMO_PASSWORD = "backinshape"
EPISODE = "Walking for back pain: the most underrated exercise"
MEMBERS_ONLY = "/episodes/herniated-discs/"
SHOTS = Path("/tmp/shots-make-run")
WIDTHS = (390, 1280)
SCHEMES = ("light", "dark")
RELEASE_DELAY = dt.timedelta(seconds=150)

axe = Axe()


@pytest.fixture
def stack(tmp_path):
    release = dt.datetime.now(ZoneInfo("Europe/London")) + RELEASE_DELAY
    stack = RunStack(
        folder=tmp_path,
        port=free_port(),
        extra_env={
            "SITE_TIME_ZONE": "Europe/London",
            "RELEASE_WEEKDAY": str(release.weekday()),
            "RELEASE_TIME": release.strftime("%H:%M:%S"),
            "RELEASE_SWEEP_SECONDS": "2",
            "HEARTBEAT_SECONDS": "5",
        },
    )
    stack.release_at = release
    stack.start()
    yield stack
    left = stack.interrupt()
    stack.kill_leftovers()
    assert not left, f"make run left processes behind: {left}"


def sign_in(page, base: str, email: str, password: str, next_path: str = "") -> None:
    page.goto(f"{base}/accounts/login/" + (f"?next={next_path}" if next_path else ""))
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def look_at(browser, storage_state, url: str, name: str) -> None:
    """Screenshots at a phone and a desktop width, light and dark, and axe on each."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for scheme in SCHEMES:
        # The site's CSP forbids inline scripts, which is how axe-core is injected.
        context = browser.new_context(
            storage_state=storage_state, bypass_csp=True, color_scheme=scheme
        )
        page = context.new_page()
        try:
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(url)
                frames = page.locator("iframe")
                if frames.count():
                    # Chrome paints an offscreen sandboxed frame only once it is in view.
                    frames.first.scroll_into_view_if_needed()
                    page.wait_for_timeout(300)
                page.screenshot(path=str(SHOTS / f"{name}-{scheme}-{width}.png"), full_page=True)
                violations = axe.run(page).response["violations"]
                assert not violations, f"{name} {scheme} {width}px:\n" + format_violations(
                    violations
                )
        finally:
            context.close()


def outbox_message_link(page, base: str, to: str, subject: re.Pattern, timeout: float = 60):
    """Reload the outbox until an email to `to` with a matching subject is listed."""
    deadline = time.monotonic() + timeout
    while True:
        page.goto(f"{base}/dev/outbox/")
        row = page.locator(".outbox-list__item", has_text=to).filter(
            has=page.get_by_role("link", name=subject)
        )
        if row.count():
            return row.first.get_by_role("link", name=subject)
        if time.monotonic() > deadline:
            raise AssertionError(f"No email to {to} matching {subject.pattern} in the outbox")
        time.sleep(1)


def test_the_tour_in_make_runs_configuration(stack, browser):
    base = stack.url
    assert stack.release_at > dt.datetime.now(ZoneInfo("Europe/London")) + dt.timedelta(
        seconds=30
    ), "start-up took too long for the release to still be ahead"

    # Staff publish the scheduled episode now, and choose the Sunday email at the usual time.
    staff = browser.new_context()
    page = staff.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, base, STAFF, DEMO_PASSWORD, "/admin/")
    page.goto(f"{base}/admin/episodes/episode/?q=walking")
    page.get_by_role("link", name=EPISODE).click()
    page.get_by_role("link", name="Publish now…").click()
    page.get_by_label("Send it at the usual time").check()
    page.get_by_role("button", name="Publish now").click()
    expect(page.locator(".messagelist")).to_contain_text(
        "The Sunday email will go at the usual time, "
        + stack.release_at.strftime("%A %-d %B at %H:%M")
    )
    # The desk says where the emails go.
    page.goto(f"{base}/admin/")
    expect(page.get_by_role("link", name="outbox")).to_have_attribute("href", "/dev/outbox/")
    staff.close()

    # A new visitor joins premium from the plans page.
    visitor = browser.new_context()
    page = visitor.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/membership/")
    expect(page.get_by_text("Demo payments: no real money moves.")).to_be_visible()
    page.get_by_role("link", name="Create an account to join").first.click()
    page.get_by_label("Email", exact=True).fill(EMAIL)
    page.get_by_label(re.compile(r"^Password")).fill(PASSWORD)
    page.get_by_label("Send me the Sunday episode email").check()
    page.get_by_role("button", name="Create an account").click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))

    # The confirmation email, sent by the worker, is in the outbox; its link works.
    outbox_message_link(page, base, EMAIL, re.compile("confirm", re.I)).click()
    expect(page.get_by_text("Development outbox")).to_be_visible()
    page.locator(".outbox-text a", has_text="/accounts/confirm-email/").click()
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(f"{base}/membership/")

    # Join with demo payments: the demo checkout, then back to the site as a member.
    page.get_by_role("button", name=re.compile(r"^Join premium\W+Monthly")).click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/demo-stripe/checkout/cs_test_"))
    expect(page.get_by_role("heading", name="Demo checkout")).to_be_visible()
    look_at(browser, visitor.storage_state(), page.url, "demo-checkout")
    page.get_by_role("button", name="Pay £9 a month (demo)").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/membership/success/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to premium")

    # A members-only part, then "Put it into practice" to its routine.
    page.goto(base + MEMBERS_ONLY)
    expect(page.get_by_label("Members-only part")).to_be_visible()
    expect(page.locator(".paywall")).to_have_count(0)
    practice = page.get_by_role("region", name="Put it into practice")
    practice.get_by_role("link", name="First bridges").click()
    expect(page).to_have_url(re.compile(r"/program/.+first-bridges"))

    # Start Phase One, answering the safety questions and agreeing to keep Program data.
    page.goto(f"{base}/program/")
    page.get_by_role("link", name="Start Phase One").click()
    questions = page.locator(".red-flag-form fieldset")
    expect(questions.first).to_be_visible()
    for i in range(questions.count()):
        questions.nth(i).get_by_label("No", exact=True).check()
    page.get_by_label(CONSENT_LABEL).check()
    page.get_by_role("button", name="Start Phase One").click()
    expect(page.get_by_text("Phase One is open.")).to_be_visible()

    # Manage billing opens the demo portal.
    page.goto(f"{base}/account/")
    page.get_by_role("button", name="Manage billing").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/demo-stripe/portal/bps_"))
    expect(page.get_by_role("heading", name="Demo billing")).to_be_visible()
    look_at(browser, visitor.storage_state(), page.url, "demo-portal")
    page.get_by_role("link", name="Return to Back In Shape").click()
    expect(page).to_have_url(f"{base}/account/")

    # The Sunday email goes when beat's sweep finds it due, and only once.
    assert not [row for row in stack.outbox() if EPISODE in row[0]], "sent before its time"
    link = outbox_message_link(
        page, base, EMAIL, re.compile(re.escape(EPISODE)), timeout=RELEASE_DELAY.seconds + 60
    )
    assert dt.datetime.now(ZoneInfo("Europe/London")) >= stack.release_at
    time.sleep(6)  # three more sweeps: nothing more goes out
    sunday = [to for subject, to, _ in stack.outbox() if EPISODE in subject]
    assert sunday.count(EMAIL) == 1  # the newcomer, once, beside the demo's subscribers
    assert len(sunday) == len(set(sunday)), "someone got it twice"
    assert "Task episodes.tasks.release_mailings_resume" in stack.log()
    link.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(EPISODE)
    look_at(browser, visitor.storage_state(), f"{base}/dev/outbox/", "outbox")
    look_at(browser, visitor.storage_state(), page.url, "outbox-message")
    visitor.close()
