"""Pauses: a lapsed membership, a red-flag "yes", a flare-up, and staff by hand.
None of them ever resets a member's progress."""

import pytest
from django.core.exceptions import PermissionDenied

from members.models import Membership, User
from programs import services
from programs.models import MemberProgress, ProgressEvent, SessionLog, Unlock
from programs.services import RED_FLAGS
from tests.factories import StaffFactory
from tests.programs.conftest import add_session, on_day

pytestmark = pytest.mark.django_db

LOG_URL = "/program/build-the-base/first-bridges/log/"
ALL_NO = {key: "no" for key in RED_FLAGS}


def log_data(**overrides):
    return {
        "date": "2026-03-05",
        "done": "yes",
        "pain_before": "2",
        "worst_pain": "3",
        "effort": "5",
        "note": "",
        **overrides,
    }


def fresh(user) -> User:
    return User.objects.get(pk=user.pk)  # member_has_premium caches on the instance


def lapse(user):
    Membership.objects.filter(user=user).update(status=Membership.Status.CANCELED)


# --------------------------------------------------------------------------- lapsed membership


def test_a_lapsed_member_cannot_log(client, member, routines, time_machine):
    time_machine.move_to(on_day(3))
    lapse(member)
    client.force_login(member)
    response = client.post(LOG_URL, log_data())
    assert response.status_code == 403
    assert not SessionLog.objects.exists()


def test_a_lapsed_member_sees_their_progress_read_only(client, member, routines, time_machine):
    add_session(member, routines[0], 0)
    time_machine.move_to(on_day(3))
    lapse(member)
    client.force_login(member)
    page = client.get("/program/").text
    assert "paused because your membership has ended" in page
    assert "Everything you've done is kept" in page
    assert "Log this session" not in page


def test_restoring_premium_resumes_with_progress_intact(client, member, routines, time_machine):
    for day in (0, 2, 4, 6):
        add_session(member, routines[0], day)
    time_machine.move_to(on_day(7))
    services.routine_unlock_check(user=member, routine=routines[0])
    lapse(member)
    time_machine.move_to(on_day(9))
    client.force_login(member)
    assert "membership has ended" in client.get("/program/").text
    Membership.objects.filter(user=member).update(status=Membership.Status.ACTIVE)
    client.force_login(member)
    page = client.get("/program/").text
    assert "membership has ended" not in page
    assert Unlock.objects.filter(user=member).count() == 2
    assert SessionLog.objects.filter(user=member).count() == 4
    url = "/program/build-the-base/learning-the-hinge/log/"
    response = client.post(url, log_data(date=on_day(9).isoformat()))
    assert response.status_code == 302
    assert response["Location"] == "/program/build-the-base/learning-the-hinge/#your-sessions"
    assert SessionLog.objects.filter(user=member, routine=routines[1]).exists()


def test_no_unlock_happens_while_lapsed(member, routines):
    for day in (0, 2, 4, 6):
        add_session(member, routines[0], day)
    lapse(member)
    user = fresh(member)
    assert services.routine_unlock_check(user=user, routine=routines[0], today=on_day(7)) is None
    assert not Unlock.objects.filter(user=member, routine=routines[1]).exists()


# --------------------------------------------------------------------------- red flags


def test_the_red_flag_screen_comes_before_phase_one(client, premium_member, program):
    client.force_login(premium_member)
    page = client.get("/program/").text
    assert "Start Phase One" in page
    screen = client.get("/program/start/").text
    assert "saddle area" in screen
    assert "bladder or bowels" in screen
    assert not Unlock.objects.exists()


def test_answering_no_throughout_starts_phase_one(client, premium_member, routines):
    client.force_login(premium_member)
    response = client.post("/program/start/", ALL_NO)
    assert response.status_code == 302
    assert response["Location"] == "/program/#today"
    assert Unlock.objects.get(user=premium_member).routine == routines[0]
    assert ProgressEvent.objects.filter(user=premium_member, kind="started").exists()


def test_a_red_flag_yes_pauses_and_says_get_help_now(client, premium_member, program):
    client.force_login(premium_member)
    response = client.post("/program/start/", {**ALL_NO, "saddle_numbness": "yes"}, follow=True)
    page = response.content.decode()
    assert 'Call <a href="tel:999">999</a> or go to A&amp;E now' in page
    assert "NHS 111" in page
    progress = MemberProgress.objects.get(user=premium_member)
    assert progress.pause_reason == "red_flag"
    assert progress.started_at is None
    assert not Unlock.objects.exists()
    event = ProgressEvent.objects.get(user=premium_member, kind="red_flag")
    assert "saddle area" in event.reason


def test_after_a_red_flag_the_dashboard_says_get_help_and_logging_is_refused(
    client, member, routines, time_machine
):
    time_machine.move_to(on_day(3))
    client.force_login(member)
    client.post("/program/flare-up/", {**ALL_NO, "bladder_bowel": "yes"})
    page = client.get("/program/").text
    assert 'call <a href="tel:999">999</a> or go to A&amp;E' in page
    assert client.post(LOG_URL, log_data()).status_code == 403
    assert not SessionLog.objects.exists()


