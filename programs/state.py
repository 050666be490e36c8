"""One member's whole Program, loaded at once: where they are, what they've logged, and
what the pages ask of them next (`ProgramState`, built by `program_state`).

The rules the state applies (grades, the unlock rule, advice after red sessions) are
pure functions in `rules.py`; the catalogue and history reads are in `selectors.py`.
"""

import datetime as dt
import math
from dataclasses import dataclass, field

from django.db.models import Exists
from django.utils import timezone

from members.selectors import member_has_premium

from .models import (
    Done,
    MemberProgress,
    PauseReason,
    Phase,
    ProgramConsent,
    Routine,
    SessionLog,
    Unlock,
    UnlockMethod,
)
from .rules import (
    LAST_SESSIONS_CHECKED,
    Advice,
    Grade,
    PainChange,
    UnlockProgress,
    WeekPlan,
    routine_unlock_progress,
    session_checkin,
    session_grade,
)
from .selectors import GradedSession, program_phases

RECENT_SESSIONS_SHOWN = 10
DASHBOARD_SESSIONS_SHOWN = 3  # the rest are a click away, on the history page
# A routine opened this recently, and not yet tried, is celebrated on the dashboard.
JUST_UNLOCKED_DAYS = 7
# The pain change compares the first and the last sessions, up to this many at each end
# (two against two with four or five sessions); it is never said with fewer than four.
PAIN_CHANGE_SESSIONS = 3


@dataclass
class RoutineState:
    routine: Routine
    unlock: Unlock | None = None
    sessions: list[SessionLog] = field(default_factory=list)  # newest first

    @property
    def unlocked(self) -> bool:
        return self.unlock is not None

    @property
    def completed_sessions(self) -> int:
        return len({s.date for s in self.sessions if s.done == Done.YES})


@dataclass(frozen=True)
class PathStep:
    """One routine on the member's path through the Program, as the dashboard draws it."""

    routine: Routine
    completed_sessions: int
    done: bool  # open, and the routine after it is open too
    current: bool  # open, and where the unlock rule is working now
    locked: bool
    just_unlocked: bool
    starts_here: bool = False  # the very first routine, before the member has started


@dataclass(frozen=True)
class PathPhase:
    phase: Phase
    steps: list[PathStep]

    @property
    def reached(self) -> bool:
        """A routine of this phase is open (or it is where the member will start): the
        phase is drawn in full; the phases ahead are folded to a line."""
        return any(not step.locked or step.starts_here for step in self.steps)

    @property
    def finished(self) -> bool:
        return bool(self.steps) and all(step.done for step in self.steps)


