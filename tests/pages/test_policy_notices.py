"""A material change to the privacy notice or terms is shown to signed-in members once."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from members.models import User
from pages import services
from pages.models import PageKind, PolicyNoticeSeen
from tests.factories import UserFactory, site_page

pytestmark = pytest.mark.django_db

NOTICE = "We've updated our privacy notice:"
CHANGE = "We now delete Program data after a year without activity."


def material_change(kind=PageKind.PRIVACY, *, note=CHANGE, material=True):
    page = site_page(kind)
    return services.page_save(
        page=page,
        title=page.title,
        summary=page.summary,
        body=page.body + "\n\nSomething that matters.",
        material=material,
        change_note=note if material else "",
    )


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def member_from_before(db):
    with time_machine.travel(dt.datetime(2026, 1, 1, tzinfo=dt.UTC)):
        return UserFactory(email="early@example.com")


def test_a_member_sees_the_change_once_with_a_link(member_from_before):
    material_change()
    client = signed_in(member_from_before)

    first = client.get("/episodes/").text
    second = client.get("/episodes/").text

    assert NOTICE in first
    assert CHANGE in first
    assert 'href="/privacy/">Read the privacy notice</a>' in first
    assert NOTICE not in second
    assert PolicyNoticeSeen.objects.filter(user=member_from_before).count() == 1
    member_from_before.refresh_from_db()
    assert not member_from_before.policy_notice_due  # the next pages ask nothing


def test_the_notice_stays_gone_in_a_new_session(member_from_before):
    material_change()
    signed_in(member_from_before).get("/")

    assert NOTICE not in signed_in(member_from_before).get("/").text


def test_a_change_to_the_terms_is_told_in_its_own_words(member_from_before):
    material_change(PageKind.TERMS, note="Refunds within 14 days of a yearly renewal.")

    html = signed_in(member_from_before).get("/").text

    assert "We've updated our terms of membership:" in html
    assert "Refunds within 14 days of a yearly renewal." in html


def test_a_member_who_joined_after_the_change_is_not_told(db):
    material_change()
    newcomer = UserFactory(email="late@example.com")

    assert NOTICE not in signed_in(newcomer).get("/").text


def test_a_change_that_is_not_material_tells_no_one(member_from_before):
    material_change(material=False)

    assert NOTICE not in signed_in(member_from_before).get("/").text


def test_visitors_never_see_the_notice(member_from_before, visitor):
    material_change()

    assert NOTICE not in visitor.get("/").text


def test_a_second_change_is_told_after_the_first_was_seen(member_from_before):
    material_change(note="First change.")
    client = signed_in(member_from_before)
    client.get("/")

    material_change(note="Second change.")
    html = client.get("/").text

    assert "Second change." in html
    assert "First change." not in html


def test_a_change_to_the_other_page_does_not_repeat_the_one_seen(member_from_before):
    material_change(PageKind.PRIVACY, note="Privacy change.")
    client = signed_in(member_from_before)
    client.get("/")

    material_change(PageKind.TERMS, note="Terms change.")
    html = client.get("/").text

    assert "Terms change." in html
    assert "Privacy change." not in html


def test_closing_the_notice_returns_to_the_page_and_it_never_shows_again(member_from_before):
    version = material_change()
    client = signed_in(member_from_before)

    response = client.post(
        "/notices/dismiss/", {"version": str(version.pk), "next": "/episodes/?page=2"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/episodes/?page=2"
    assert PolicyNoticeSeen.objects.filter(user=member_from_before, version=version).exists()
    assert NOTICE not in client.get("/").text


def test_closing_never_sends_the_member_to_another_site(member_from_before):
    version = material_change()
    response = signed_in(member_from_before).post(
        "/notices/dismiss/", {"version": str(version.pk), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_closing_with_a_made_up_version_changes_nothing(member_from_before):
    response = signed_in(member_from_before).post("/notices/dismiss/", {"version": "99999x"})
    assert response.status_code == 302
    assert not PolicyNoticeSeen.objects.exists()


def test_a_signed_in_page_asks_nothing_more_when_there_is_nothing_to_tell(
    member_from_before, django_assert_num_queries
):
    client = signed_in(member_from_before)
    client.get("/subscribe/")
    material_change(material=False)
    # The user, and their membership for the header's "Join premium"; the session comes
    # from the cache. Nothing about notices: the user row says there is none.
    with django_assert_num_queries(2):
        client.get("/subscribe/")


def test_only_members_from_before_the_change_are_flagged(member_from_before):
    with time_machine.travel(dt.datetime(2026, 9, 1, tzinfo=dt.UTC)):
        UserFactory(email="later@example.com")
    with time_machine.travel(dt.datetime(2026, 6, 2, tzinfo=dt.UTC)):
        material_change()

    flagged = set(User.objects.filter(policy_notice_due=True).values_list("email", flat=True))
    assert flagged == {"early@example.com"}
