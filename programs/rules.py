"""The progression rules of the Back In Shape Program, as pure functions of loaded rows.

The rules follow the pain-monitoring model:
Silbernagel et al., Am J Sports Med 2007 (pain during exercise up to 5/10 is acceptable
if it settles by the next morning); Smith et al., Br J Sports Med 2017 (mild pain during
exercise does not harm outcomes). The thresholds are per-routine fields staff can change.

Nothing here queries the database: the selectors load the rows (with their routines and
check-ins) and these functions judge them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Case, CharField, F, Q, Value, When
from django.utils import timezone

if TYPE_CHECKING:  # the models import this module: the rules take its rows, loaded
    from .models import CheckIn, Routine, SessionLog


class Done(models.TextChoices):
    """Whether a session was done as prescribed (a session's own answer)."""

    YES = "yes", "Yes, as prescribed"
    PARTLY = "partly", "Partly"
    NO = "no", "No, I changed it"


class Compared(models.TextChoices):
    """Pain or stiffness the next morning, against usual (a check-in's answers)."""

    BETTER = "better", "Better than usual"
    SAME = "same", "About the same"
    WORSE = "worse", "Worse than usual"


# The rule looks at this many of a routine's most recent sessions (DESIGN: "its last two
# sessions are green or amber with check-ins done"), and "two reds in a row" step back.
LAST_SESSIONS_CHECKED = 2


class Grade(StrEnum):
    """A session's grade and everything a page shows of it: its word, its CSS class and
    which shape it is drawn with (always a word and a shape as well as a colour)."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"

    @property
    def label(self) -> str:
        return {"green": "Green", "amber": "Amber", "red": "Red"}[self.value]

    @property
    def css_class(self) -> str:
        return f"grade--{self.value}"

    @property
    def is_pending(self) -> bool:
        return False

    @property
    def is_green(self) -> bool:
        return self is Grade.GREEN

    @property
    def is_amber(self) -> bool:
        return self is Grade.AMBER

    @property
    def is_red(self) -> bool:
        return self is Grade.RED


def session_checkin(session: SessionLog) -> CheckIn | None:
    try:
        return session.checkin
    except ObjectDoesNotExist:  # CheckIn.DoesNotExist: no check-in yet
        return None


def session_grade(*, session: SessionLog) -> Grade | None:
    """Grade one session by the pain-monitoring model; None until the check-in is in.

    Red: worst pain above the amber limit (default 5/10), or pain or stiffness worse than
    usual the next morning (Silbernagel 2007 monitors both). Amber: worst pain above the
    green limit (default 3/10) but settled by the morning. Green: the rest.
    """
    checkin = session_checkin(session)
    if checkin is None:
        return None
    routine = session.routine
    if session.worst_pain > routine.amber_max_pain or checkin.is_worse:
        return Grade.RED
    if session.worst_pain > routine.green_max_pain:
        return Grade.AMBER
    return Grade.GREEN


# A session still waiting for its check-in: session_grade says None, the SQL form says
# GRADE_PENDING, and pages, exports and the admin show PENDING_LABEL.
GRADE_PENDING = "pending"
PENDING_LABEL = "Awaiting check-in"


@dataclass(frozen=True)
class PendingGrade:
    """What a page shows where a grade will be once the check-in is in: shaped like Grade
    (label, css_class, the is_* booleans), so a template never tells the two apart by a
    string."""

    value: str = GRADE_PENDING
    label: str = PENDING_LABEL
    is_green: bool = False
    is_amber: bool = False
    is_red: bool = False
    is_pending: bool = True

    @property
    def css_class(self) -> str:
        return f"grade--{self.value}"


PENDING = PendingGrade()


def grade_shown(grade: Grade | None) -> Grade | PendingGrade:
    """The grade as a page shows it: the Grade itself, or PENDING before the check-in."""
    return grade if grade is not None else PENDING


def grade_label(grade: Grade | None) -> str:
    """The grade in a word, or "Awaiting check-in" before there is one."""
    return grade_shown(grade).label


def grade_from_sql(value: str) -> Grade | None:
    """The Grade for a value of `session_grade_sql()`; None for a pending session."""
    return None if value == GRADE_PENDING else Grade(value)


def session_grade_sql() -> Case:
    """`session_grade` as a SQL expression over SessionLog rows, for lists that filter and
    sort on the grade (`SessionLog.objects.with_grade()`). Same order of tests, same
    limits, same "worse" answer; tests/programs/test_grade_pair.py holds the two together.
    """
    worse = Compared.WORSE
    return Case(
        When(checkin__isnull=True, then=Value(GRADE_PENDING)),
        When(
            Q(worst_pain__gt=F("routine__amber_max_pain"))
            | Q(checkin__pain=worse)
            | Q(checkin__stiffness=worse),
            then=Value(Grade.RED.value),
        ),
        When(worst_pain__gt=F("routine__green_max_pain"), then=Value(Grade.AMBER.value)),
        default=Value(Grade.GREEN.value),
        output_field=CharField(),
    )


def _plural(count: int, word: str) -> str:
    return f"{count} more {word}{'' if count == 1 else 's'}"


@dataclass(frozen=True)
class UnlockClause:
    """One part of the unlock rule with how far the member is: "3 of 4 sessions"."""

    label: str
    done: int
    needed: int
    note: str = ""  # e.g. "tomorrow's check-in" for a session that waits for one

    @property
    def met(self) -> bool:
        return self.done >= self.needed


@dataclass(frozen=True)
class UnlockProgress:
    """How far a routine is from opening the next one, for the words on the dashboard."""

    routine: Routine
    today: dt.date
    sessions_left: int
    good_sessions_needed: bool
    days_left: int
    checkins_due: tuple[SessionLog, ...]
    # The rule's three parts as counts, so each can be shown with its own "x of y".
    sessions_done: int = 0
    days_done: int = 0
    good_done: int = 0

    @property
    def ready(self) -> bool:
        return not (self.sessions_left or self.days_left or self.checkins_due)

    @property
    def clauses(self) -> list[UnlockClause]:
        """Every part of the rule, each with its own count: a part that is met never sits
        alone beside a locked routine looking like the whole story."""
        routine = self.routine
        due = ", ".join(self._checkin_words(session) for session in self.checkins_due)
        clauses = [
            UnlockClause(
                "Sessions done as prescribed, on different days",
                min(self.sessions_done, routine.sessions_to_unlock),
                routine.sessions_to_unlock,
            ),
            UnlockClause(
                "Days since your first session of this routine",
                min(self.days_done, routine.days_to_unlock),
                routine.days_to_unlock,
            ),
            UnlockClause(
                "Last two sessions green or amber, checked in",
                self.good_done,
                LAST_SESSIONS_CHECKED,
                note=f"waiting for {due}" if due else "",
            ),
        ]
        return [clause for clause in clauses if clause.needed]  # staff may set 0 days

    def _checkin_words(self, session: SessionLog) -> str:
        if session.date >= self.today:
            return "tomorrow's check-in"
        if session.date == self.today - dt.timedelta(days=1):
            return "today's check-in"
        return f"the check-in for {session.date.day} {session.date:%b}"

    @property
    def text(self) -> str:
        """What is left, in words: "2 more sessions, 3 more days, tomorrow's check-in"."""
        parts = []
        if self.sessions_left:
            words = _plural(self.sessions_left, "session")
            parts.append(f"{words} graded green or amber" if self.good_sessions_needed else words)
        if self.days_left:
            parts.append(_plural(self.days_left, "day"))
        parts.extend(self._checkin_words(session) for session in self.checkins_due)
        return ", ".join(parts)


def routine_unlock_progress(
    *, routine: Routine, sessions: list[SessionLog], today: dt.date
) -> UnlockProgress:
    """The unlock rule for the routine after `routine`, applied to this member's sessions.

    DESIGN: the next routine opens when this one has at least `sessions_to_unlock` (4)
    completed sessions on distinct days, at least `days_to_unlock` (7) days since its
    first session, and its last two sessions are green or amber with check-ins done.
    "Completed" means done as prescribed ("yes"); a partial session is still graded.
    """
    ordered = sorted(sessions, key=lambda s: (s.date, s.created_at or timezone.now()))
    completed_days = {s.date for s in ordered if s.done == Done.YES}
    count_left = max(0, routine.sessions_to_unlock - len(completed_days))
    if ordered:
        opens_on = ordered[0].date + dt.timedelta(days=routine.days_to_unlock)
        days_left = max(0, (opens_on - today).days)
    else:
        days_left = routine.days_to_unlock

    # Walk back from the newest session: a red ends the run of sessions that can count.
    good_run: list[SessionLog] = []
    for session in reversed(ordered[-LAST_SESSIONS_CHECKED:]):
        if session_grade(session=session) == Grade.RED:
            break
        good_run.append(session)
    good_left = LAST_SESSIONS_CHECKED - len(good_run)
    checkins_due = tuple(
        s for s in reversed(good_run) if session_checkin(s) is None
    )  # oldest first
    return UnlockProgress(
        routine=routine,
        today=today,
        sessions_left=max(count_left, good_left),
        good_sessions_needed=good_left > count_left,
        days_left=days_left,
        checkins_due=checkins_due,
        sessions_done=len(completed_days),
        days_done=routine.days_to_unlock - days_left,
        good_done=len(good_run) - len(checkins_due),
    )


@dataclass(frozen=True)
class Advice:
    """What to do after red sessions. `kind` is "easier_dose" or "step_back"."""

    kind: str
    routine: Routine
    step_back_to: Routine | None = None

    @property
    def steps_back(self) -> bool:
        return self.kind == "step_back"

    @property
    def easier_dose(self) -> bool:
        return self.kind == "easier_dose"


# Less than a point on a 0-10 scale is "about the same": day-to-day wobble, not a trend.
PAIN_CHANGE_WORTH_SAYING = 1.0


@dataclass(frozen=True)
class PainChange:
    """Worst pain during sessions now against when the member started, honestly put.

    Only said with enough sessions to compare (the first few against the last few); a
    rise is not dressed up as progress: `improved` and `about_the_same` are both False.
    """

    points: float  # how far the average came down; negative when it went up
    sessions_compared: int

    @property
    def improved(self) -> bool:
        return self.points >= PAIN_CHANGE_WORTH_SAYING

    @property
    def about_the_same(self) -> bool:
        return abs(self.points) < PAIN_CHANGE_WORTH_SAYING

    @property
    def points_text(self) -> str:
        """ "1.5 points", "2 points", "1 point"."""
        value = f"{self.points:.1f}".removesuffix(".0")
        return f"{value} point{'' if value == '1' else 's'}"


@dataclass(frozen=True)
class WeekPlan:
    """Sessions logged this week (Monday to Sunday) against the pace of the unlock rule."""

    done: int
    planned: int

    @property
    def ahead(self) -> bool:
        """More than the plan: said as a count, with a word for rest, never "5 of 4"."""
        return self.done > self.planned
