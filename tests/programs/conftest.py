"""Program fixtures: the demo program, a member who has started it, and a session helper."""

import datetime as dt

import pytest
import time_machine

from programs import services
from programs.demo import program_load_demo
from programs.models import Routine
from tests.programs.factories import CheckInFactory, SessionLogFactory

DAY0 = dt.date(2026, 3, 2)  # a Monday; every dated test counts from here


@pytest.fixture
def program(db):
    return program_load_demo()


@pytest.fixture
def routines(program) -> list[Routine]:
    """Every routine in program order: Phase One's four, then Phase Two's, then Three's."""
    return list(Routine.objects.select_related("phase").order_by("phase__number", "position"))


@pytest.fixture
def member(premium_member, program):
    """A premium member who passed the safety check on DAY0: Phase One, routine 1 is open."""
    with time_machine.travel(dt.datetime.combine(DAY0, dt.time(7, 0)), tick=False):
        services.program_start(user=premium_member)
    return premium_member


def add_session(
    user,
    routine,
    day: int,
    *,
    worst: int = 2,
    done: str = "yes",
    pain: str | None = "same",
    stiffness: str = "same",
):
    """A session `day` days after DAY0, with its next-morning check-in unless pain is None."""
    session = SessionLogFactory(
        user=user, routine=routine, date=DAY0 + dt.timedelta(days=day), done=done, worst_pain=worst
    )
    if pain is not None:
        CheckInFactory(session=session, pain=pain, stiffness=stiffness)
    return session


def on_day(day: int) -> dt.date:
    return DAY0 + dt.timedelta(days=day)
