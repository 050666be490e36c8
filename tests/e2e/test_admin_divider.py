"""Staff save an episode in the admin, and its members-only part stays members-only.

A browser submits a <textarea> with CRLF line endings, so pressing Save on an unchanged
episode rewrites its body with "\r\n" everywhere. The members-only divider must still cut.
"""

import re

import pytest
from playwright.sync_api import expect

from episodes.models import Episode
from tests.factories import PASSWORD, EpisodeFactory, StaffFactory

pytestmark = pytest.mark.e2e

PUBLIC_PARAGRAPH = "Bending from the hips keeps your spine steady."
MEMBERS_WORD = "zygapophyseal"
MEMBERS_HEADING = "The loaded carry routine"
SECRET_PARAGRAPH = f"Your {MEMBERS_WORD} joints like three sets of slow carries."


def test_saving_in_the_admin_keeps_the_members_only_part_from_visitors(live_server, page, browser):
    episode = EpisodeFactory(
        title="Hinge from the hips",
        slug="hinge-from-the-hips",
        body=(
            f"## Why hinging matters\n\n{PUBLIC_PARAGRAPH}\n\n"
            "<!-- members-only -->\n\n"
            f"## {MEMBERS_HEADING}\n\n{SECRET_PARAGRAPH}\n"
        ),
    )
    staff = StaffFactory(email="editor@example.com")

    # Staff sign in to the admin, open the episode and press Save without changing it.
    page.goto(live_server.url + "/admin/")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/admin/episodes/episode/{episode.pk}/change/")
    expect(page.locator("textarea[name=body]")).to_contain_text(SECRET_PARAGRAPH)
    page.locator("input[name=_save]").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    expect(page).to_have_url(re.compile(r"/admin/episodes/episode/$"))

    # A visitor, with no account, reads the public part and never the members-only one.
    visitor = browser.new_context().new_page()
    visitor.set_default_timeout(10_000)
    visitor.goto(f"{live_server.url}/episodes/hinge-from-the-hips/")
    expect(visitor.locator(".prose").first).to_contain_text(PUBLIC_PARAGRAPH)
    expect(visitor.get_by_text(SECRET_PARAGRAPH)).to_have_count(0)
    toc = visitor.locator("nav.toc")
    expect(toc).to_contain_text("Why hinging matters")
    expect(toc).not_to_contain_text(MEMBERS_HEADING)
    assert MEMBERS_WORD not in visitor.content()

    # Searching for a word only the members-only part uses finds nothing for them.
    visitor.goto(f"{live_server.url}/search/?q={MEMBERS_WORD}")
    expect(visitor.get_by_role("link", name="Hinge from the hips")).to_have_count(0)
    visitor.context.close()

    # The body was kept, stored with "\n" line endings, and the changelist says it has a
    # members-only part.
    stored = Episode.objects.get(pk=episode.pk).body
    assert SECRET_PARAGRAPH in stored
    assert "\r" not in stored
    row = page.locator("#result_list tbody tr", has_text="Hinge from the hips")
    expect(row.locator("td.field-members_only_part img")).to_have_attribute("alt", "True")
