"""Explicit consent before the Program keeps anything about a member's back (UK GDPR art. 9):
asked with an unticked box on the start page, recorded with the privacy notice's version
and the time, and required by every service that stores Program data."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from programs import services
from programs.models import (
    CheckIn,
    MemberProgress,
    PauseReason,
    ProgramConsent,
    ProgressEvent,
    SessionLog,
    Unlock,
    UnlockMethod,
)
from programs.services import RED_FLAGS
from tests.factories import ProgramConsentFactory, UserFactory, site_page
from tests.programs.conftest import DAY0, add_session, on_day
from tests.programs.factories import SessionLogFactory, UnlockFactory

pytestmark = pytest.mark.django_db

ALL_NO = {key: "no" for key in RED_FLAGS}
CONSENT_LABEL = "I agree to Back In Shape keeping my Program data about my back"
REFUSED = "we need your agreement to store your Program data"
FIRST_ROUTINE = "/program/build-the-base/first-bridges/"


@pytest.fixture
def unasked(premium_member_without_consent, program):
    """A premium member who hasn't agreed, on a site with its privacy notice."""
    site_page("privacy")
    return premium_member_without_consent


@pytest.fixture
def legacy(unasked, routines, time_machine):
    """A member who started before consent was asked for: sessions, a check-in, unlocks,
    and no consent on record (the migration gave no one consent)."""
    time_machine.move_to(dt.datetime.combine(DAY0, dt.time(7, 0)))
    MemberProgress.objects.create(
        user=unasked, started_at=dt.datetime(2026, 3, 2, 7, tzinfo=dt.UTC)
    )
    UnlockFactory(user=unasked, routine=routines[0], method=UnlockMethod.START)
    for day in (0, 2, 4, 6):
        add_session(unasked, routines[0], day)  # four green sessions over a week
    time_machine.move_to(on_day(7))
    return unasked


def program_rows(user) -> dict[str, int]:
    return {
        "progress": MemberProgress.objects.filter(user=user).count(),
        "events": ProgressEvent.objects.filter(user=user).count(),
        "sessions": SessionLog.objects.filter(user=user).count(),
        "checkins": CheckIn.objects.filter(session__user=user).count(),
        "unlocks": Unlock.objects.filter(user=user).count(),
    }


# --- Asked on the start page ---------------------------------------------------------------


def test_the_start_page_asks_with_an_unticked_box_and_the_privacy_notice(client, unasked):
    client.force_login(unasked)
    html = client.get("/program/start/").text

    [box] = re.findall(r'<input type="checkbox" name="health_data_consent"[^>]*>', html)
    assert CONSENT_LABEL in html
    assert "checked" not in box
    assert "We keep your safety answers, the sessions you log (pain, effort and notes)" in html
    assert '<a href="/privacy/">Read our privacy notice</a>' in html


def test_starting_without_the_box_stores_nothing_and_keeps_the_answers(client, unasked):
    client.force_login(unasked)
    before = program_rows(unasked)

    response = client.post("/program/start/", {**ALL_NO, "fever": "yes"})

    assert response.status_code == 400
    assert "Please tick the box to agree." in response.text
    assert re.search(r'<input type="radio" name="fever" value="yes"[^>]*checked', response.text)
    assert program_rows(unasked) == before
    assert not ProgramConsent.objects.filter(user=unasked).exists()


def test_starting_with_the_box_records_consent_with_the_notice_version_and_time(
    client, unasked, time_machine, routines
):
    privacy = site_page("privacy")
    time_machine.move_to(dt.datetime(2026, 3, 2, 8, 15, tzinfo=dt.UTC), tick=False)
    client.force_login(unasked)

    response = client.post("/program/start/", {**ALL_NO, "health_data_consent": "on"})

    assert response.status_code == 302
    consent = ProgramConsent.objects.get(user=unasked)
    assert consent.privacy_version == privacy.versions.get(number=privacy.version)
    assert consent.given_at == dt.datetime(2026, 3, 2, 8, 15, tzinfo=dt.UTC)
    assert consent.ended_at is None
    assert Unlock.objects.get(user=unasked).routine == routines[0]


