"""axe-core finds no accessibility violations on the main pages, on a phone and on a desktop."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from programs.demo import program_load_demo, program_load_demo_member
from tests.e2e.site_content import build_site_content
from tests.factories import PASSWORD, MembershipFactory, PlanFactory, UserFactory, site_page

pytestmark = pytest.mark.e2e

VIEWPORTS = {"phone": {"width": 390, "height": 740}, "desktop": {"width": 1280, "height": 900}}

PAGES = {
    "home": "/",
    "episode list": "/episodes/",
    "episode with comments and a lock": "/episodes/hinge-from-the-hips/",
    "topic": "/topics/hip-hinging/",
    "topics": "/topics/",
    "search results": "/search/?q=hinge",
    "not found": "/no-such-page/",
    "sunday email": "/subscribe/",
    "sign in": "/accounts/login/",
    "sign up": "/accounts/signup/",
    "program": "/program/",
}

# The rest of django-allauth's pages; the last three need someone signed in.
ACCOUNT_PAGES = [
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/login/code/",
    "/accounts/confirm-email/",
    "/accounts/logout/",
    "/accounts/email/",
    "/accounts/password/change/",
]
SIGNED_IN_ONLY = {"/accounts/logout/", "/accounts/email/", "/accounts/password/change/"}

axe = Axe()


@pytest.fixture
def browser_context_args(browser_context_args):
    # The site's CSP forbids inline scripts, which is how axe-core is injected.
    return {**browser_context_args, "bypass_csp": True}


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact')}): {violation['help']}"
            f"\n  {violation['helpUrl']}"
        )
        for node in violation["nodes"][:5]:
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    at {', '.join(map(str, node['target']))}: {summary}")
            lines.append(f"       {node['html'][:200]}")
    return "\n".join(lines)


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_axe_violations(live_server, offline, name, viewport):
    page = offline
    build_site_content()
    page.set_viewport_size(VIEWPORTS[viewport])
    page.goto(live_server.url + PAGES[name])

    violations = axe.run(page).response["violations"]
    assert not violations, (
        f"{len(violations)} accessibility violation(s) on {name} ({PAGES[name]}) at {viewport} "
        f"width:\n{format_violations(violations)}"
    )


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_axe_violations_in_the_dark_scheme(live_server, offline, name):
    page = offline
    build_site_content()
    page.emulate_media(color_scheme="dark")
    page.set_viewport_size(VIEWPORTS["phone"])
    page.goto(live_server.url + PAGES[name])

    violations = axe.run(page).response["violations"]

    assert not violations, (
        f"{len(violations)} accessibility violation(s) on {name} ({PAGES[name]}) in the dark "
        f"scheme:\n{format_violations(violations)}"
    )


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("path", ACCOUNT_PAGES)
def test_account_page_has_no_axe_violations(live_server, offline, path, viewport):
    page = offline
    page.set_viewport_size(VIEWPORTS[viewport])
    if path in SIGNED_IN_ONLY:
        UserFactory(email="reader@example.com")
        _sign_in(page, live_server, "reader@example.com")
    page.goto(live_server.url + path)

    violations = axe.run(page).response["violations"]

    assert not violations, (
        f"{len(violations)} accessibility violation(s) on {path} at {viewport} width:\n"
        f"{format_violations(violations)}"
    )


def test_axe_reports_a_real_problem(live_server, offline):
    """Guard against a silent checker: an image without alt text on a page must be reported."""
    page = offline
    page.goto(live_server.url + "/subscribe/")
    page.evaluate(
        "const img = document.createElement('img');"
        "img.src = '/static/img/logo.svg';"
        "document.querySelector('main').append(img);"
    )

    violations = axe.run(page).response["violations"]

    assert "image-alt" in {violation["id"] for violation in violations}


MEMBER_PAGES = {
    "account, free": ("free", "/account/"),
    "account, premium": ("premium", "/account/"),
    "plans, free": ("free", "/membership/"),
    "plans, premium": ("premium", "/membership/"),
    "plans, visitor": (None, "/membership/"),
    "routine, locked": (None, "/program/build-the-base/first-bridges/"),
    "routine, premium": ("premium", "/program/build-the-base/first-bridges/"),
    "delete account": ("free", "/account/delete/"),
    "program, not started": ("premium", "/program/"),
    "program dashboard": ("started", "/program/"),
    "routine with log form": ("started", "/program/build-the-base/learning-the-hinge/"),
    "flare-up screen": ("started", "/program/flare-up/"),
}


def _sign_in(page, live_server, email):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("name", MEMBER_PAGES)
def test_member_page_has_no_axe_violations(live_server, offline, name, viewport, scheme):
    page = offline
    program_load_demo()
    PlanFactory(name="Monthly", stripe_price_id="price_a11y_monthly")
    PlanFactory(name="Yearly", stripe_price_id="price_a11y_yearly", amount=9000, interval="year")
    persona, path = MEMBER_PAGES[name]
    if persona == "free":
        UserFactory(email="free.reader@example.com")
        _sign_in(page, live_server, "free.reader@example.com")
    elif persona in {"premium", "started"}:
        member = MembershipFactory(user=UserFactory(email="premium.reader@example.com")).user
        if persona == "started":
            site_page("privacy")  # the demo member agreed under it
            program_load_demo_member(user=member)  # a fortnight of logged sessions
        _sign_in(page, live_server, "premium.reader@example.com")
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size(VIEWPORTS[viewport])
    page.goto(live_server.url + path)
    if persona:
        page.locator(".account-menu summary").click()  # the open menu is checked too

    violations = axe.run(page).response["violations"]

    assert not violations, (
        f"{len(violations)} accessibility violation(s) on {name} ({path}) at {viewport} "
        f"width, {scheme} scheme:\n{format_violations(violations)}"
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_comment_form_with_errors_has_no_axe_violations(live_server, offline, scheme):
    page = offline
    build_site_content()
    page.emulate_media(color_scheme=scheme)
    page.goto(live_server.url + PAGES["episode with comments and a lock"])
    page.get_by_label("Your email").fill("not-an-email")
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_selector(".field__error")

    violations = axe.run(page).response["violations"]

    assert not violations, format_violations(violations)
