"""The demo site (`seed_demo`, as `make run` loads it) in Chromium: the episode's audio
really plays for its stated length, and the pages the demo fills (an episode with its
player and members-only part, a routine, an exercise with its drawing) pass axe-core at
390 and 1280 px, light and dark.

The site is served as `make run` serves it, DEBUG on, so /media/ (the audio, the drawings)
comes from the development media view, with byte ranges.
"""

import importlib.util
import sys
from io import StringIO

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

import backinshape.urls
from episodes.models import Episode
from tests.e2e.test_accessibility import format_violations

pytestmark = pytest.mark.e2e

VIEWPORTS = {"phone": {"width": 390, "height": 800}, "desktop": {"width": 1280, "height": 900}}
DEMO_PASSWORD = "backinshape"  # members.demo.DEMO_PASSWORD, the demo logins' password

axe = Axe()


@pytest.fixture
def browser_context_args(browser_context_args):
    # axe-core is injected as an inline script, which the site's CSP rightly forbids.
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture
def demo_site(settings, tmp_path):
    """The demo content, with its files in a folder of the test's own, served at /media/."""
    settings.MEDIA_ROOT = tmp_path
    settings.DEBUG = True
    spec = importlib.util.spec_from_file_location(
        "backinshape._demo_urls", backinshape.urls.__file__
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules["backinshape._demo_urls"] = module
    settings.ROOT_URLCONF = "backinshape._demo_urls"
    call_command("seed_demo", "--demo-users", stdout=StringIO())
    yield
    del sys.modules["backinshape._demo_urls"]


def sign_in(page, live_server, email: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


# Media events may never come (a player that loads nothing until pressed, a file that
# never answers): each wait gives up after 10 seconds, so the test fails rather than hangs.
PLAY_FOR_A_MOMENT = """async (audio) => {
    const giveUp = (what) => new Promise((_, failed) =>
        setTimeout(() => failed(new Error(`${what} after 10 s`)), 10000));
    if (audio.readyState < 1) {
        await Promise.race([
            new Promise((loaded, failed) => {
                audio.addEventListener("loadedmetadata", loaded, { once: true });
                audio.addEventListener("error", () => failed(new Error("cannot load it")));
            }),
            giveUp("no length known"),
        ]);
    }
    const duration = audio.duration;
    audio.muted = true;
    await Promise.race([audio.play(), giveUp("not playing")]);
    await new Promise((wait) => setTimeout(wait, 1500));
    audio.pause();
    return { duration, playedTo: audio.currentTime };
}"""


def test_a_demo_episodes_audio_plays_for_the_length_the_page_gives(live_server, offline, demo_site):
    page = offline
    episode = Episode.objects.published().order_by("-publish_at").first()
    page.goto(live_server.url + episode.get_absolute_url())

    heard = page.locator("audio").evaluate(PLAY_FOR_A_MOMENT)

    assert heard["duration"] == pytest.approx(episode.audio_duration, abs=0.6)
    assert heard["playedTo"] > 0.5  # decoded and playing, not merely found
    assert f"{episode.audio_duration} sec" in page.locator(".eyebrow").first.text_content()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_demo_pages_have_no_axe_violations(live_server, offline, demo_site, scheme):
    page = offline
    sign_in(page, live_server, "member@example.com")
    episode = Episode.objects.published().with_members_only_part().order_by("number").first()
    pages = {
        "episode with its player, in full": episode.get_absolute_url(),
        "routine with why it helps": "/program/build-the-base/learning-the-hinge/",
        "exercise with its drawing": "/program/exercises/dowel-hip-hinge/",
    }
    page.emulate_media(color_scheme=scheme)
    found = []
    for viewport, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        for name, path in pages.items():
            page.goto(live_server.url + path)
            violations = axe.run(page).response["violations"]
            if violations:
                found.append(f"{name} ({path}) at {viewport} width:\n")
                found.append(format_violations(violations))

    assert not found, f"accessibility violations in the {scheme} scheme:\n" + "\n".join(found)
