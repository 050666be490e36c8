"""Retention: the daily task deletes exactly what has been kept long enough (Program data of
quiet accounts, comments' IP addresses), never a live membership's data, and logs how many
rows of each kind went."""

import datetime as dt
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.conf import settings

from backinshape.tasks import data_retention_apply
from members.models import Membership
from programs import services
from programs.demo import program_load_demo
from programs.models import (
    CheckIn,
    MemberProgress,
    ProgramConsent,
    ProgressEvent,
    SessionLog,
    Unlock,
)
from tests.factories import (
    CommentFactory,
    MembershipFactory,
    ProgramConsentFactory,
    StaffFactory,
    UserFactory,
)
from tests.programs.factories import CheckInFactory, SessionLogFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
START = dt.datetime(2025, 1, 6, 9, tzinfo=dt.UTC)  # everyone's last activity, unless said
DAYS = 365  # PROGRAM_DATA_RETENTION_DAYS's default


def after(days: float) -> dt.datetime:
    return START + dt.timedelta(days=days)


@pytest.fixture(autouse=True)
def _defaults(settings):
    settings.PROGRAM_DATA_RETENTION_DAYS = DAYS
    settings.COMMENT_IP_RETENTION_DAYS = 90


def member_with_history(email: str, **membership) -> object:
    """A member who started the Program at START and logged one session with a check-in,
    then went quiet. `membership` fields describe their membership as it is now."""
    with time_machine.travel(START, tick=False):
        user = UserFactory(email=email)
        user.last_login = START
        user.save(update_fields=["last_login"])
        MembershipFactory(user=user, **membership)
        ProgramConsentFactory(user=user)
        if not MemberProgress.objects.filter(user=user).exists():
            services.program_start(user=user)
        routine = Unlock.objects.filter(user=user).first().routine
        CheckInFactory(
            session=SessionLogFactory(user=user, routine=routine, date=START.date()),
        )
    Membership.objects.filter(user=user).update(updated_at=START)
    return user


@pytest.fixture
def program(db):
    program_load_demo()


def holds_program_data(user) -> bool:
    return (
        SessionLog.objects.filter(user=user).exists()
        or ProgressEvent.objects.filter(user=user).exists()
        or MemberProgress.objects.filter(user=user).exists()
    )


CANCELLED = {"status": Membership.Status.CANCELED, "current_period_end": START}


def test_a_quiet_account_loses_its_program_data_after_the_retention_days(program):
    quiet = member_with_history("quiet@example.com", **CANCELLED)

    with time_machine.travel(after(DAYS - 1), tick=False):
        data_retention_apply()
    assert holds_program_data(quiet)

    with time_machine.travel(after(DAYS + 1), tick=False):
        counts = data_retention_apply()

    assert not holds_program_data(quiet)
    assert not CheckIn.objects.filter(session__user=quiet).exists()
    assert Unlock.objects.filter(user=quiet).exists()  # the membership's, not health data
    consent = ProgramConsent.objects.get(user=quiet)
    assert consent.end_reason == ProgramConsent.EndReason.RETENTION
    assert counts["members"] == 1
    assert counts["session logs"] == 1
    assert counts["check-ins"] == 1
    assert counts["progress audit entries"] == 2  # started, unlocked
    assert counts["progress records"] == 1


@pytest.mark.parametrize(
    "membership",
    [
        {"status": Membership.Status.ACTIVE},
        {"status": Membership.Status.TRIALING},
        {"status": Membership.Status.PAST_DUE},
        {"status": Membership.Status.UNPAID},
        {"status": Membership.Status.PAUSED},
        {"status": Membership.Status.CANCELED, "complimentary_until": dt.date(2027, 6, 1)},
    ],
    ids=["active", "trialing", "past_due", "unpaid", "paused", "complimentary"],
)
def test_a_live_membership_keeps_its_data_however_quiet(program, membership):
    member = member_with_history("paying@example.com", **membership)

    with time_machine.travel(after(DAYS * 2), tick=False):
        counts = data_retention_apply()

    assert holds_program_data(member)
    assert counts["members"] == 0


def test_staff_keep_their_data(program):
    with time_machine.travel(START, tick=False):
        staff = StaffFactory()
        ProgramConsentFactory(user=staff)
        services.program_start(user=staff)

    with time_machine.travel(after(DAYS * 2), tick=False):
        data_retention_apply()

    assert holds_program_data(staff)


