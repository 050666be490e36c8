"""A new reader joins premium end to end: sign up, verify, pay at (fake) Checkout, read more.

The real `stripe` SDK talks to the local fake Stripe (tests/members/fake_stripe.py) over
HTTP; the fake also serves the browser's Checkout "Pay" page and the Customer Portal page.
Nothing here sends a webhook, so premium appears only if the success page confirms the
session with Stripe server-side and syncs the membership at once.
"""

import copy
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

from members.models import Membership
from tests.factories import EpisodeFactory, monthly_and_yearly_plans
from tests.members.fake_stripe import WEBHOOK_SECRET, FakeStripe

pytestmark = pytest.mark.e2e

EMAIL = "jo.newcomer@example.com"
PASSWORD = "hinge-from-the-hips-2024"
PUBLIC_PARAGRAPH = "Bending from the hips keeps your spine steady."
SECRET_PARAGRAPH = "MEMBERS-ONLY-ROUTINE: three progressions with sets and repetitions."
SHOTS = Path("/tmp/shots-join")
WIDTHS = (360, 1280)


@pytest.fixture
def fake_stripe(live_server, settings):
    """The local fake Stripe, with the live site configured to talk to it.

    The Content Security Policy only lets forms go to our own origin and Stripe's, so the
    fake's origin is added to form-action (django-csp reads the setting on each response);
    otherwise the browser would refuse the redirects to Checkout and the portal.
    """
    fake = FakeStripe().start()
    settings.STRIPE_API_BASE = fake.url
    settings.STRIPE_SECRET_KEY = fake.api_key
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.SITE_URL = live_server.url
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(fake.url))
    policy["DIRECTIVES"]["form-action"] = [*policy["DIRECTIVES"]["form-action"], origin]
    settings.CONTENT_SECURITY_POLICY = policy
    yield fake
    fake.stop()


@pytest.fixture
def csp_violations(page):
    """Console errors from the Content Security Policy, e.g. a refused form redirect."""
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return violations


