"""Withdrawing consent from the account page: a copy offered first, a confirmation, then the
Program's health data deleted, and nothing else."""

import datetime as dt
import json

import pytest

from members.models import Membership
from programs import services
from programs.models import (
    CheckIn,
    CheckInReminder,
    MemberProgress,
    ProgramConsent,
    ProgressEvent,
    SessionLog,
    Unlock,
    UnlockMethod,
)
from tests.factories import (
    CommentFactory,
    MembershipFactory,
    ProgramConsentFactory,
    StaffFactory,
    UserFactory,
)
from tests.programs.conftest import add_session, on_day

pytestmark = pytest.mark.django_db

PAGE = "/account/program-data/"


@pytest.fixture
def with_history(member, routines, time_machine):
    """The member with a fortnight of Program data: sessions with check-ins and a reminder,
    a flare-up paused and resumed, a routine staff opened with a reason about their health,
    a comment, and another member with Program data of their own."""
    for day in (0, 2, 4, 6):
        add_session(member, routines[0], day, worst=day % 4)
    CheckInReminder.objects.create(session=SessionLog.objects.filter(user=member).first())
    staff = StaffFactory()
    services.routine_unlock_by_staff(
        user=member, routine=routines[2], staff=staff, reason="Physio cleared her knee."
    )
    time_machine.move_to(on_day(8))
    services.program_pause(user=member, reason="flare_up", by=member, note="Reported a flare-up.")
    services.program_resume(user=member, by=member)
    CommentFactory(user=member, email=member.email, body="Bridges helped.")

    other = MembershipFactory(user=UserFactory(email="someone.else@example.com")).user
    ProgramConsentFactory(user=other)
    services.program_start(user=other)
    add_session(other, routines[0], 1)
    return member, other


def counts(user) -> dict[str, int]:
    return {
        "sessions": SessionLog.objects.filter(user=user).count(),
        "checkins": CheckIn.objects.filter(session__user=user).count(),
        "reminders": CheckInReminder.objects.filter(session__user=user).count(),
        "events": ProgressEvent.objects.filter(user=user).count(),
        "progress": MemberProgress.objects.filter(user=user).count(),
        "unlocks": Unlock.objects.filter(user=user).count(),
    }


def test_the_account_page_offers_to_withdraw(client, with_history):
    member, _ = with_history
    client.force_login(member)
    html = client.get("/account/").text

    assert "that we keep your sessions, check-ins and safety answers" in html
    assert f'href="{PAGE}">Withdraw consent and delete Program data…</a>' in html


def test_the_account_page_says_nothing_to_someone_without_program_data(client, free_member):
    client.force_login(free_member)
    assert PAGE not in client.get("/account/").text


def test_the_withdrawal_page_offers_a_copy_before_the_button(client, with_history):
    member, _ = with_history
    client.force_login(member)
    html = client.get(PAGE).text

    export = html.index('href="/account/export.json"')
    csv = html.index('href="/program/history.csv"')
    button = html.index("Withdraw consent and delete my Program data</button>")
    assert export < button
    assert csv < button
    assert "can't be undone" in html


def test_the_copy_holds_the_program_data_that_withdrawal_deletes(client, with_history):
    member, _ = with_history
    client.force_login(member)

    program = json.loads(client.get("/account/export.json").content)["program"]

    assert len(program["sessions"]) == 4
    assert all(session["checkin"] for session in program["sessions"])
    kinds = {event["kind"] for event in program["progress_events"]}
    assert {"Started", "Unlocked", "Paused", "Resumed"} <= kinds
    assert program["progress"]["started_at"]
    assert program["consent"][0]["privacy_notice_version"] == 1


def test_without_the_box_ticked_nothing_is_deleted(client, with_history):
    member, _ = with_history
    before = counts(member)
    client.force_login(member)

    response = client.post(PAGE, {})

    assert response.status_code == 400
    assert "Tick the box to confirm you want your Program data deleted." in response.text
    assert counts(member) == before


def test_withdrawing_deletes_the_health_data_and_nothing_else(client, with_history, routines):
    member, other = with_history
    others_before = counts(other)
    client.force_login(member)

    response = client.post(PAGE, {"confirm": "on"})

    assert response.status_code == 302
    assert response["Location"] == "/account/"
    assert counts(member) == {
        "sessions": 0,
        "checkins": 0,
        "reminders": 0,
        "events": 0,
        "progress": 0,
        "unlocks": 2,  # the routines they opened stay open for them to read
    }
    staff_unlock = Unlock.objects.get(user=member, method=UnlockMethod.STAFF)
    assert staff_unlock.reason == services.STAFF_UNLOCK_REASON_CLEARED  # no word of her knee
    consent = ProgramConsent.objects.get(user=member)
    assert consent.ended_at is not None
    assert consent.end_reason == ProgramConsent.EndReason.WITHDRAWN
    member.refresh_from_db()  # the account, membership and comments are untouched
    assert Membership.objects.get(user=member).status == Membership.Status.ACTIVE
    assert member.comments.get().body == "Bridges helped."
    assert counts(other) == others_before
    assert ProgramConsent.objects.get(user=other).ended_at is None


def test_after_withdrawing_the_account_page_says_it_is_done(client, with_history):
    member, _ = with_history
    client.force_login(member)

    page = client.post(PAGE, {"confirm": "on"}, follow=True).text

    assert "Done: your Program data is deleted, 4 sessions included." in page
    assert PAGE not in page  # nothing held, no consent: nothing more to withdraw


def test_the_routines_stay_readable_after_withdrawing(client, with_history):
    member, _ = with_history
    client.force_login(member)
    client.post(PAGE, {"confirm": "on"})

    html = client.get("/program/build-the-base/first-bridges/").text

    assert 'class="step-list"' in html
    assert "Start Phase One" in html  # the safety check comes first, and asks again


def test_a_hold_staff_placed_survives_withdrawal(with_history):
    member, _ = with_history
    services.program_pause(user=member, reason="staff", by=StaffFactory(), note="Call us first.")

    services.program_consent_withdraw(user=member)

    progress = MemberProgress.objects.get(user=member)
    assert progress.staff_paused_at is not None
    assert progress.started_at is None
    assert (progress.paused_at, progress.pause_reason, progress.pause_note) == (None, "", "")


def test_a_member_from_before_consent_can_delete_their_data(
    client, premium_member_without_consent, routines
):
    user = premium_member_without_consent
    MemberProgress.objects.create(user=user, started_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC))
    add_session(user, routines[0], 0)
    client.force_login(user)

    assert "Delete my Program data…" in client.get("/account/").text
    client.post(PAGE, {"confirm": "on"})

    assert counts(user)["sessions"] == 0
    assert not ProgramConsent.objects.filter(user=user).exists()
