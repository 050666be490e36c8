"""Grading a session by the pain-monitoring model, at every boundary."""

import pytest

from programs.models import CheckIn, SessionLog
from programs.rules import Grade, session_grade
from tests.programs.conftest import add_session

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("worst", "pain", "stiffness", "grade"),
    [
        (0, "better", "better", Grade.GREEN),
        (3, "same", "same", Grade.GREEN),  # 3 is the top of green
        (4, "same", "same", Grade.AMBER),  # 4 is the bottom of amber
        (5, "better", "same", Grade.AMBER),  # 5 is the top of amber
        (6, "same", "same", Grade.RED),  # 6 is above 5: red
        (10, "better", "better", Grade.RED),
        (2, "worse", "same", Grade.RED),  # next morning worse: red, however easy it felt
        (2, "same", "worse", Grade.RED),  # stiffness worse counts too
        (5, "worse", "same", Grade.RED),  # amber pain not settled by morning: red
    ],
)
def test_grade_boundaries(member, routines, worst, pain, stiffness, grade):
    session = add_session(member, routines[0], 0, worst=worst, pain=pain, stiffness=stiffness)
    assert session_grade(session=SessionLog.objects.get(pk=session.pk)) == grade


def test_a_session_without_its_check_in_is_not_graded_yet(member, routines):
    session = add_session(member, routines[0], 0, worst=1, pain=None)
    assert session_grade(session=SessionLog.objects.get(pk=session.pk)) is None


def test_a_session_with_high_pain_waits_for_its_check_in_too(member, routines):
    session = add_session(member, routines[0], 0, worst=8, pain=None)
    assert session_grade(session=SessionLog.objects.get(pk=session.pk)) is None


def test_staff_thresholds_change_the_grade(member, routines):
    routine = routines[0]
    routine.green_max_pain, routine.amber_max_pain = 2, 4
    routine.save()
    three = add_session(member, routine, 0, worst=3)
    five = add_session(member, routine, 1, worst=5)
    assert session_grade(session=SessionLog.objects.get(pk=three.pk)) == Grade.AMBER
    assert session_grade(session=SessionLog.objects.get(pk=five.pk)) == Grade.RED


def test_check_in_is_worse_when_either_answer_is_worse():
    assert CheckIn(pain="worse", stiffness="better").is_worse
    assert CheckIn(pain="better", stiffness="worse").is_worse
    assert not CheckIn(pain="same", stiffness="better").is_worse