def test_a_member_who_agreed_is_not_asked_again(client, premium_member, program):
    client.force_login(premium_member)
    assert CONSENT_LABEL not in client.get("/program/start/").text


def test_without_a_privacy_notice_consent_cannot_be_given(premium_member_without_consent, program):
    with pytest.raises(ValidationError, match="privacy notice isn't published yet"):
        services.program_consent_give(user=premium_member_without_consent)
    assert not ProgramConsent.objects.exists()


# --- Every service that stores Program data refuses without it -------------------------------


def _start(user, routines):
    services.program_start(user=user)


def _screen_at_start(user, routines):
    services.red_flag_screen_record(
        user=user, answers=dict.fromkeys(RED_FLAGS, False), occasion="start"
    )


def _red_flag_answer(user, routines):
    services.red_flag_screen_record(
        user=user, answers={**dict.fromkeys(RED_FLAGS, False), "fever": True}, occasion="start"
    )


def _flare_up(user, routines):
    services.red_flag_screen_record(
        user=user, answers=dict.fromkeys(RED_FLAGS, False), occasion="flare_up"
    )


def _session_log(user, routines):
    services.session_log(
        user=user,
        routine=routines[0],
        date=on_day(7),
        done="yes",
        pain_before=2,
        worst_pain=3,
        effort=4,
        today=on_day(7),
    )


def _checkin(user, routines):
    session = SessionLogFactory(user=user, routine=routines[0], date=on_day(5))
    before = program_rows(user)
    try:
        services.checkin_record(
            user=user, session=session, pain="same", stiffness="same", today=on_day(7)
        )
    finally:
        assert program_rows(user) == before


def _resume_after_flare_up(user, routines):
    MemberProgress.objects.filter(user=user).update(
        paused_at=dt.datetime(2026, 3, 8, tzinfo=dt.UTC), pause_reason=PauseReason.FLARE_UP
    )
    services.program_resume_after_flare_up(user=user)


@pytest.mark.parametrize(
    "write",
    [
        _start,
        _screen_at_start,
        _red_flag_answer,
        _flare_up,
        _session_log,
        _checkin,
        _resume_after_flare_up,
    ],
    ids=lambda fn: fn.__name__.strip("_"),
)
def test_each_program_write_refuses_without_consent(legacy, routines, write):
    before = program_rows(legacy)
    with pytest.raises(services.ConsentRequired):
        write(legacy, routines)
    if write is not _checkin:
        assert program_rows(legacy) == before


@pytest.mark.parametrize("write", [_session_log, _flare_up], ids=["session_log", "flare_up"])
def test_the_same_writes_go_through_once_the_member_agrees(legacy, routines, write):
    services.program_consent_give(user=legacy)
    write(legacy, routines)


def test_withdrawn_consent_stops_the_writes_again(member, routines, time_machine):
    time_machine.move_to(on_day(1))
    services.program_consent_withdraw(user=member)
    with pytest.raises(services.ConsentRequired):
        _session_log(member, routines)


# --- The record -------------------------------------------------------------------------------


def test_one_live_consent_per_member_is_kept_by_the_database(premium_member):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgramConsentFactory(user=premium_member)


def test_agreeing_twice_keeps_the_first_consent(unasked):
    first = services.program_consent_give(user=unasked)
    again = services.program_consent_give(user=unasked)
    assert again == first
    assert ProgramConsent.objects.filter(user=unasked).count() == 1


def test_an_ended_consent_stays_on_record_beside_a_new_one(unasked):
    services.program_consent_give(user=unasked)
    services.program_consent_withdraw(user=unasked)
    services.program_consent_give(user=unasked)

    ended, live = ProgramConsent.objects.filter(user=unasked).order_by("given_at", "pk")
    assert ended.ended_at is not None
    assert ended.end_reason == ProgramConsent.EndReason.WITHDRAWN
    assert live.ended_at is None


