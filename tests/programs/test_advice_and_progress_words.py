"""After red sessions: one red advises an easier dose, two in a row step back for now.
And the words for what is left before the next unlock."""

import pytest

from programs import services
from programs.models import Unlock
from programs.state import program_state
from tests.programs.conftest import add_session, on_day

pytestmark = pytest.mark.django_db


def state_on(user, day):
    return program_state(user=user, today=on_day(day))


@pytest.fixture
def second_routine_open(member, routines):
    """Routine 1 done over a week; routine 2 open by the rule."""
    for day in (0, 2, 4, 6):
        add_session(member, routines[0], day)
    services.routine_unlock_check(user=member, routine=routines[0], today=on_day(7))
    assert Unlock.objects.filter(user=member, routine=routines[1]).exists()
    return member


def test_one_red_advises_an_easier_dose(second_routine_open, routines):
    add_session(second_routine_open, routines[1], 8, worst=7)
    advice = state_on(second_routine_open, 9).advice
    assert advice.kind == "easier_dose"
    assert advice.routine == routines[1]


def test_one_red_shows_the_easier_dose_advice_on_the_dashboard(
    client, second_routine_open, routines
):
    add_session(second_routine_open, routines[1], 8, worst=7)
    client.force_login(second_routine_open)
    page = client.get("/program/").text
    assert "Your last session was red." in page
    assert "at an easier dose" in page


def test_two_reds_in_a_row_step_back_to_the_previous_routine(second_routine_open, routines):
    add_session(second_routine_open, routines[1], 8, worst=7)
    add_session(second_routine_open, routines[1], 9, pain="worse")
    state = state_on(second_routine_open, 10)
    assert state.advice.kind == "step_back"
    assert state.suggested_routine == routines[0]
    assert state.is_unlocked(routines[1])  # nothing is re-locked
    assert state.current_routine == routines[1]


def test_two_reds_show_the_step_back_and_suggest_a_clinician(client, second_routine_open, routines):
    add_session(second_routine_open, routines[1], 8, worst=7)
    add_session(second_routine_open, routines[1], 9, worst=8)
    client.force_login(second_routine_open)
    page = client.get("/program/").text
    assert "Two red sessions in a row." in page
    assert f"go back to “{routines[0].title}”" in page
    assert "talking to a physiotherapist or your GP" in page
    assert "nothing is locked again" in page


def test_a_good_session_after_a_red_ends_the_advice(second_routine_open, routines):
    add_session(second_routine_open, routines[1], 8, worst=7)
    add_session(second_routine_open, routines[1], 9, worst=2)
    assert state_on(second_routine_open, 10).advice is None


def test_a_good_session_on_the_easier_routine_ends_the_step_back(second_routine_open, routines):
    add_session(second_routine_open, routines[1], 8, worst=7)
    add_session(second_routine_open, routines[1], 9, worst=7)
    add_session(second_routine_open, routines[0], 10, worst=2)
    state = state_on(second_routine_open, 11)
    assert state.advice is None
    assert state.suggested_routine == routines[1]


def test_two_reds_on_the_very_first_routine_keep_it_easy(member, routines):
    add_session(member, routines[0], 0, worst=7)
    add_session(member, routines[0], 1, worst=7)
    state = state_on(member, 2)
    assert state.advice.kind == "step_back"
    assert state.advice.step_back_to is None
    assert state.suggested_routine == routines[0]


def left(user, routine, day) -> str:
    return state_on(user, day).unlock_progress_for(routine).text


def test_before_the_first_session_everything_is_left(member, routines):
    assert left(member, routines[0], 0) == "4 more sessions, 7 more days"


def test_what_is_left_after_two_sessions_with_todays_awaiting_its_check_in(member, routines):
    add_session(member, routines[0], 0)
    add_session(member, routines[0], 2, pain=None)
    assert left(member, routines[0], 2) == "2 more sessions, 5 more days, tomorrow's check-in"


def test_what_is_left_counts_in_the_singular(member, routines):
    for day in (0, 2, 4):
        add_session(member, routines[0], day)
    assert left(member, routines[0], 6) == "1 more session, 1 more day"


def test_a_check_in_from_yesterday_is_todays(member, routines):
    for day in (0, 2, 4):
        add_session(member, routines[0], day)
    add_session(member, routines[0], 6, pain=None)
    assert left(member, routines[0], 7) == "today's check-in"


def test_after_a_red_the_words_ask_for_good_sessions(member, routines):
    for day in (0, 2, 4):
        add_session(member, routines[0], day)
    add_session(member, routines[0], 6, worst=7)
    assert left(member, routines[0], 7) == "2 more sessions graded green or amber"


def test_the_dashboard_shows_what_is_left(client, member, routines, time_machine):
    add_session(member, routines[0], 0)
    add_session(member, routines[0], 2, pain=None)
    time_machine.move_to(on_day(2))
    client.force_login(member)
    page = client.get("/program/").text
    assert "2 more sessions, 5 more days, tomorrow&#x27;s check-in." in page