@pytest.mark.parametrize(
    "activity",
    ["signed in", "logged a session", "checked in", "paid period ended", "complimentary ended"],
)
def test_any_recent_activity_keeps_the_data(program, activity):
    member = member_with_history("recent@example.com", **CANCELLED)
    recent = after(DAYS - 10)
    if activity == "signed in":
        member.last_login = recent
        member.save(update_fields=["last_login"])
    elif activity == "logged a session":
        SessionLog.objects.filter(user=member).update(created_at=recent)
    elif activity == "checked in":
        CheckIn.objects.filter(session__user=member).update(created_at=recent)
    elif activity == "paid period ended":
        Membership.objects.filter(user=member).update(current_period_end=recent)
    else:
        Membership.objects.filter(user=member).update(complimentary_until=recent.date())

    with time_machine.travel(after(DAYS + 1), tick=False):
        data_retention_apply()

    assert holds_program_data(member)


def test_only_the_quiet_members_data_goes(program):
    quiet = member_with_history("quiet@example.com", **CANCELLED)
    paying = member_with_history("paying@example.com")
    CommentFactory(user=quiet, email=quiet.email, body="Still here.")

    with time_machine.travel(after(DAYS + 1), tick=False):
        data_retention_apply()

    assert not holds_program_data(quiet)
    assert holds_program_data(paying)
    assert quiet.comments.get().body == "Still here."
    assert Membership.objects.filter(user=quiet).exists()


def test_comment_addresses_are_cleared_after_their_days_and_no_sooner(db):
    with time_machine.travel(START, tick=False):
        old = CommentFactory(ip_address="203.0.113.9")
    with time_machine.travel(after(80), tick=False):
        newer = CommentFactory(ip_address="2001:db8::1")

    with time_machine.travel(after(91), tick=False):
        counts = data_retention_apply()

    old.refresh_from_db()
    newer.refresh_from_db()
    assert old.ip_address is None
    assert newer.ip_address == "2001:db8::1"
    assert old.body  # the comment itself stays
    assert counts["comment IP addresses"] == 1


def test_the_run_logs_how_many_rows_of_each_kind_went(program, caplog):
    member_with_history("quiet@example.com", **CANCELLED)
    with time_machine.travel(START, tick=False):
        CommentFactory(ip_address="203.0.113.9")

    with (
        time_machine.travel(after(DAYS + 1), tick=False),
        caplog.at_level(logging.INFO, logger="backinshape.tasks"),
    ):
        data_retention_apply()

    [record] = [r for r in caplog.records if r.message.startswith("Data retention")]
    assert record.message == (
        "Data retention removed: members 1, session logs 1, check-ins 1, check-in reminders 0, "
        "progress audit entries 2, progress records 1, staff unlock reasons 0, "
        "comment IP addresses 1."
    )
    assert record.retention["session logs"] == 1


def test_a_second_run_finds_nothing_more(program):
    member_with_history("quiet@example.com", **CANCELLED)
    with time_machine.travel(after(DAYS + 1), tick=False):
        data_retention_apply()
        again = data_retention_apply()
    assert again["members"] == 0
    assert sum(again.values()) == 0


def test_beat_runs_the_retention_once_a_day():
    entry = settings.CELERY_BEAT_SCHEDULE["apply-data-retention"]
    assert entry["task"] == "backinshape.tasks.data_retention_apply"
    schedule = entry["schedule"]
    assert schedule.hour == {3}
    assert schedule.minute == {30}
    assert schedule.day_of_week == set(range(7))
    assert data_retention_apply.name == entry["task"]


@pytest.mark.parametrize("name", ["PROGRAM_DATA_RETENTION_DAYS", "COMMENT_IP_RETENTION_DAYS"])
def test_a_retention_of_no_days_refuses_to_start(name):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "backinshape.settings",
            "DJANGO_DEBUG": "true",
            name: "0",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert f"{name} must be 1 or more days" in result.stderr


def test_the_defaults_are_a_year_and_ninety_days():
    clean = {k: v for k, v in os.environ.items() if not k.endswith("_RETENTION_DAYS")}
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.PROGRAM_DATA_RETENTION_DAYS, settings.COMMENT_IP_RETENTION_DAYS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "backinshape.settings", "DJANGO_DEBUG": "true"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["365", "90"]
