"""Readers' and members' pages in Chromium: the members-only gate, the home page for each
persona, the episode page's column, the session log's scales and the Program dashboard.

Each page is checked with axe-core at 390 and 1280 px in the light and the dark scheme, and
each layout promise is measured in the browser, where it either holds or it does not.
"""

import io
import itertools
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import expect

from programs.demo import program_load_demo, program_load_demo_member
from programs.models import Routine
from programs.services import program_start
from tests.e2e.site_content import build_site_content
from tests.e2e.test_accessibility import format_violations
from tests.factories import (
    PASSWORD,
    EpisodeFactory,
    MembershipFactory,
    ProgramConsentFactory,
    UserFactory,
    monthly_and_yearly_plans,
    site_page,
)

pytestmark = pytest.mark.e2e

VIEWPORTS = {"phone": {"width": 390, "height": 800}, "desktop": {"width": 1280, "height": 900}}
SCHEMES = ["light", "dark"]
GATE_URL = "/episodes/discs-in-depth/"
LOG_ROUTINE_URL = "/program/build-the-base/learning-the-hinge/"
EMAILS = {
    "free": "fran.free@example.com",
    "premium": "priya.premium@example.com",
    "new": "nia.new@example.com",
    "progressed": "pat.progressed@example.com",
}

PARAGRAPH = (
    "Discs are tougher than their reputation. The outer ring is made of strong layers that "
    "grip the bone above and below, and the centre moves a little as you bend and straighten, "
    "which is why loading a sore disc gently, and often, helps it settle rather than harming it."
)
GATE_BODY = f"""\
## What a scan report means

{PARAGRAPH}

{PARAGRAPH}

## When to get help

{PARAGRAPH}

> Go to A&E straight away if you notice numbness around your genitals or back passage,
> new trouble with your bladder or bowels, or weakness in both legs.

<!-- members-only -->

## Your disc routine, step by step

LOCKED-WORDS: the stages, their doses and how to move on.

### Stage one: settle

LOCKED-WORDS again, with walking and easy positions.
"""

axe = Axe()


@pytest.fixture
def browser_context_args(browser_context_args):
    # axe-core is injected as an inline script, which the site's CSP rightly forbids.
    return {**browser_context_args, "bypass_csp": True}


def build_pages():
    """The site content, an article with a gate (and plans with prices), and the Program."""
    content = build_site_content()
    monthly_and_yearly_plans()
    gate = EpisodeFactory(
        title="Discs in depth",
        slug="discs-in-depth",
        body=GATE_BODY,
        video_url="https://www.youtube.com/watch?v=aBcDeFgHiJk",
        topics=[content.topic],
    )
    gate.related.set(content.older)
    program_load_demo()
    return content


def persona(page, live_server, who: str | None):
    """Sign in as one of the personas (None: a visitor)."""
    if who is None:
        return None
    if who == "free":
        user = UserFactory(email=EMAILS["free"])
    else:
        user = MembershipFactory(user=UserFactory(email=EMAILS[who])).user
        if who == "new":
            ProgramConsentFactory(user=user)
            program_start(user=user)
        elif who == "progressed":
            site_page("privacy")  # the demo member agreed under it
            program_load_demo_member(user=user)  # a fortnight of sessions, as in the demo
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email", exact=True).fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return user


def open_page(page, live_server, path, *, viewport="phone", scheme="light"):
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size(VIEWPORTS[viewport])
    page.goto(live_server.url + path)


# --------------------------------------------------------------------------- axe-core

AXE_PAGES = {
    "home, visitor": (None, "/"),
    "home, free member": ("free", "/"),
    "home, premium member": ("premium", "/"),
    "episode with the gate, visitor": (None, GATE_URL),
    "episode with the gate, free member": ("free", GATE_URL),
    "episode in full, premium member": ("premium", GATE_URL),
    "dashboard, new member": ("new", "/program/"),
    "dashboard, progressed member": ("progressed", "/program/"),
    "session log, progressed member": ("progressed", LOG_ROUTINE_URL),
}


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("name", AXE_PAGES)
def test_page_has_no_axe_violations(live_server, offline, name, viewport, scheme):
    page = offline
    build_pages()
    who, path = AXE_PAGES[name]
    persona(page, live_server, who)
    open_page(page, live_server, path, viewport=viewport, scheme=scheme)
    for fold in page.locator("details.path-phase__fold, details.how").all():
        fold.locator("summary").click()  # folded parts are checked open too

    violations = axe.run(page).response["violations"]

    assert not violations, (
        f"{len(violations)} accessibility violation(s) on {name} ({path}) at {viewport} "
        f"width, {scheme} scheme:\n{format_violations(violations)}"
    )


# --------------------------------------------------------------------------- the gate


