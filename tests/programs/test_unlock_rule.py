"""The unlock rule: 4 completed sessions on distinct days, 7 days since the first, and the
last two graded green or amber with check-ins done. Unlocks are permanent."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from programs import rules, services
from programs.models import CheckIn, ProgressEvent, SessionLog, Unlock
from programs.state import program_state
from tests.factories import StaffFactory
from tests.programs.conftest import add_session, on_day
from tests.programs.factories import CheckInFactory, SessionLogFactory

pytestmark = pytest.mark.django_db


def unlocked(user, routine) -> bool:
    return Unlock.objects.filter(user=user, routine=routine).exists()


def check(user, routine, day):
    return services.routine_unlock_check(user=user, routine=routine, today=on_day(day))


def test_four_good_sessions_over_a_week_open_the_next_routine(member, routines):
    for day in (0, 2, 4, 6):
        add_session(member, routines[0], day)
    unlock = check(member, routines[0], 7)
    assert unlock is not None
    assert unlock.routine == routines[1]
    assert unlocked(member, routines[1])


def test_three_sessions_are_not_enough(member, routines):
    for day in (0, 3, 6):
        add_session(member, routines[0], day)
    assert check(member, routines[0], 10) is None
    assert not unlocked(member, routines[1])


def test_four_sessions_on_the_same_day_count_once(member, routines, time_machine):
    time_machine.move_to(on_day(0))
    fields = {"done": "yes", "pain_before": 1, "worst_pain": 2, "effort": 4}
    services.session_log(user=member, routine=routines[0], date=on_day(0), **fields)
    for _ in range(3):
        with pytest.raises(ValidationError, match="already logged this routine on that day"):
            services.session_log(user=member, routine=routines[0], date=on_day(0), **fields)
    CheckInFactory(session=SessionLog.objects.get())
    assert check(member, routines[0], 8) is None
    assert not unlocked(member, routines[1])


def test_the_rule_counts_distinct_days_not_rows(routines):
    """Even handed rows the database would refuse, the rule counts days."""
    sessions = []
    for _ in range(4):
        session = SessionLog(routine=routines[0], date=on_day(0), done="yes", worst_pain=2)
        session.checkin = CheckIn(pain="same", stiffness="same")
        sessions.append(session)
    progress = rules.routine_unlock_progress(
        routine=routines[0], sessions=sessions, today=on_day(8)
    )
    assert not progress.ready
    assert progress.sessions_left == 3


def test_the_database_refuses_two_logs_of_a_routine_on_one_day(member, routines):
    SessionLogFactory(user=member, routine=routines[0], date=on_day(0))
    with pytest.raises(IntegrityError):
        SessionLogFactory(user=member, routine=routines[0], date=on_day(0))


def test_four_sessions_inside_a_week_wait_for_day_seven(member, routines):
    for day in (0, 1, 2, 3):
        add_session(member, routines[0], day)
    assert check(member, routines[0], 6) is None  # 6 days since the first: not yet
    assert check(member, routines[0], 7) is not None  # the 7th day: open


def test_the_last_session_needs_its_check_in(member, routines):
    for day in (0, 2, 4):
        add_session(member, routines[0], day)
    last = add_session(member, routines[0], 6, pain=None)
    assert check(member, routines[0], 7) is None
    services.checkin_record(
        user=member, session=last, pain="same", stiffness="same", today=on_day(7)
    )
    assert unlocked(member, routines[1])  # the check-in itself applies the rule


def test_the_second_to_last_session_needs_its_check_in(member, routines):
    for day in (0, 2):
        add_session(member, routines[0], day)
    add_session(member, routines[0], 4, pain=None)
    add_session(member, routines[0], 6)
    assert check(member, routines[0], 8) is None


def test_amber_sessions_never_block(member, routines):
    add_session(member, routines[0], 0, worst=5)
    add_session(member, routines[0], 2, worst=4)
    add_session(member, routines[0], 4, worst=5)
    add_session(member, routines[0], 6, worst=4)
    assert check(member, routines[0], 7) is not None


@pytest.mark.parametrize("red_day", [4, 6])
def test_a_red_among_the_last_two_blocks(member, routines, red_day):
    for day in (0, 2, 4, 6):
        add_session(member, routines[0], day, worst=7 if day == red_day else 2)
    assert check(member, routines[0], 8) is None


def test_a_next_morning_worse_among_the_last_two_blocks(member, routines):
    for day in (0, 2, 4):
        add_session(member, routines[0], day)
    add_session(member, routines[0], 6, pain="worse")
    assert check(member, routines[0], 8) is None


def test_an_older_red_does_not_block(member, routines):
    add_session(member, routines[0], 0, worst=7)
    for day in (2, 4, 6):
        add_session(member, routines[0], day)
    assert check(member, routines[0], 7) is not None


def test_partly_done_sessions_do_not_count_as_completed(member, routines):
    add_session(member, routines[0], 0)
    add_session(member, routines[0], 2)
    add_session(member, routines[0], 4, done="partly")
    add_session(member, routines[0], 6)
    assert check(member, routines[0], 8) is None
    add_session(member, routines[0], 8)
    assert check(member, routines[0], 9) is not None


def test_the_last_routine_of_a_phase_opens_the_next_phase(member, routines):
    phase_one_last, phase_two_first = routines[3], routines[4]
    assert phase_one_last.phase.number == 1
    assert phase_two_first.phase.number == 2
    services.routine_unlock_by_staff(
        user=member, routine=phase_one_last, staff=member_staff(), reason="Test set-up."
    )
    for day in (0, 2, 4, 6):
        add_session(member, phase_one_last, day)
    unlock = check(member, phase_one_last, 7)
    assert unlock is not None
    assert unlock.routine == phase_two_first


def test_the_last_routine_of_the_program_opens_nothing(member, routines):
    services.routine_unlock_by_staff(
        user=member, routine=routines[-1], staff=member_staff(), reason="Test set-up."
    )
    for day in (0, 2, 4, 6):
        add_session(member, routines[-1], day)
    assert check(member, routines[-1], 8) is None


def test_the_rule_records_its_unlock_in_the_audit_log(member, routines):
    for day in (0, 2, 4, 6):
        add_session(member, routines[0], day)
    check(member, routines[0], 7)
    event = ProgressEvent.objects.get(kind="unlocked", routine=routines[1])
    assert event.by is None
    assert not event.by_staff
    assert "Unlock rule" in event.reason


def test_unlocks_are_permanent_a_later_red_never_relocks(member, routines):
    for day in (0, 2, 4, 6):
        add_session(member, routines[0], day)
    check(member, routines[0], 7)
    add_session(member, routines[0], 8, worst=9)
    add_session(member, routines[0], 9, pain="worse")
    check(member, routines[0], 10)
    state = program_state(user=member, today=on_day(10))
    assert unlocked(member, routines[1])
    assert state.current_routine == routines[1]


def test_checking_again_creates_no_second_unlock(member, routines):
    for day in (0, 2, 4, 6):
        add_session(member, routines[0], day)
    check(member, routines[0], 7)
    assert check(member, routines[0], 8) is None
    assert Unlock.objects.filter(user=member, routine=routines[1]).count() == 1


def test_time_passing_opens_the_routine_when_the_dashboard_loads(
    client, member, routines, time_machine
):
    for day in (0, 1, 2, 3):
        add_session(member, routines[0], day)
    client.force_login(member)
    time_machine.move_to(on_day(6))
    client.get("/program/")
    assert not unlocked(member, routines[1])
    time_machine.move_to(on_day(7))
    page = client.get("/program/").text
    assert unlocked(member, routines[1])
    assert routines[1].title in page


def test_nothing_opens_while_the_program_is_paused(member, routines):
    for day in (0, 2, 4, 6):
        add_session(member, routines[0], day)
    services.program_pause(user=member, reason="flare_up", by=member)
    assert check(member, routines[0], 7) is None


def member_staff():
    return StaffFactory()
