"""The home page speaks to who is reading: premium members are taken into their Program,
never sold what they already have; visitors and free members keep a way to join."""

import datetime as dt

import pytest
from django.utils import timezone

from members.models import Membership
from programs.models import MemberProgress
from tests.factories import EpisodeFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

JOIN_LINK = 'href="/membership/"'
PROGRAM_LINK = 'href="/program/"'


@pytest.fixture(autouse=True)
def an_episode(db):
    return EpisodeFactory()


def program_panel(html: str) -> str:
    return html.split('class="panel panel--accent home-program"')[1].split("</section>")[0]


def test_visitor_is_offered_premium(visitor):
    html = visitor.get("/").text

    assert JOIN_LINK in program_panel(html)
    assert "Join premium" in program_panel(html)
    assert "Go to your Program" not in html


def test_free_member_is_offered_premium(client, free_member):
    client.force_login(free_member)
    html = client.get("/").text

    assert JOIN_LINK in program_panel(html)
    assert "Join premium" in html
    assert "Go to your Program" not in html


def test_premium_member_is_not_sold_premium(client, premium_member):
    client.force_login(premium_member)
    html = client.get("/").text

    assert "Join premium" not in html
    assert JOIN_LINK not in html
    assert "See how the Program works" not in html
    assert "badge--premium" not in program_panel(html)


def test_premium_member_who_started_is_taken_into_their_program(client, premium_member):
    MemberProgress.objects.create(user=premium_member, started_at=timezone.now())
    client.force_login(premium_member)
    panel = program_panel(client.get("/").text)

    assert "Go to your Program" in panel
    assert PROGRAM_LINK in panel


def test_premium_member_who_has_not_started_is_asked_to_start(client, premium_member):
    client.force_login(premium_member)
    panel = program_panel(client.get("/").text)

    assert "Start your Program" in panel
    assert PROGRAM_LINK in panel


def test_complimentary_member_is_not_sold_premium(client):
    member = MembershipFactory(
        user=UserFactory(email="guest.of.honour@example.com"),
        status=Membership.Status.NONE,
        stripe_subscription_id="",
        complimentary_until=timezone.localdate() + dt.timedelta(days=30),
    ).user
    client.force_login(member)
    html = client.get("/").text

    assert "Join premium" not in html
    assert "Start your Program" in program_panel(html)


def test_lapsed_member_is_offered_premium_again(client):
    member = MembershipFactory(
        user=UserFactory(email="lapsed@example.com"), status=Membership.Status.CANCELED
    ).user
    client.force_login(member)
    html = client.get("/").text

    assert JOIN_LINK in program_panel(html)
