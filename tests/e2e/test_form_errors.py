"""A form that comes back with errors opens at the form, with the error summary focused."""

import pytest
from playwright.sync_api import expect

from tests.factories import EpisodeFactory

pytestmark = pytest.mark.e2e

LONG_ARTICLE = "\n\n".join(
    f"## Part {n}\n\n" + "Bending from the hips keeps your spine steady. " * 40 for n in range(12)
)


@pytest.mark.parametrize("width", [390, 1280])
def test_failed_comment_opens_at_the_form_with_the_summary_focused(live_server, page, width):
    EpisodeFactory(title="Hinge from the hips", slug="hinge-from-the-hips", body=LONG_ARTICLE)
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(live_server.url + "/episodes/hinge-from-the-hips/")

    page.get_by_role("button", name="Post comment").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    links = summary.get_by_role("link")
    expect(links).to_have_count(3)
    expect(links.nth(0)).to_contain_text("Your name")
    expect(links.nth(1)).to_contain_text("Your email")
    expect(links.nth(2)).to_contain_text("Your comment")

    # Each invalid field is marked, tells a screen reader why, and a link focuses it.
    for label in ("Your name", "Your email", "Your comment"):
        field = page.get_by_label(label, exact=True)
        expect(field).to_have_attribute("aria-invalid", "true")
        error_id = f"{field.get_attribute('id')}_error"
        assert error_id in field.get_attribute("aria-describedby").split()
    links.nth(2).click()
    expect(page.get_by_label("Your comment", exact=True)).to_be_focused()
    expect(page.get_by_label("Your comment", exact=True)).to_be_in_viewport()


def test_every_invalid_input_has_a_red_border(live_server, page):
    EpisodeFactory(title="Hinge from the hips", slug="hinge-from-the-hips")
    page.goto(live_server.url + "/episodes/hinge-from-the-hips/")
    plain = page.get_by_label("Your name", exact=True).evaluate(
        "el => getComputedStyle(el).borderTopColor"
    )

    page.get_by_role("button", name="Post comment").click()

    for label in ("Your name", "Your email", "Your comment"):
        colour = page.get_by_label(label, exact=True).evaluate(
            "el => getComputedStyle(el).borderTopColor"
        )
        assert colour != plain, label
        assert colour == "rgb(155, 28, 28)", label  # --error-text