@dataclass
class ProgramState:
    """Everything the dashboard and routine pages need about one member, loaded at once."""

    user: object
    today: dt.date
    has_premium: bool
    progress: MemberProgress | None
    phases: list[Phase]
    routines: list[Routine]
    by_routine: dict[int, RoutineState]
    sessions: list[SessionLog]  # newest first
    consented: bool = False  # a live consent to keeping their health data (ProgramConsent)

    # ----- where the member is
    @property
    def started(self) -> bool:
        return bool(self.progress and self.progress.started_at)

    @property
    def paused(self) -> bool:
        return bool(self.progress and self.progress.is_paused)

    @property
    def pause_reason(self) -> str:
        """The member's own pause (red flag or flare-up), if any; see `staff_paused`."""
        return self.progress.pause_reason if self.paused else ""

    @property
    def staff_paused(self) -> bool:
        return bool(self.progress and self.progress.is_staff_paused)

    @property
    def paused_for_red_flag(self) -> bool:
        return self.pause_reason == PauseReason.RED_FLAG

    @property
    def paused_for_flare_up(self) -> bool:
        return self.pause_reason == PauseReason.FLARE_UP

    @property
    def lapsed(self) -> bool:
        """Started, but membership no longer grants premium: read-only, nothing reset."""
        return self.started and not self.has_premium

    @property
    def can_log(self) -> bool:
        return self.has_premium and self.started and not self.paused and self.consented

    @property
    def needs_consent(self) -> bool:
        """A premium member with a program under way who hasn't agreed to us keeping their
        health data (it was kept before we asked, or they withdrew): asked before anything
        more is stored. Before starting, the safety check asks instead."""
        return self.has_premium and not self.consented and self.started

    def is_unlocked(self, routine: Routine) -> bool:
        state = self.by_routine.get(routine.pk)
        return bool(state and state.unlocked)

    def next_routine(self, routine: Routine) -> Routine | None:
        index = self._index(routine)
        return self.routines[index + 1] if index + 1 < len(self.routines) else None

    def previous_routine(self, routine: Routine) -> Routine | None:
        index = self._index(routine)
        return self.routines[index - 1] if index > 0 else None

    def _index(self, routine: Routine) -> int:
        return next(i for i, r in enumerate(self.routines) if r.pk == routine.pk)

    @property
    def current_routine(self) -> Routine | None:
        """The furthest routine the member has unlocked."""
        unlocked = [r for r in self.routines if self.is_unlocked(r)]
        return unlocked[-1] if unlocked else None

    @property
    def unlocked_count(self) -> int:
        return sum(1 for r in self.routines if self.is_unlocked(r))

    @property
    def finished(self) -> bool:
        return bool(self.routines) and self.unlocked_count == len(self.routines)

    # ----- sessions and grades
    @property
    def graded_sessions(self) -> list[GradedSession]:
        return [GradedSession(s, session_grade(session=s)) for s in self.sessions]

    @property
    def recent_sessions(self) -> list[GradedSession]:
        return self.graded_sessions[:RECENT_SESSIONS_SHOWN]

    def sessions_for(self, routine: Routine) -> list[GradedSession]:
        state = self.by_routine.get(routine.pk)
        return [
            GradedSession(s, session_grade(session=s)) for s in (state.sessions if state else [])
        ]

    @property
    def checkins_due(self) -> list[SessionLog]:
        """Sessions from before today that still wait for their next-morning check-in."""
        return [s for s in self.sessions if s.date < self.today and session_checkin(s) is None]

    @property
    def checkins_asked(self) -> list[SessionLog]:
        """The check-ins the pages ask for: none while a red flag pauses the program (the
        member is told to see a doctor; a check-in form would say carry on as usual), nor
        before the member agrees to us keeping their answers."""
        if self.paused_for_red_flag or not self.consented:
            return []
        return self.checkins_due

    @property
    def logged_today(self) -> bool:
        return any(s.date == self.today for s in self.sessions)

    @property
    def today_asks_checkin(self) -> bool:
        return self.today_step == "checkin"

    @property
    def today_asks_log(self) -> bool:
        return self.today_step == "log"

    @property
    def today_done(self) -> bool:
        return self.today_step == "done"

    @property
    def today_step(self) -> str:
        """The one thing the dashboard asks of the member today, so it never asks twice.

        "checkin" (a session waits for its next-morning check-in), "log" (nothing logged
        today), "done" (today's session is logged: tomorrow's check-in is next), or "" when
        there is nothing to ask: not started, lapsed, or paused. A red-flag pause asks for a
        doctor, not a check-in; a flare-up pause still takes check-ins but no new sessions.
        """
        if not (self.started and self.has_premium and self.consented) or self.paused_for_red_flag:
            return ""
        if self.checkins_due:
            return "checkin"
        if not self.can_log:
            return ""
        return "done" if self.logged_today else "log"

    @property
    def advice(self) -> Advice | None:
        """One red: repeat at an easier dose. Two reds in a row: step back for now.

        "In a row" means the member's two most recent graded sessions, on any routine, so
        a good session on the easier routine ends the step-back. Nothing is ever re-locked.
        """
        graded = [g for g in self.graded_sessions if g.grade is not None][:LAST_SESSIONS_CHECKED]
        if not graded or graded[0].grade != Grade.RED:
            return None
        routine = graded[0].session.routine
        if len(graded) == LAST_SESSIONS_CHECKED and graded[1].grade == Grade.RED:
            return Advice(
                kind="step_back", routine=routine, step_back_to=self.previous_routine(routine)
            )
        return Advice(kind="easier_dose", routine=routine)

    @property
    def suggested_routine(self) -> Routine | None:
        """The routine the dashboard puts first: the current one, or one back after two reds."""
        advice = self.advice
        if advice and advice.kind == "step_back" and advice.step_back_to is not None:
            return advice.step_back_to
        return self.current_routine

    def unlock_progress_for(self, routine: Routine | None) -> UnlockProgress | None:
        """What is left before `routine` opens the next one; None if there is nothing to open."""
        if routine is None or not self.is_unlocked(routine):
            return None
        following = self.next_routine(routine)
        if following is None or self.is_unlocked(following):
            return None
        return routine_unlock_progress(
            routine=routine, sessions=self.by_routine[routine.pk].sessions, today=self.today
        )

    @property
    def unlock_progress(self) -> UnlockProgress | None:
        return self.unlock_progress_for(self.current_routine)

    @property
    def next_to_open(self) -> Routine | None:
        """The locked routine the unlock rule is working towards, if there is one."""
        current = self.current_routine
        following = self.next_routine(current) if current else None
        return following if following is not None and not self.is_unlocked(following) else None

    @property
    def next_opens_phase(self) -> bool:
        """Opening the next routine opens a new phase too (it is that phase's first)."""
        current, following = self.current_routine, self.next_to_open
        return bool(current and following and following.phase_id != current.phase_id)

    @property
    def routines_to_check(self) -> list[Routine]:
        """Unlocked routines whose next routine is still locked: where the rule can act."""
        return [
            r
            for r in self.routines
            if self.is_unlocked(r)
            and (following := self.next_routine(r)) is not None
            and not self.is_unlocked(following)
        ]

    # ----- phases, for the progress list
    @property
    def phase_rows(self) -> list[tuple[Phase, list[RoutineState]]]:
        return [
            (phase, [self.by_routine[r.pk] for r in phase.routines.all()]) for phase in self.phases
        ]

    @property
    def just_unlocked(self) -> list[Routine]:
        """Routines the unlock rule opened in the last JUST_UNLOCKED_DAYS days and not yet
        tried: the dashboard celebrates them, however the member arrives there (a check-in
        that completed the rule, or time passing)."""
        since = self.today - dt.timedelta(days=JUST_UNLOCKED_DAYS)
        return [
            r
            for r in self.routines
            if (state := self.by_routine[r.pk]).unlock is not None
            and state.unlock.method == UnlockMethod.RULE
            and timezone.localdate(state.unlock.unlocked_at) > since
            and not state.sessions
        ]

    @property
    def path(self) -> list[PathPhase]:
        """Every phase with its routines as steps: done, current (where the rule works
        now) or locked. Each routine appears once, with its status in words."""
        current = self.current_routine
        new = {r.pk for r in self.just_unlocked}
        first = self.routines[0] if self.routines and current is None else None
        phases = []
        for phase in self.phases:
            steps = []
            for routine in phase.routines.all():
                state = self.by_routine[routine.pk]
                following = self.next_routine(routine)
                is_open = state.unlocked
                steps.append(
                    PathStep(
                        routine=routine,
                        completed_sessions=state.completed_sessions,
                        done=is_open and (following is not None and self.is_unlocked(following)),
                        current=is_open and current is not None and routine.pk == current.pk,
                        locked=not is_open,
                        just_unlocked=routine.pk in new,
                        starts_here=first is not None and routine.pk == first.pk,
                    )
                )
            phases.append(PathPhase(phase=phase, steps=steps))
        return phases

    # ----- motivation, from the member's own numbers
    @property
    def pain_change(self) -> PainChange | None:
        """Worst pain during the first sessions against the latest ones; None until there
        are enough sessions to compare (four: two against two)."""
        oldest_first = list(reversed(self.sessions))
        count = min(PAIN_CHANGE_SESSIONS, len(oldest_first) // 2)
        if count < 2:
            return None
        first = sum(s.worst_pain for s in oldest_first[:count]) / count
        latest = sum(s.worst_pain for s in oldest_first[-count:]) / count
        return PainChange(points=round(first - latest, 1), sessions_compared=count)

    @property
    def week_plan(self) -> WeekPlan | None:
        """This week's sessions (Monday to Sunday) against the pace the unlock rule sets on
        the routine in hand: its sessions over its days, as sessions a week (4 over 7 days
        by default). None before the member has a routine open."""
        routine = self.suggested_routine
        if routine is None or not self.can_log:
            return None
        monday = self.today - dt.timedelta(days=self.today.weekday())
        done = len({s.date for s in self.sessions if monday <= s.date <= self.today})
        days = max(routine.days_to_unlock, 7)
        planned = min(7, math.ceil(routine.sessions_to_unlock * 7 / days))
        return WeekPlan(done=done, planned=planned)

    @property
    def dashboard_sessions(self) -> list[GradedSession]:
        return self.graded_sessions[:DASHBOARD_SESSIONS_SHOWN]


def program_state(*, user, today: dt.date | None = None) -> ProgramState:
    """Load one member's whole program in a fixed handful of queries, whatever their history."""
    today = today or timezone.localdate()
    phases = program_phases()
    routines = [r for phase in phases for r in phase.routines.all()]
    for phase in phases:
        for routine in phase.routines.all():
            routine.phase = phase  # share the loaded phase: no query per routine
    by_routine = {r.pk: RoutineState(routine=r) for r in routines}
    progress = None
    sessions: list[SessionLog] = []
    consented = False
    if getattr(user, "is_authenticated", False):
        # The consent rides along with the progress row; only a member without one (not
        # started yet) costs a query of its own.
        live_consent = ProgramConsent.objects.filter(user=user, ended_at__isnull=True)
        progress = (
            MemberProgress.objects.filter(user=user)
            .annotate(consented=Exists(live_consent))
            .first()
        )
        consented = progress.consented if progress is not None else live_consent.exists()
        for unlock in Unlock.objects.filter(user=user):
            if unlock.routine_id in by_routine:
                by_routine[unlock.routine_id].unlock = unlock
        sessions = list(
            SessionLog.objects.filter(user=user)
            .select_related("checkin")
            .order_by("-date", "-created_at")
        )
        for session in sessions:
            state = by_routine[session.routine_id]
            session.routine = state.routine
            state.sessions.append(session)
    return ProgramState(
        user=user,
        today=today,
        has_premium=member_has_premium(user),
        progress=progress,
        phases=phases,
        routines=routines,
        by_routine=by_routine,
        sessions=sessions,
        consented=consented,
    )
