"""The site pages and the consent screens in Chromium: axe finds nothing in light and dark
at a phone's and a desktop's width; no public page asks another origin for anything until
the visitor presses play on a video; withdrawing consent works end to end."""

import datetime as dt
import re
from collections import Counter

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from pages import services as page_services
from pages.demo import pages_load_demo
from pages.models import Page, PageKind
from programs.demo import program_load_demo, program_load_demo_member
from programs.models import ProgramConsent, SessionLog
from tests.e2e.site_content import YOUTUBE_ID, build_site_content
from tests.e2e.test_accessibility import VIEWPORTS, format_violations
from tests.factories import PASSWORD, MembershipFactory, PlanFactory, UserFactory

pytestmark = pytest.mark.e2e

SITE_PAGES = [f"/{kind}/" for kind in PageKind.values]

axe = Axe()


@pytest.fixture
def browser_context_args(browser_context_args):
    # The site's CSP forbids inline scripts, which is how axe-core is injected.
    return {**browser_context_args, "bypass_csp": True}


def sign_in(page, live_server, email):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def assert_no_axe_violations(page, where: str):
    violations = axe.run(page).response["violations"]
    assert not violations, f"{where}:\n{format_violations(violations)}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_site_pages_have_no_axe_violations(live_server, offline, viewport, scheme):
    page = offline
    pages_load_demo(tally=Counter())
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size(VIEWPORTS[viewport])
    for path in SITE_PAGES:
        page.goto(live_server.url + path)
        expect(page.locator("h1")).to_have_text(Page.objects.get(kind=path.strip("/")).title)
        assert_no_axe_violations(page, f"{path} at {viewport} width, {scheme} scheme")


# Signed-in pages this work added: (persona, path, what to do there first).
CONSENT_PAGES = {
    "start with consent": ("unasked", "/program/start/", None),
    "start, refused without consent": ("unasked", "/program/start/", "submit"),
    "dashboard asking for consent": ("legacy", "/program/", None),
    "consent page": ("legacy", "/program/consent/", None),
    "program data": ("member", "/account/program-data/", None),
    "program data, refused without the box": ("member", "/account/program-data/", "withdraw"),
    "account with program data": ("member", "/account/", None),
    "plans with the terms beside the pay buttons": ("member", "/membership/", None),
    "a page with the changed-terms notice": ("told", "/account/", None),
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("name", CONSENT_PAGES)
def test_consent_pages_have_no_axe_violations(
    live_server, offline, settings, name, viewport, scheme
):
    page = offline
    settings.STRIPE_SECRET_KEY = "sk_test_not_called"  # the pay buttons show; none is pressed
    program_load_demo()
    pages_load_demo(tally=Counter())
    PlanFactory(name="Monthly", stripe_price_id="price_a11y_monthly")
    persona, path, action = CONSENT_PAGES[name]
    user = UserFactory(email=f"{persona}@example.com")
    if persona != "told":
        MembershipFactory(user=user)
    if persona in {"legacy", "member"}:
        program_load_demo_member(user=user)
    if persona == "legacy":
        ProgramConsent.objects.filter(user=user).delete()  # data from before we asked
    if persona == "told":
        user.date_joined = timezone.now() - dt.timedelta(days=30)
        user.save(update_fields=["date_joined"])
        terms = Page.objects.get(kind=PageKind.TERMS)
        page_services.page_save(
            page=terms,
            title=terms.title,
            summary=terms.summary,
            body=terms.body + "\n\nA new paragraph.",
            material=True,
            change_note="Yearly renewals can be refunded within 14 days.",
        )
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size(VIEWPORTS[viewport])
    sign_in(page, live_server, user.email)
    if persona != "told":  # the notice shows once, on the page signing in lands on
        page.goto(live_server.url + path)
    if action == "submit":
        page.get_by_role("button", name="Start Phase One").click()
        expect(page.locator(".error-summary")).to_be_visible()
    elif action == "withdraw":
        page.get_by_role("button", name="Withdraw consent and delete my Program data").click()
        expect(page.locator(".error-summary")).to_be_visible()
    elif persona == "told":
        expect(page.get_by_text("We've updated our terms of membership:")).to_be_visible()

    assert_no_axe_violations(page, f"{name} ({path}) at {viewport} width, {scheme} scheme")


def test_public_pages_ask_no_other_origin_for_anything_until_play(live_server, page):
    content = build_site_content()
    program_load_demo()
    pages_load_demo(tally=Counter())
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            None if request.url.startswith(live_server.url) else outside.append(request.url)
        ),
    )
    page.route(
        re.compile(r"^https://www\.youtube-nocookie\.com/"),
        lambda route: route.fulfill(status=200, content_type="text/html", body="<p>player</p>"),
    )
    paths = [
        "/",
        "/episodes/",
        content.episode.get_absolute_url(),
        "/topics/",
        content.topic.get_absolute_url(),
        "/program/",
        "/program/build-the-base/first-bridges/",
        "/membership/",
        "/subscribe/",
        "/accounts/signup/",
        *SITE_PAGES,
    ]
    for path in paths:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
    assert outside == []

    page.goto(live_server.url + content.episode.get_absolute_url())
    page.get_by_role("link", name=re.compile("Play video")).click()
    expect(page.frame_locator(".video-facade iframe").locator("p")).to_have_text("player")

    assert outside == [f"https://www.youtube-nocookie.com/embed/{YOUTUBE_ID}?autoplay=1&rel=0"]


def test_a_member_downloads_a_copy_then_withdraws_consent(live_server, page):
    program_load_demo()
    pages_load_demo(tally=Counter())
    member = MembershipFactory(user=UserFactory(email="maya@example.com")).user
    program_load_demo_member(user=member)
    sign_in(page, live_server, member.email)

    page.goto(live_server.url + "/account/")
    page.get_by_role("link", name="Withdraw consent and delete Program data…").click()
    expect(page.get_by_role("heading", name="Your Program data", level=1)).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download all my data (JSON)").click()
    assert download.value.suggested_filename == "back-in-shape-my-data.json"
    page.get_by_label("Yes, withdraw my consent and delete my Program data").check()
    page.get_by_role("button", name="Withdraw consent and delete my Program data").click()

    expect(page).to_have_url(re.compile(r"/account/$"))
    expect(page.get_by_text("Done: your Program data is deleted")).to_be_visible()
    assert not SessionLog.objects.filter(user=member).exists()
    page.goto(live_server.url + "/program/start/")
    expect(
        page.get_by_label("I agree to Back In Shape keeping my Program data about my back")
    ).not_to_be_checked()