# --- Members from before consent was asked for ------------------------------------------------


def test_a_member_with_earlier_data_is_asked_on_the_dashboard(client, legacy):
    client.force_login(legacy)
    html = client.get("/program/").text

    assert "May we keep your Program data?" in html
    assert CONSENT_LABEL in html
    assert "Log today's session" not in html


def test_their_routine_stays_readable_but_the_log_form_asks_first(client, legacy):
    client.force_login(legacy)
    html = client.get(FIRST_ROUTINE).text

    assert 'class="step-list"' in html  # the premium routine itself
    assert "Before you log more sessions, we need your agreement" in html
    assert 'action="/program/build-the-base/first-bridges/log/' not in html


def test_a_log_posted_without_consent_is_refused_calmly(client, legacy):
    client.force_login(legacy)
    response = client.post(
        FIRST_ROUTINE + "log/",
        {
            "date": on_day(7).isoformat(),
            "done": "yes",
            "pain_before": "2",
            "worst_pain": "2",
            "effort": "4",
        },
    )

    assert response.status_code == 403
    assert REFUSED in response.text
    assert CONSENT_LABEL in response.text
    assert SessionLog.objects.filter(user=legacy).count() == 4


def test_time_passing_opens_nothing_for_them_until_they_agree(client, legacy, routines):
    client.force_login(legacy)
    client.get("/program/")  # the unlock rule is met, but nothing may be stored
    assert Unlock.objects.filter(user=legacy).count() == 1
    assert not ProgressEvent.objects.filter(user=legacy).exists()

    services.program_consent_give(user=legacy)
    client.get("/program/")
    assert Unlock.objects.filter(user=legacy, routine=routines[1]).exists()


def test_agreeing_from_the_dashboard_carries_on_where_they_were(client, legacy):
    client.force_login(legacy)

    response = client.post(
        "/program/consent/", {"health_data_consent": "on", "next": FIRST_ROUTINE + "#log"}
    )

    assert response.status_code == 302
    assert response["Location"] == FIRST_ROUTINE + "#log"
    assert ProgramConsent.objects.filter(user=legacy, ended_at__isnull=True).exists()


def test_agreeing_without_the_box_says_so_beside_it(client, legacy):
    client.force_login(legacy)
    response = client.post("/program/consent/", {"next": "https://evil.example/"})

    assert response.status_code == 400
    assert "Please tick the box to agree." in response.text
    assert "evil.example" not in response.text
    assert not ProgramConsent.objects.filter(user=legacy).exists()


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_no_one_consent():
    """Members with Program data before the consent table existed get no consent row: the
    migration creates the table and nothing else."""
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate([("programs", "0007_checkin_reminders")])
    # The member and progress tables are as they were: only the consent table is new.
    user = UserFactory(email="early@example.com")
    MemberProgress.objects.create(user=user, started_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC))

    MigrationExecutor(connection).migrate(latest)

    assert MemberProgress.objects.filter(user=user).exists()
    assert not ProgramConsent.objects.exists()


def test_an_empty_agreement_form_is_answered_with_the_error(client, legacy):
    client.force_login(legacy)
    response = client.post("/program/consent/", {})
    assert response.status_code == 400
    assert "Please tick the box to agree." in response.text


def test_staff_read_the_consents_and_cannot_change_them(staff_client, premium_member):
    consent = ProgramConsent.objects.get(user=premium_member)
    assert premium_member.email in staff_client.get("/admin/programs/programconsent/").text
    url = f"/admin/programs/programconsent/{consent.pk}/change/"
    assert staff_client.post(url, {"ended_at": "2026-01-01"}).status_code == 403
    assert (
        staff_client.get(f"/admin/programs/programconsent/{consent.pk}/delete/").status_code == 403
    )


def test_the_consent_page_sends_someone_who_agreed_on(client, premium_member, program):
    client.force_login(premium_member)
    response = client.get("/program/consent/?next=/program/history/")
    assert response.status_code == 302
    assert response["Location"] == "/program/history/"
