"""A visitor comments from an episode page that came from the page cache.

The cached page carries no per-visitor CSRF token; the browser's own Origin header is what
lets the comment through (common/origin_check.py). With and without JavaScript.
"""

import pytest
from playwright.sync_api import expect

from tests.factories import EpisodeFactory

pytestmark = pytest.mark.e2e

COMMENT = "Walking after lunch has helped my back more than I expected."


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_visitor_comments_from_a_cached_page(live_server, browser, javascript):
    episode = EpisodeFactory(title="Walk it off", slug="walk-it-off")
    url = live_server.url + episode.get_absolute_url()

    # Someone else reads the page first, so it is in the cache.
    first_reader = browser.new_context()
    assert first_reader.new_page().goto(url).headers["x-cache"] == "miss"
    first_reader.close()

    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(10_000)
    response = page.goto(url)
    assert response.headers["x-cache"] == "hit"
    assert "csrfmiddlewaretoken" not in page.content()

    page.get_by_label("Your name", exact=True).fill("Robin")
    page.get_by_label("Your email", exact=True).fill("robin@example.com")
    page.get_by_label("Your comment", exact=True).fill(COMMENT)
    page.get_by_role("button", name="Post comment").click()

    expect(page.locator(".messages")).to_contain_text("awaiting moderation")
    expect(page.locator(".comment", has_text=COMMENT)).to_be_visible()
    context.close()
