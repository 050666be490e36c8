"""A guest comments on an episode, staff approve it in the admin, and it appears for everyone."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, EpisodeFactory, StaffFactory

pytestmark = pytest.mark.e2e

COMMENT = "The hip hinge drill eased my morning stiffness within a week."


def test_guest_comment_is_moderated_then_shown(live_server, page, browser):
    EpisodeFactory(
        title="Hinge from the hips",
        slug="hinge-from-the-hips",
        body="## Why hinging matters\n\nBending from the hips keeps your spine steady.",
    )
    staff = StaffFactory(email="moderator@example.com")

    # A visitor finds this week's episode from the home page and reads it.
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Read this week's episode").click()
    expect(page).to_have_url(re.compile(r"/episodes/hinge-from-the-hips/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hinge from the hips")
    expect(page.locator(".prose")).to_contain_text("keeps your spine steady")
    expect(page.locator("#comments-title")).to_have_text("0 comments")

    # They comment as a guest and are told it waits for a moderator.
    page.get_by_label("Your name", exact=True).fill("Dana")
    page.get_by_label("Your email", exact=True).fill("dana@example.com")
    page.get_by_label("Your comment", exact=True).fill(COMMENT)
    page.get_by_role("button", name="Post comment").click()

    expect(page.locator(".messages")).to_contain_text("awaiting moderation")
    pending = page.locator(".comment", has_text=COMMENT)
    expect(pending).to_be_visible()
    expect(pending.locator(".comment__author")).to_have_text("Dana")
    expect(pending.locator(".badge--pending")).to_have_text("Awaiting moderation")
    expect(page.locator("#comments-title")).to_have_text("0 comments")

    # Staff sign in to the admin and approve it from the moderation queue.
    staff_context = browser.new_context()
    admin = staff_context.new_page()
    admin.set_default_timeout(10_000)
    admin.goto(live_server.url + "/admin/")
    admin.get_by_label("Email").fill(staff.email)
    admin.get_by_label("Password").fill(PASSWORD)
    admin.get_by_role("button", name="Log in").click()
    admin.get_by_role("link", name="Comments awaiting moderation", exact=True).first.click()
    row = admin.locator("#result_list tbody tr", has_text=COMMENT)
    expect(row).to_have_count(1)
    row.get_by_role("checkbox").check()
    admin.locator("select[name=action]").select_option(label="Approve selected comments")
    admin.get_by_role("button", name="Go").click()
    expect(admin.locator(".messagelist")).to_contain_text("Approved 1 comment(s).")
    expect(admin.locator("#result_list tbody tr", has_text=COMMENT)).to_have_count(0)
    staff_context.close()

    # The visitor reloads: the comment is published and counted.
    page.reload()
    approved = page.locator(".comment", has_text=COMMENT)
    expect(approved).to_be_visible()
    expect(approved.locator(".badge--pending")).to_have_count(0)
    expect(page.locator("#comments-title")).to_have_text("1 comment")

    # And anyone else sees it too, not only the person who wrote it.
    stranger = browser.new_context()
    other = stranger.new_page()
    other.goto(live_server.url + "/episodes/hinge-from-the-hips/")
    expect(other.locator(".comment", has_text=COMMENT)).to_be_visible()
    expect(other.locator("#comments-title")).to_have_text("1 comment")
    stranger.close()