def test_restarting_after_a_red_flag_needs_a_clinicians_all_clear(client, member, routines):
    services.red_flag_screen_record(
        user=member, answers={**dict.fromkeys(RED_FLAGS, False), "fever": True}, occasion="start"
    )
    client.force_login(member)
    response = client.post("/program/start/", ALL_NO)
    assert response.status_code == 400
    assert "checked by a clinician" in response.text
    assert MemberProgress.objects.get(user=member).is_paused
    client.post("/program/start/", {**ALL_NO, "clinician_cleared": "on"})
    assert not MemberProgress.objects.get(user=member).is_paused


def test_an_unanswered_red_flag_question_is_an_error(client, premium_member, program):
    client.force_login(premium_member)
    answers = dict(ALL_NO)
    del answers["leg_weakness"]
    response = client.post("/program/start/", answers)
    assert response.status_code == 400
    assert "Please answer yes or no." in response.text
    assert not MemberProgress.objects.exists()


# --------------------------------------------------------------------------- flare-ups


def test_a_flare_up_shows_the_screen_then_pauses_until_the_member_resumes(client, member, routines):
    client.force_login(member)
    assert "saddle area" in client.get("/program/flare-up/").text
    client.post("/program/flare-up/", ALL_NO)
    progress = MemberProgress.objects.get(user=member)
    assert progress.pause_reason == "flare_up"
    assert "paused while your flare-up settles" in client.get("/program/").text
    client.post("/program/resume/")
    assert not MemberProgress.objects.get(user=member).is_paused
    assert Unlock.objects.filter(user=member).count() == 1


def test_a_member_cannot_lift_a_staff_pause(client, member, routines):
    staff = StaffFactory()
    services.program_pause(user=member, reason="staff", by=staff, note="Call booked.")
    client.force_login(member)
    assert client.post("/program/resume/").status_code == 403
    with pytest.raises(PermissionDenied):
        services.program_resume(user=member, by=member)
    client.post("/program/flare-up/", ALL_NO)  # a flare-up report does not soften it
    assert MemberProgress.objects.get(user=member).is_staff_paused


# --------------------------------------------------------------------------- staff by hand


def test_staff_unlock_pause_and_resume_are_recorded_with_who_and_why(member, routines):
    staff = StaffFactory(email="physio@example.com")
    services.routine_unlock_by_staff(
        user=member, routine=routines[3], staff=staff, reason="Assessed in clinic."
    )
    services.program_pause(user=member, reason="staff", by=staff, note="Awaiting a scan.")
    services.program_resume(user=member, by=staff, note="Scan clear.")
    events = {e.kind: e for e in ProgressEvent.objects.filter(user=member, by=staff)}
    assert events["unlocked"].reason == "Assessed in clinic."
    assert events["unlocked"].by_staff
    assert events["unlocked"].routine == routines[3]
    assert "Awaiting a scan." in events["paused"].reason
    assert events["resumed"].reason == "Scan clear."
    unlock = Unlock.objects.get(user=member, routine=routines[3])
    assert unlock.by == staff
    assert unlock.method == "staff"


def test_only_staff_unlock_by_hand(member, routines, free_member):
    with pytest.raises(PermissionDenied):
        services.routine_unlock_by_staff(
            user=member, routine=routines[1], staff=free_member, reason="Please."
        )
    assert not Unlock.objects.filter(routine=routines[1]).exists()


def test_a_red_flag_yes_does_not_replace_a_staff_pause(client, member, routines):
    staff = StaffFactory()
    services.program_pause(user=member, reason="staff", by=staff, note="Call booked.")
    client.force_login(member)
    client.post("/program/flare-up/", {**ALL_NO, "saddle_numbness": "yes"})
    progress = MemberProgress.objects.get(user=member)
    assert progress.is_staff_paused
    assert progress.pause_reason == "red_flag"
    # The member's own safety re-check lifts the red-flag pause, never the staff one.
    client.post("/program/start/", {**ALL_NO, "clinician_cleared": "on"})
    progress = MemberProgress.objects.get(user=member)
    assert progress.is_paused
    assert progress.is_staff_paused
    assert progress.pause_reason == ""
    assert "Our team has paused your program" in client.get("/program/").text
    assert client.post(LOG_URL, log_data()).status_code == 403
    assert not SessionLog.objects.filter(user=member).exists()


def test_staff_resume_lifts_their_pause_and_the_members_own(member, routines):
    staff = StaffFactory()
    services.program_pause(user=member, reason="staff", by=staff, note="Call booked.")
    services.program_pause(user=member, reason="flare_up", by=member, note="Flare-up.")
    services.program_resume(user=member, by=staff, note="Spoke on the phone.")
    progress = MemberProgress.objects.get(user=member)
    assert not progress.is_paused
    assert not progress.is_staff_paused


def test_a_member_resuming_a_flare_up_leaves_the_staff_pause(client, member, routines):
    staff = StaffFactory()
    services.program_pause(user=member, reason="flare_up", by=member, note="Flare-up.")
    services.program_pause(user=member, reason="staff", by=staff, note="Call booked.")
    client.force_login(member)
    assert client.post("/program/resume/").status_code == 302
    progress = MemberProgress.objects.get(user=member)
    assert progress.is_staff_paused
    assert progress.pause_reason == ""
