"""The grade exists twice: `rules.session_grade` in Python (pages, advice, the unlock rule)
and `SessionLog.objects.with_grade()` in SQL (the admin filters and sorts on it). Every row
of the boundary table goes through both, on real rows, and they must agree on each one."""

import datetime as dt
import itertools

import pytest

from programs.models import CheckIn, Compared, Phase, Routine, SessionLog
from programs.rules import GRADE_PENDING, session_grade

pytestmark = pytest.mark.django_db

# (green limit, amber limit): the defaults, limits staff moved, the two limits equal, and
# the ends of the 0-10 scale.
THRESHOLDS = [(3, 5), (2, 4), (4, 4), (0, 0), (0, 10), (10, 10)]
# The next morning: not checked in yet, or every answer for pain against every one for
# stiffness.
MORNINGS = [None, *itertools.product(Compared.values, repeat=2)]


def _worst_pains(green: int, amber: int) -> list[int]:
    """Each limit and the values either side of it, and both ends of the scale."""
    values = {0, 10}
    for limit in (green, amber):
        values.update({limit - 1, limit, limit + 1})
    return sorted(v for v in values if 0 <= v <= 10)


def _boundary_rows(user) -> list[tuple[int, int, int, tuple[str, str] | None]]:
    phase = Phase.objects.create(number=9, title="Boundaries", slug="boundaries", summary=".")
    rows = []
    day = dt.date(2026, 1, 1)
    for position, (green, amber) in enumerate(THRESHOLDS, start=1):
        routine = Routine.objects.create(
            phase=phase,
            position=position,
            title=f"Limits {green}/{amber}",
            slug=f"limits-{green}-{amber}",
            summary=".",
            instructions=".",
            green_max_pain=green,
            amber_max_pain=amber,
        )
        for worst, morning in itertools.product(_worst_pains(green, amber), MORNINGS):
            day += dt.timedelta(days=1)
            session = SessionLog.objects.create(
                user=user,
                routine=routine,
                date=day,
                done="yes",
                pain_before=0,
                worst_pain=worst,
                effort=5,
            )
            if morning is not None:
                CheckIn.objects.create(session=session, pain=morning[0], stiffness=morning[1])
            rows.append((session.pk, green, amber, morning))
    return rows


def test_the_python_and_the_sql_grade_agree_on_every_boundary_row(free_member):
    rows = _boundary_rows(free_member)
    sessions = SessionLog.objects.select_related("routine", "checkin").with_grade()
    by_pk = {session.pk: session for session in sessions}
    assert len(by_pk) == len(rows)

    disagreements = []
    for pk, green, amber, morning in rows:
        session = by_pk[pk]
        in_python = session_grade(session=session)
        expected_sql = GRADE_PENDING if in_python is None else in_python.value
        if session.grade_sql != expected_sql:
            disagreements.append(
                f"limits {green}/{amber}, worst {session.worst_pain}, morning {morning}: "
                f"python {in_python}, sql {session.grade_sql}"
            )
    assert disagreements == []


def test_every_grade_and_pending_appear_in_the_table(free_member):
    """The table reaches every outcome, so agreement is not agreement on one grade only."""
    _boundary_rows(free_member)
    grades = set(SessionLog.objects.with_grade().values_list("grade_sql", flat=True))
    assert grades == {"green", "amber", "red", GRADE_PENDING}
