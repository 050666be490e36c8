"""The cookie statement lists exactly the cookies the site sets, each with its purpose and
lifetime, as the privacy notice shows them."""

import pytest
from django.test import Client

from pages.cookies import site_cookies
from programs.demo import program_load_demo
from tests.factories import PASSWORD, site_page

pytestmark = pytest.mark.django_db


def _csrf(client: Client) -> dict:
    return {"csrfmiddlewaretoken": client.cookies["csrftoken"].value}


def cookies_the_site_sets(episode, free_member, premium_member) -> set[str]:
    """Walk what people do here, as a browser would (with CSRF checks on), and collect the
    name of every cookie any response sets."""
    seen: set[str] = set()

    def note(response):
        seen.update(response.cookies.keys())
        return response

    guest = Client(enforce_csrf_checks=True)
    for url in ("/", "/episodes/", episode.get_absolute_url(), "/program/", "/privacy/"):
        note(guest.get(url))
    note(guest.get(episode.get_absolute_url() + "?reply_to=1"))
    note(guest.get("/subscribe/"))
    note(guest.post("/subscribe/", {"email": "reader@example.com"}))
    note(guest.get("/accounts/signup/"))
    note(
        guest.post(
            f"/episodes/{episode.slug}/comments/",
            {"name": "Alex", "email": "alex@example.com", "body": "Thank you.", **_csrf(guest)},
        )
    )
    note(guest.get(episode.get_absolute_url()))  # the "awaiting moderation" message, read

    for user, remember in ((free_member, False), (premium_member, True)):
        member = Client(enforce_csrf_checks=True)
        note(member.get("/accounts/login/"))
        login = {"login": user.email, "password": PASSWORD, **_csrf(member)}
        if remember:
            login["remember"] = "on"
        note(member.post("/accounts/login/", login))
        note(member.get("/account/"))
        note(
            member.post(
                "/account/", {"form": "display_name", "display_name": "Kit", **_csrf(member)}
            )
        )
        note(member.get("/account/"))
        note(member.get("/program/"))
        note(member.post("/accounts/logout/", _csrf(member)))
    return seen


def test_the_statement_names_exactly_the_cookies_the_site_sets(
    episode, free_member, premium_member
):
    site_page("privacy")
    program_load_demo()

    set_by_site = cookies_the_site_sets(episode, free_member, premium_member)

    assert set_by_site == {cookie.name for cookie in site_cookies()}


def test_the_privacy_notice_shows_each_cookie_with_its_purpose_and_lifetime(visitor):
    site_page("privacy")
    html = visitor.get("/privacy/").text

    assert '<h2 id="cookies">Cookies</h2>' in html
    for cookie in site_cookies():
        assert f"<code>{cookie.name}</code>" in html
        assert cookie.purpose in html
    assert "2 weeks if you tick “Remember me”" in html  # SESSION_COOKIE_AGE, two weeks
    assert "One year" in html  # CSRF_COOKIE_AGE, 52 weeks
    assert "nothing loads from YouTube until you press play" in html


def test_the_lifetimes_follow_the_settings(settings):
    settings.SESSION_COOKIE_AGE = 30 * 86400
    settings.CSRF_COOKIE_AGE = 7 * 86400
    lifetimes = {cookie.name: cookie.lifetime for cookie in site_cookies()}
    assert lifetimes["sessionid"].endswith("30 days if you tick “Remember me”")
    assert lifetimes["csrftoken"] == "one week"


def test_other_pages_carry_no_cookie_statement(visitor):
    site_page("terms")
    assert 'id="cookies"' not in visitor.get("/terms/").text
