"""Download all my data: one JSON file with every section, and only the member's own rows."""

import datetime as dt
import json

import pytest

from members.exports import member_data_export
from programs import services as program_services
from programs.demo import program_load_demo
from programs.models import Unlock
from tests.factories import (
    CommentFactory,
    MembershipFactory,
    PlanFactory,
    ProgramConsentFactory,
    UserFactory,
)
from tests.programs.factories import CheckInFactory, SessionLogFactory

pytestmark = pytest.mark.django_db

EXPORT_URL = "/account/export.json"


@pytest.fixture
def two_members(db):
    """A premium member with a little of everything, and another member with their own."""
    program_load_demo()
    plan = PlanFactory(name="Monthly")
    me = MembershipFactory(
        user=UserFactory(email="me@example.com", display_name="Mo"), plan=plan
    ).user
    other = MembershipFactory(user=UserFactory(email="other@example.com", display_name="Ola")).user
    for user, word in ((me, "mine"), (other, "theirs")):
        ProgramConsentFactory(user=user)
        program_services.program_start(user=user)
        routine = Unlock.objects.filter(user=user).get().routine
        session = SessionLogFactory(
            user=user, routine=routine, date=dt.date(2026, 3, 2), worst_pain=4, note=f"{word} note"
        )
        CheckInFactory(session=session, pain="better", stiffness="same")
        CommentFactory(user=user, email=user.email, body=f"{word} comment")
    return me, other


def test_the_download_is_an_attachment_with_every_section(client, two_members):
    me, _ = two_members
    client.force_login(me)

    response = client.get(EXPORT_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="back-in-shape-my-data.json"'
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert set(data) == {"account", "membership", "comments", "program"}
    assert data["account"]["email"] == "me@example.com"
    assert data["account"]["display_name"] == "Mo"
    assert data["account"]["preferences"] == {"sunday_email": True, "checkin_reminders": True}
    assert data["account"]["date_joined"]
    assert data["membership"]["status"] == "Active"
    assert data["membership"]["plan"] == "Monthly"
    assert data["membership"]["current_period_end"]
    [comment] = data["comments"]
    assert comment["body"] == "mine comment"
    assert comment["status"] == "Approved"
    assert comment["episode"]
    assert comment["date"]
    program = data["program"]
    assert program["progress"]["started_at"]
    assert [u["routine"] for u in program["unlocks"]] == ["First bridges"]
    [session] = program["sessions"]
    assert session["note"] == "mine note"
    assert session["checkin"]["pain"] == "Better than usual"
    assert session["grade"] == "Amber"
    assert [e["kind"] for e in program["progress_events"]] == ["Started", "Unlocked"]
    [consent] = program["consent"]
    assert consent["given_at"]
    assert consent["privacy_notice_version"] == 1
    assert consent["ended_at"] is None


def test_the_download_holds_none_of_another_members_data(client, two_members):
    me, _ = two_members
    client.force_login(me)

    text = client.get(EXPORT_URL).content.decode()

    assert "other@example.com" not in text
    assert "Ola" not in text
    assert "theirs" not in text


def test_the_download_holds_no_stripe_ids(client, two_members):
    me, _ = two_members
    membership = me.membership
    client.force_login(me)

    text = client.get(EXPORT_URL).content.decode()

    assert membership.stripe_customer_id not in text
    assert membership.stripe_subscription_id not in text
    assert "stripe" not in text.lower()


def test_a_member_with_nothing_yet_gets_empty_sections(free_member):
    data = member_data_export(user=free_member)
    assert data["membership"] is None
    assert data["comments"] == []
    assert data["program"] == {
        "progress": None,
        "consent": [],
        "unlocks": [],
        "sessions": [],
        "progress_events": [],
    }


def test_a_visitor_is_sent_to_sign_in(client):
    response = client.get(EXPORT_URL)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={EXPORT_URL}"


def test_the_download_refuses_a_post(client, free_member):
    client.force_login(free_member)
    assert client.post(EXPORT_URL).status_code == 405


def test_the_account_page_links_to_the_download(client, free_member):
    client.force_login(free_member)
    assert f'href="{EXPORT_URL}" download' in client.get("/account/").text