def screenshot(page, name: str) -> None:
    """Full-page screenshots of the current page at a phone and a desktop width."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(original)


def verification_link(email: str) -> str:
    messages = [m for m in mail.outbox if email in m.to]
    assert len(messages) == 1, [m.subject for m in mail.outbox]
    match = re.search(r"https?://\S+/accounts/confirm-email/\S+/", messages[0].body)
    assert match, messages[0].body
    return match.group(0)


def test_new_reader_joins_premium_and_reads_the_members_only_part(
    live_server, page, fake_stripe, csp_violations
):
    EpisodeFactory(
        title="Hinge from the hips",
        slug="hinge-from-the-hips",
        body=(
            f"## Why hinging matters\n\n{PUBLIC_PARAGRAPH}\n\n"
            "<!-- members-only -->\n\n"
            f"## The full routine\n\n{SECRET_PARAGRAPH}\n"
        ),
    )
    monthly_and_yearly_plans()
    base = live_server.url
    episode_url = f"{base}/episodes/hinge-from-the-hips/"
    mail.outbox.clear()

    # A visitor reads the public part; the members-only part is replaced by a way to join.
    page.goto(episode_url)
    expect(page.locator(".prose")).to_contain_text(PUBLIC_PARAGRAPH)
    paywall = page.get_by_role("complementary", name="The rest of this article is for premium")
    expect(paywall).to_be_visible()
    expect(page.get_by_text(SECRET_PARAGRAPH)).to_have_count(0)
    assert "MEMBERS-ONLY-ROUTINE" not in page.content()

    # From the join panel to the plans, which send a visitor to create an account first.
    paywall.get_by_role("link", name="Join premium").click()
    expect(page).to_have_url(f"{base}/membership/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Join Back In Shape premium")
    expect(page.get_by_role("button", name=re.compile("Join premium"))).to_have_count(0)
    page.get_by_role("link", name="Create an account to join").first.click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/"))

    # Sign up with an email address and (optionally) a password.
    page.get_by_label("Email", exact=True).fill(EMAIL)
    page.get_by_label(re.compile(r"^Password")).fill(PASSWORD)
    page.get_by_role("button", name="Create an account").click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile("Confirm your email", re.I)
    )

    # The verification email (locmem outbox: live_server runs in this process).
    page.goto(verification_link(EMAIL))
    expect(page.get_by_text(EMAIL).first).to_be_visible()
    page.get_by_role("button", name="Confirm").click()
    # Confirming signs them in (same browser session as the sign-up) and brings them back
    # to the plans, which now offer each plan; they choose the monthly one.
    expect(page).to_have_url(f"{base}/membership/")
    expect(page.locator(".messages")).to_contain_text(f"You have confirmed {EMAIL}")
    expect(page.locator(".account-menu summary")).to_contain_text("Account")
    expect(page.get_by_text("Confirm your email address to join.")).to_have_count(0)
    screenshot(page, "membership")
    join_monthly = page.get_by_role(
        "button", name=re.compile(r"^Join premium\W+Monthly, £9 a month$")
    )
    expect(join_monthly).to_be_visible()
    join_monthly.click()

    # The fake Stripe Checkout, created for this member and this price.
    expect(page).to_have_url(re.compile(re.escape(fake_stripe.url) + r"/checkout/pay/cs_test_"))
    expect(page.get_by_role("heading", name="Fake Stripe Checkout")).to_be_visible()
    session = fake_stripe.last_session()
    assert session["mode"] == "subscription"
    assert session["customer_email"] == EMAIL
    assert session["_params"]["line_items[0][price]"] == "price_monthly"
    page.get_by_role("button", name="Pay").click()

    # Back on the site, the success page has confirmed the payment with Stripe itself.
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/membership/success/\?session_id=cs_"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to premium")
    expect(page.locator(".notice--success")).to_have_text(
        "You're a premium member on the Monthly plan."
    )
    assert fake_stripe.calls("GET", f"/v1/checkout/sessions/{session['id']}")
    membership = Membership.objects.get(user__email=EMAIL)
    assert membership.status == Membership.Status.ACTIVE
    assert membership.stripe_subscription_id == fake_stripe.sessions[session["id"]]["subscription"]
    screenshot(page, "success")
    welcome = [m for m in mail.outbox if m.subject == "Welcome to Back In Shape premium"]
    assert [m.to for m in welcome] == [[EMAIL]]
    assert "(Monthly, £9 a month)" in welcome[0].body
    assert "MEMBERS-ONLY-ROUTINE" not in welcome[0].body

    # The plans page now shows their membership instead of asking them to pay again.
    page.goto(f"{base}/membership/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your premium membership")
    your_membership = page.get_by_role("region", name="Your membership")
    expect(your_membership).to_contain_text("Monthly · £9 a month")
    expect(page.get_by_role("button", name=re.compile("Join premium"))).to_have_count(0)
    screenshot(page, "membership-premium")

    # The members-only part of the episode is open to them now.
    page.goto(episode_url)
    members_only = page.get_by_label("Members-only part")
    expect(members_only).to_be_visible()
    expect(members_only).to_contain_text(SECRET_PARAGRAPH)
    expect(page.locator(".paywall")).to_have_count(0)

    # Their account shows the membership, and Manage billing opens the Stripe portal.
    page.goto(f"{base}/account/")
    membership_panel = page.locator("section", has=page.locator("#membership-title"))
    expect(membership_panel).to_contain_text("Monthly · £9 a month")
    expect(membership_panel.locator(".badge--premium")).to_contain_text("Active")
    expect(membership_panel).to_contain_text("Renews on")
    expect(membership_panel.get_by_role("link", name="See premium plans")).to_have_count(0)
    screenshot(page, "account")
    membership_panel.get_by_role("button", name="Manage billing").click()
    expect(page).to_have_url(re.compile(re.escape(fake_stripe.url) + r"/portal/bps_"))
    expect(page.get_by_role("heading", name="Fake Stripe billing portal")).to_be_visible()
    portal = list(fake_stripe.portal_sessions.values())[-1]
    assert portal["customer"] == membership.stripe_customer_id
    assert portal["return_url"] == f"{base}/account/"

    # And back from the portal to their account.
    page.get_by_role("link", name="Return").click()
    expect(page).to_have_url(f"{base}/account/")

    assert not csp_violations
