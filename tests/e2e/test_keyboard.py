"""Keyboard use and the privacy-friendly video: skip link, visible focus, click-to-load YouTube."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.site_content import YOUTUBE_ID, build_site_content

pytestmark = pytest.mark.e2e

YOUTUBE_HOSTS = re.compile(
    r"^https?://([a-z0-9-]+\.)*(youtube\.com|youtube-nocookie\.com|ytimg\.com)/"
)
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cfc0f01f0005000201a2d1f5a60000000049454e44ae426082"
)

FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    text: (el.innerText || el.value || "").trim().slice(0, 60),
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth),
  };
}"""


@pytest.fixture
def youtube_requests(offline):
    """Answer YouTube and its image host locally, and note every request made to them."""
    seen = []

    def answer(route):
        seen.append(route.request.url)
        if "ytimg.com" in route.request.url:
            route.fulfill(status=200, content_type="image/png", body=PIXEL)
        else:
            route.fulfill(status=200, content_type="text/html", body="<title>Video</title>")

    offline.route(YOUTUBE_HOSTS, answer)
    return seen


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(live_server, page):
    build_site_content()
    page.goto(live_server.url + "/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    assert page.url.endswith("#main")


@pytest.mark.parametrize("path", ["/", "/episodes/hinge-from-the-hips/"])
def test_focus_is_visible_on_links_and_buttons(live_server, page, path):
    build_site_content()
    page.goto(live_server.url + path)

    seen = []
    for _ in range(120):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["tag"] == "body":
            break
        seen.append(focused)
        if any(f["tag"] == "button" for f in seen) and len(seen) >= 15:
            break

    kinds = {f["tag"] for f in seen}
    assert {"a", "button"} <= kinds, f"Tabbing never reached a link and a button: {seen}"
    invisible = [f for f in seen if f["outlineStyle"] == "none" or f["outlineWidth"] < 2]
    assert not invisible, f"No visible focus outline on: {invisible}"


def test_video_loads_nothing_from_youtube_until_play(live_server, page, youtube_requests):
    content = build_site_content()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + content.episode.get_absolute_url())
    page.wait_for_load_state("networkidle")

    facade = page.locator(".video-facade")
    expect(facade).to_be_visible()
    assert youtube_requests == [], "Nothing may load from YouTube or Google before play"
    expect(facade.locator("iframe")).to_have_count(0)

    # Wait for the player's own request rather than for the network to go quiet, which
    # on a busy machine can happen before the iframe has asked for anything.
    with page.expect_request(re.compile(r"^https://www\.youtube-nocookie\.com/")):
        page.get_by_role("link", name=re.compile(r"^Play video")).click()

    iframe = facade.locator("iframe")
    expect(iframe).to_have_attribute(
        "src", re.compile(rf"^https://www\.youtube-nocookie\.com/embed/{YOUTUBE_ID}\b")
    )
    after = list(youtube_requests)
    assert after, "Pressing play should load the player"
    assert all(url.startswith("https://www.youtube-nocookie.com/") for url in after), after
