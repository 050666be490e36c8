"""Staff in a real browser: write an episode with a members-only part, see the cut in the
live preview, schedule it, and approve a comment from the admin home. Then the lists and
forms fit a 1280 px laptop and a 390 px phone, and axe finds nothing on the customised
admin pages, light and dark."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from episodes.models import Comment, Episode
from episodes.schedule import next_release_at
from programs.demo import program_load_demo, program_load_demo_member
from programs.models import Routine
from tests.e2e.test_accessibility import format_violations
from tests.factories import (
    PASSWORD,
    CommentFactory,
    EpisodeFactory,
    MembershipFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.e2e

axe = Axe()


@pytest.fixture
def browser_context_args(browser_context_args):
    # axe-core is injected as an inline script, which the CSP forbids.
    return {**browser_context_args, "bypass_csp": True}


def _sign_in(page, live_server):
    staff = StaffFactory(email="editor@example.com")
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("h1")).to_have_text("This Sunday")
    return staff


def test_staff_write_preview_and_schedule_an_episode(live_server, page):
    _sign_in(page, live_server)
    page.goto(live_server.url + "/admin/episodes/episode/add/")
    page.get_by_label("Title:").fill("Carrying shopping without a flare-up")
    page.get_by_label("Slug:").fill("carrying-shopping")
    page.get_by_label("Standfirst:").fill("Two bags beat one.")
    body = page.locator("textarea[name=body]")
    body.fill("## For everyone\n\nSplit the load between two bags.")
    page.get_by_role("button", name="Insert the members-only divider here").click()
    body.press("End")
    body.type("## The members' routine\n\nFARMER-CARRY-SETS three times a week.")

    preview = page.locator(".episode-preview")
    expect(preview.locator("[data-preview-public]")).to_contain_text("Split the load")
    expect(preview.locator("[data-preview-marker]")).to_be_visible()
    expect(preview.locator("[data-preview-marker]")).to_have_text("Members-only part starts here")
    expect(preview.locator("[data-preview-members]")).to_contain_text("FARMER-CARRY-SETS")
    expect(preview.locator("[data-preview-public]")).not_to_contain_text("FARMER-CARRY-SETS")
    assert "\n<!-- members-only -->\n" in body.input_value()

    page.get_by_label("Status:").select_option("scheduled")
    page.locator("input[name=_save]").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    episode = Episode.objects.get(title="Carrying shopping without a flare-up")
    assert episode.status == Episode.Status.SCHEDULED
    assert episode.publish_at == next_release_at()
    assert "<!-- members-only -->" in episode.body

    # The desk now shows it as this Sunday's episode.
    page.goto(live_server.url + "/admin/")
    expect(page.locator("#content-main")).to_contain_text("Carrying shopping without a flare-up")
    expect(page.get_by_text("Nothing is scheduled for the coming Sunday")).to_have_count(0)


def test_staff_approve_a_comment_from_the_admin_home(live_server, page):
    comment = CommentFactory(
        name="Ada", body="Does this work for sciatica too?", status=Comment.Status.PENDING
    )
    _sign_in(page, live_server)

    expect(page.locator("[data-desk=pending-count]")).to_have_text("1")
    page.get_by_role("button", name="Approve the comment by Ada").click()

    expect(page.locator(".messagelist")).to_contain_text("Approved the comment by Ada")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.locator("[data-desk=pending-count]")).to_have_text("0")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED


@pytest.mark.parametrize(
    ("path", "key_column"),
    [
        ("/admin/episodes/pendingcomment/", "created_at"),
        ("/admin/members/membership/", "grants_premium"),
        ("/admin/programs/sessionlog/", "grade"),
    ],
)
def test_key_columns_are_in_view_at_1280(live_server, page, path, key_column):
    program_load_demo()
    member = MembershipFactory(user=UserFactory(email="maya@example.com")).user
    program_load_demo_member(user=member)
    CommentFactory(status=Comment.Status.PENDING)
    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page, live_server)
    page.goto(live_server.url + path)

    header = page.locator(f"#result_list th.column-{key_column}")
    results = page.locator("#changelist .results")
    assert header.bounding_box()["x"] + header.bounding_box()["width"] <= (
        results.bounding_box()["x"] + results.bounding_box()["width"] + 1
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280


@pytest.mark.parametrize("width", [1280, 390])
def test_the_routine_form_does_not_scroll_sideways(live_server, page, width):
    program_load_demo()
    routine = Routine.objects.order_by("pk").first()
    page.set_viewport_size({"width": width, "height": 900})
    _sign_in(page, live_server)
    page.goto(f"{live_server.url}/admin/programs/routine/{routine.pk}/change/")

    assert page.evaluate("document.documentElement.scrollWidth") <= width


ADMIN_PAGES = {
    "desk": "/admin/",
    "moderation queue": "/admin/episodes/pendingcomment/",
    "comment": "/admin/episodes/comment/{comment}/change/",
    "episode editor": "/admin/episodes/episode/{episode}/change/",
    "publish now": "/admin/episodes/episode/{episode}/publish/",
    "member": "/admin/members/user/{member}/change/",
    "member action": "/admin/desk/members/{member}/pause/",
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_customised_admin_pages_have_no_axe_violations(live_server, page, name, scheme):
    program_load_demo()
    member = MembershipFactory(user=UserFactory(email="maya@example.com")).user
    program_load_demo_member(user=member)
    episode = EpisodeFactory(
        title="Hinge from the hips",
        status=Episode.Status.DRAFT,
        body="## Public\n\nFor all.\n\n<!-- members-only -->\n\n## Members\n\nFor members.",
    )
    comment = CommentFactory(episode=episode, name="Ada", status=Comment.Status.PENDING)
    page.emulate_media(color_scheme=scheme)
    _sign_in(page, live_server)
    path = ADMIN_PAGES[name].format(episode=episode.pk, comment=comment.pk, member=member.pk)
    page.goto(live_server.url + path)
    if name == "episode editor":
        expect(page.locator("[data-preview-marker]")).to_be_visible()

    violations = axe.run(page).response["violations"]

    assert not violations, (
        f"{len(violations)} accessibility violation(s) on {name} ({path}) in the {scheme} "
        f"scheme:\n{format_violations(violations)}"
    )


PALETTE = """() => {
  // Every colour admin.css sets, as the browser resolves it, and the member chart's bands.
  const rule = [...document.styleSheets]
    .filter((sheet) => sheet.href && sheet.href.includes("/css/admin"))
    .flatMap((sheet) => [...sheet.cssRules])
    .find((rule) => rule.style && rule.style.getPropertyValue("--primary"));
  const probe = document.body.appendChild(document.createElement("span"));
  const colours = {};
  for (const name of rule.style) {
    probe.style.color = `var(${name})`;
    colours[name] = getComputedStyle(probe).color;
  }
  for (const band of document.querySelectorAll(".pain-chart rect")) {
    colours[band.getAttribute("class")] = getComputedStyle(band).fill;
  }
  return colours;
}"""


def test_the_admin_theme_toggle_and_the_system_scheme_show_the_same_colours(live_server, page):
    program_load_demo()
    member = MembershipFactory(user=UserFactory(email="maya@example.com")).user
    program_load_demo_member(user=member)
    _sign_in(page, live_server)
    palettes = {}
    for system in ["light", "dark"]:
        page.emulate_media(color_scheme=system)
        for theme in ["auto", "light", "dark"]:
            page.evaluate("theme => localStorage.setItem('theme', theme)", theme)
            page.goto(f"{live_server.url}/admin/members/user/{member.pk}/change/")
            palettes[theme, system] = page.evaluate(PALETTE)

    light, dark = palettes["auto", "light"], palettes["auto", "dark"]
    assert "--body-bg" in light
    assert "band--green" in light
    assert light["band--green"] != dark["band--green"]
    assert palettes["dark", "light"] == palettes["dark", "dark"] == dark
    assert palettes["light", "dark"] == palettes["light", "light"] == light