def _luminance(rgb) -> float:
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a, b) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _rgb(css: str) -> tuple[int, int, int]:
    return tuple(int(float(part)) for part in css[css.index("(") + 1 : -1].split(",")[:3])


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_gate_shows_the_price_and_the_locked_headings_only(live_server, offline, scheme):
    page = offline
    build_pages()
    open_page(page, live_server, GATE_URL, scheme=scheme)
    panel = page.locator(".paywall")

    expect(panel).to_contain_text("£9 a month or £90 a year")
    expect(panel.locator(".paywall__contents li")).to_have_text(
        ["Your disc routine, step by step", "Stage one: settle"]
    )
    expect(page.get_by_text("LOCKED-WORDS")).to_have_count(0)
    expect(panel.get_by_role("link", name="Join premium")).to_be_visible()


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_gate_has_a_clear_border_and_washes_nothing_out(live_server, offline, viewport, scheme):
    """Nothing is painted over the safety advice above the panel (a fade once was)."""
    page = offline
    build_pages()
    open_page(page, live_server, GATE_URL, viewport=viewport, scheme=scheme)
    panel = page.locator(".paywall")
    advice = page.locator(".prose > blockquote").last
    advice.scroll_into_view_if_needed()

    style = panel.evaluate(
        """el => { const s = getComputedStyle(el), b = getComputedStyle(el, '::before'),
                     a = getComputedStyle(el, '::after'), body = getComputedStyle(document.body);
                   return {widths: [s.borderTopWidth, s.borderRightWidth, s.borderBottomWidth,
                                    s.borderLeftWidth].map(parseFloat),
                           colour: s.borderTopColor, page: body.backgroundColor,
                           before: b.content, after: a.content}; }"""
    )
    assert min(style["widths"]) >= 2
    assert _contrast(_rgb(style["colour"]), _rgb(style["page"])) >= 1.5
    assert style["before"] == "none"  # no generated box at all
    assert style["after"] == "none"

    # The advice's own background, read from the pixels of its last lines: unfaded.
    box = advice.bounding_box()
    expected = _rgb(advice.evaluate("el => getComputedStyle(el).backgroundColor"))
    shot = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    x = int(box["x"] + box["width"] - 12)
    for y in (int(box["y"] + box["height"] - 6), int(box["y"] + box["height"] / 2)):
        actual = shot.getpixel((x, y))
        assert max(abs(a - e) for a, e in zip(actual, expected, strict=True)) <= 6, (x, y)


# --------------------------------------------------------------------------- home


@pytest.mark.parametrize("who", [None, "free"])
def test_visitors_and_free_members_keep_a_way_to_join(live_server, offline, who):
    page = offline
    build_pages()
    persona(page, live_server, who)
    open_page(page, live_server, "/")

    panel = page.locator(".home-program")
    panel.get_by_role("link", name="Join premium").click()
    expect(page).to_have_url(live_server.url + "/membership/")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_premium_member_is_taken_into_their_program(live_server, offline, viewport):
    page = offline
    build_pages()
    persona(page, live_server, "progressed")
    open_page(page, live_server, "/", viewport=viewport)

    expect(page.get_by_text("Join premium")).to_have_count(0)
    expect(page.get_by_text("See how the Program works")).to_have_count(0)
    page.locator(".home-program").get_by_role("link", name="Go to your Program").click()
    expect(page.get_by_role("heading", name="Your Back In Shape Program")).to_be_visible()


# --------------------------------------------------------------------------- the episode column

CHARACTERS_PER_LINE = """
() => [...document.querySelectorAll('.prose > p')].map(p => {
  const lines = new Map();
  const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
  for (let node; (node = walker.nextNode()); ) {
    for (let i = 0; i < node.length; i++) {
      const range = document.createRange();
      range.setStart(node, i); range.setEnd(node, i + 1);
      const rect = range.getClientRects()[0];
      if (rect) lines.set(Math.round(rect.top), (lines.get(Math.round(rect.top)) || 0) + 1);
    }
  }
  return [...lines.values()].slice(0, -1);  // a paragraph's last line is short by nature
}).flat()
"""


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_episode_page_has_one_column_edge(live_server, offline, viewport):
    page = offline
    build_pages()
    open_page(page, live_server, GATE_URL, viewport=viewport)

    parts = {
        "title": "h1",
        "video": ".video-facade",
        "article": ".prose > p",
        "gate": ".paywall",
        "episode links": ".episode-nav__list",
        "related episodes": ".related h2",
        "first related card": ".related .card",
        "comments": ".comments h2",
    }
    edges = {
        name: round(page.locator(sel).first.bounding_box()["x"]) for name, sel in parts.items()
    }

    assert len(set(edges.values())) == 1, edges


def test_the_article_reads_at_60_to_75_characters_a_line_on_a_desktop(live_server, offline):
    page = offline
    build_pages()
    open_page(page, live_server, GATE_URL, viewport="desktop")

    lines = page.evaluate(CHARACTERS_PER_LINE)

    assert lines
    assert all(60 <= n <= 75 for n in lines), lines


# --------------------------------------------------------------------------- the scales


