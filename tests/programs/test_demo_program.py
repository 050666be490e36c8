"""The demo Program: phases, routines and steps, and the demo member's started program."""

import pytest

from programs import services
from programs.models import CheckIn, Phase, Routine, RoutineStep, SessionLog, Unlock

pytestmark = pytest.mark.django_db


def test_the_demo_has_three_phases_with_routines_and_steps(program):
    assert program == (3, 7)
    assert list(Phase.objects.values_list("number", flat=True)) == [1, 2, 3]
    assert all(phase.routines.exists() for phase in Phase.objects.all())
    assert RoutineStep.objects.filter(routine__slug="moving-with-confidence").count() == 3


def test_loading_the_demo_twice_changes_nothing(program):
    before = (Routine.objects.count(), RoutineStep.objects.count())
    services.program_load_demo()
    assert (Routine.objects.count(), RoutineStep.objects.count()) == before


def test_the_demo_member_has_a_started_program(premium_member, program, client):
    created = services.program_load_demo_member(user=premium_member)
    assert created == len(services.DEMO_SESSIONS)
    assert Unlock.objects.filter(user=premium_member).count() == 2
    assert CheckIn.objects.filter(session__user=premium_member).count() == created - 1
    client.force_login(premium_member)
    page = client.get("/program/").text
    assert "1 more session, 3 more days, tomorrow&#x27;s check-in" in page


def test_the_demo_member_is_loaded_once(premium_member, program):
    services.program_load_demo_member(user=premium_member)
    assert services.program_load_demo_member(user=premium_member) == 0
    assert SessionLog.objects.filter(user=premium_member).count() == len(services.DEMO_SESSIONS)


def test_members_see_the_steps_and_visitors_do_not(client, visitor, premium_member, program):
    url = "/program/calm-and-control/moving-with-confidence/"
    assert "Pelvic tilts" not in visitor.get(url).text
    client.force_login(premium_member)
    page = client.get(url).text
    assert "Pelvic tilts" in page and "2 × 10" in page and "10 minutes, on the flat" in page
