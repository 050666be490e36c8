"""The unlock rule's clauses, one row each: what opens the next routine and what is left.

Each session is (day, done, worst pain during, next-morning check-in). The check-in is
"same" (settled), "worse" (pain worse than usual the next morning) or None (not in yet).
Day 0 is Monday 2 March 2026. The routine's own numbers: 4 sessions, 7 days, green up to
3/10, amber up to 5/10.
"""

import pytest

from programs import rules
from programs.models import CheckIn, SessionLog
from tests.programs.conftest import on_day

pytestmark = pytest.mark.django_db

GOOD = ("yes", 2, "same")

# fmt: off
RULE_TABLE = [
    # id, sessions [(day, done, worst, check-in)], today, opens?, what's left
    ("every clause met", [(0, *GOOD), (2, *GOOD), (4, *GOOD), (6, *GOOD)], 7, True, ""),
    ("nothing done yet", [], 0, False, "4 more sessions, 7 more days"),
    ("three sessions", [(0, *GOOD), (3, *GOOD), (6, *GOOD)], 10, False, "1 more session"),
    ("four on one day count once", [(0, *GOOD)] * 4, 8, False, "3 more sessions"),
    ("four inside a week wait for day 7",
     [(0, *GOOD), (1, *GOOD), (2, *GOOD), (3, *GOOD)], 4, False, "3 more days"),
    ("fewer sessions and fewer days", [(0, *GOOD), (2, *GOOD)], 3, False,
     "2 more sessions, 4 more days"),
    ("partly done does not count",
     [(0, *GOOD), (2, *GOOD), (4, *GOOD), (6, "partly", 2, "same")], 8, False, "1 more session"),
    ("amber never blocks",
     [(0, "yes", 5, "same"), (2, "yes", 4, "same"), (4, "yes", 5, "same"), (6, "yes", 5, "same")],
     8, True, ""),
    ("red last session", [(0, *GOOD), (2, *GOOD), (4, *GOOD), (6, "yes", 7, "same")], 8, False,
     "2 more sessions graded green or amber"),
    ("worse next morning counts as red",
     [(0, *GOOD), (2, *GOOD), (4, *GOOD), (6, "yes", 2, "worse")], 8, False,
     "2 more sessions graded green or amber"),
    ("red second to last", [(0, *GOOD), (2, *GOOD), (4, "yes", 7, "same"), (6, *GOOD)], 8, False,
     "1 more session graded green or amber"),
    ("an older red does not block",
     [(0, "yes", 8, "same"), (2, *GOOD), (4, *GOOD), (6, *GOOD)], 8, True, ""),
    ("last check-in due today", [(0, *GOOD), (2, *GOOD), (4, *GOOD), (6, "yes", 2, None)], 7,
     False, "today's check-in"),
    ("last check-in due tomorrow", [(0, *GOOD), (2, *GOOD), (4, *GOOD), (7, "yes", 2, None)], 7,
     False, "tomorrow's check-in"),
    ("second to last check-in missing",
     [(0, *GOOD), (2, *GOOD), (4, "yes", 2, None), (6, *GOOD)], 8, False,
     "the check-in for 6 Mar"),
]
# fmt: on


def sessions_from(rows, routine) -> list[SessionLog]:
    sessions = []
    for day, done, worst, checkin in rows:
        session = SessionLog(
            routine=routine, date=on_day(day), done=done, pain_before=1, worst_pain=worst, effort=5
        )
        if checkin is not None:
            session.checkin = CheckIn(pain=checkin, stiffness="same")
        sessions.append(session)
    return sessions


@pytest.mark.parametrize(
    ("rows", "today", "opens", "left"),
    [row[1:] for row in RULE_TABLE],
    ids=[row[0] for row in RULE_TABLE],
)
def test_the_unlock_rule(routines, rows, today, opens, left):
    routine = routines[0]
    assert (routine.sessions_to_unlock, routine.days_to_unlock) == (4, 7)
    assert (routine.green_max_pain, routine.amber_max_pain) == (3, 5)

    progress = rules.routine_unlock_progress(
        routine=routine, sessions=sessions_from(rows, routine), today=on_day(today)
    )

    assert (progress.ready, progress.text) == (opens, left)