@pytest.mark.parametrize("width", [390, 1280])
def test_each_scale_is_one_row_in_three_zones(live_server, offline, width):
    page = offline
    build_pages()
    persona(page, live_server, "progressed")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + LOG_ROUTINE_URL)

    for legend, count in [
        ("Pain before you started", 11),
        ("Worst pain during the session", 11),
        ("How hard did it feel?", 10),
    ]:
        group = page.locator("#log").get_by_role("group", name=legend)
        options = group.locator(".choice__option")
        expect(options).to_have_count(count)
        boxes = [options.nth(i).bounding_box() for i in range(count)]
        assert len({round(b["y"]) for b in boxes}) == 1, f"{legend} wraps at {width}px"
        assert min(b["width"] for b in boxes) >= 24, f"{legend}: buttons too small to tap"
        feet = options.evaluate_all("els => els.map(e => getComputedStyle(e).borderBottomColor)")
        assert len(set(feet)) == 3, f"{legend}: {feet}"
        expect(group.locator(".scale-key li")).to_have_count(3)


# --------------------------------------------------------------------------- the dashboard


def test_the_dashboard_is_a_reasonable_length_on_a_phone(live_server, offline):
    page = offline
    build_pages()
    persona(page, live_server, "progressed")
    open_page(page, live_server, "/program/")

    height = page.evaluate("document.body.scrollHeight")

    assert height < 5000, f"{height}px"  # 6,583px before the dashboard was reshaped


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_chart_labels_keep_one_readable_size_and_the_chart_fills_its_card(
    live_server, offline, viewport
):
    page = offline
    build_pages()
    persona(page, live_server, "progressed")
    open_page(page, live_server, "/program/", viewport=viewport)
    chart = page.locator(".chart").first

    heights = chart.locator("text.chart-label").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().height)"
    )
    card = chart.locator("xpath=ancestor::section[1]").evaluate(
        """el => { const r = el.getBoundingClientRect(), s = getComputedStyle(el);
                   const inset = side => parseFloat(s['padding' + side])
                                         + parseFloat(s['border' + side + 'Width']);
                   return [r.left + inset('Left'), r.right - inset('Right')]; }"""
    )
    frame = chart.locator(".chart__frame").bounding_box()

    assert heights
    assert all(15 <= h <= 20 for h in heights), heights  # 14px type, unscaled
    assert abs(frame["x"] - card[0]) <= 1
    assert abs(frame["x"] + frame["width"] - card[1]) <= 1


def test_the_date_labels_do_not_overlap_on_a_phone(live_server, offline):
    page = offline
    build_pages()
    persona(page, live_server, "progressed")
    open_page(page, live_server, "/program/")

    boxes = sorted(
        page.locator(".chart__svg text.chart-label").evaluate_all(
            "els => els.map(e => [e.getBoundingClientRect().left, e.getBoundingClientRect().right])"
        )
    )

    assert len(boxes) >= 2
    assert all(right + 4 <= left for (_, right), (left, _) in itertools.pairwise(boxes)), boxes


def test_every_routine_is_named_in_full_once(live_server, offline):
    page = offline
    build_pages()
    persona(page, live_server, "progressed")
    open_page(page, live_server, "/program/")

    for fold in page.locator("details.path-phase__fold summary").all():
        fold.click()  # the phases ahead, opened: their routines are named in full too
    for routine in Routine.objects.all():
        title = page.locator(".path-step__title", has_text=routine.title)
        expect(title).to_have_count(1)
        expect(title).to_have_text(routine.title)
        expect(title).to_be_visible()


def test_a_new_member_sees_phase_one_as_a_path_from_its_first_step(live_server, offline):
    page = offline
    build_pages()
    persona(page, live_server, "new")
    open_page(page, live_server, "/program/")
    steps = page.locator(".path-phase").first.locator("li.path-step")

    expect(steps.first).to_have_class("path-step path-step--current")
    expect(steps.first).to_contain_text("You're here")
    expect(steps.nth(1)).to_contain_text("Locked")
    expect(page.locator(".path-phase__fold")).to_have_count(2)
    expect(page.locator(".today").get_by_role("link", name="Report a flare-up")).to_be_visible()


def test_the_unlock_rule_shows_each_part_with_its_count(live_server, offline):
    page = offline
    build_pages()
    persona(page, live_server, "progressed")
    open_page(page, live_server, "/program/")
    parts = page.locator("#unlock .unlock__clause")

    expect(parts).to_have_count(3)
    for i in range(3):
        expect(parts.nth(i).locator(".unlock__count")).to_have_text(re.compile(r"^\d+ of \d+"))
    expect(page.locator("#unlock")).to_contain_text("Still to do:")


def test_the_week_and_the_pain_are_said_from_real_numbers(live_server, offline):
    page = offline
    build_pages()
    persona(page, live_server, "progressed")
    open_page(page, live_server, "/program/")
    stats = page.locator(".next-routine .stats")

    expect(stats).to_contain_text("sessions this week")
    # The demo fortnight starts at 3, 4, 2 and ends at 6, 3, 3: worst pain went up, so
    # nothing claims it came down.
    expect(stats).not_to_contain_text("down since you started")
