"""Reads for the Back In Shape Program: the catalogue, a member's session history, and
their consent and data.

One member's whole program as the dashboard and routine pages read it is `state.py`;
the progression rules these reads apply (grades, the unlock rule, advice after red
sessions) are pure functions in `rules.py`.
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
)
from django.http import Http404
from django.utils import timezone

from common.markdown import render_markdown
from members.selectors import member_has_premium, members_with_live_membership

from .models import (
    CheckIn,
    Exercise,
    MemberProgress,
    Phase,
    ProgramConsent,
    ProgressEvent,
    Routine,
    RoutineStep,
    SessionLog,
    Unlock,
)
from .rules import (
    Grade,
    PendingGrade,
    grade_label,
    grade_shown,
    session_grade,
)

# --------------------------------------------------------------------------- catalogue


def program_phases() -> list[Phase]:
    """Every phase with its routines, in two queries."""
    return list(
        Phase.objects.prefetch_related(
            Prefetch("routines", queryset=Routine.objects.order_by("position"))
        )
    )


def routine_get(*, phase_slug: str, routine_slug: str) -> Routine:
    try:
        return Routine.objects.select_related("phase").get(
            phase__slug=phase_slug, slug=routine_slug
        )
    except Routine.DoesNotExist:
        raise Http404("No routine here.") from None


def routine_instructions_for_viewer(*, routine: Routine, user) -> str | None:
    """The routine's instructions as HTML for premium members; None for everyone else."""
    if not member_has_premium(user):
        return None
    return render_markdown(routine.instructions, id_prefix="r-").html


def routine_steps_for_viewer(*, routine: Routine, user) -> list[RoutineStep]:
    """The routine's ordered steps with their exercises, for premium members only."""
    if not member_has_premium(user):
        return []
    return list(routine.steps.select_related("exercise").order_by("position"))


def exercise_get(*, slug: str) -> Exercise:
    try:
        return Exercise.objects.select_related("easier", "harder").get(slug=slug)
    except Exercise.DoesNotExist:
        raise Http404("No exercise here.") from None


def exercise_routines(*, exercise: Exercise) -> list[Routine]:
    """The routines that use this exercise, in program order (titles only: public)."""
    return list(
        Routine.objects.filter(steps__exercise=exercise)
        .select_related("phase")
        .distinct()
        .order_by("phase__number", "position")
    )


@dataclass(frozen=True)
class PracticeRoutine:
    """A routine as an episode page shows it: public facts and whether it's open for you."""

    routine: Routine
    unlocked: bool


@dataclass(frozen=True)
class Practice:
    """The routines behind an episode, for one viewer; empty (falsy) when there are none."""

    routines: list[PracticeRoutine]
    has_premium: bool

    def __bool__(self) -> bool:
        return bool(self.routines)


def practice_routines_for_viewer(*, routines, user) -> Practice:
    """These routines (in program order, with their phases loaded), each marked open for
    this viewer or not. One query at most: a premium viewer's unlocks."""
    rows = list(routines)
    if not rows:
        return Practice(routines=[], has_premium=False)
    has_premium = member_has_premium(user)
    unlocked: set[int] = set()
    if has_premium:
        unlocked = set(
            Unlock.objects.filter(user=user, routine__in=rows).values_list("routine_id", flat=True)
        )
    return Practice(
        routines=[PracticeRoutine(routine=r, unlocked=r.pk in unlocked) for r in rows],
        has_premium=has_premium,
    )


# --------------------------------------------------------------------------- history


@dataclass(frozen=True)
class GradedSession:
    session: SessionLog
    grade: Grade | None

    @property
    def shown(self) -> Grade | PendingGrade:
        """The grade for a badge: the Grade, or the pending one before the check-in."""
        return grade_shown(self.grade)

    @property
    def grade_label(self) -> str:
        return grade_label(self.grade)


def session_for_member(*, user, session_id: int) -> SessionLog:
    """One of this member's own session logs; 404 for anyone else's (never reveal them)."""
    try:
        return SessionLog.objects.select_related("routine__phase", "checkin").get(
            pk=session_id, user=user
        )
    except SessionLog.DoesNotExist:
        raise Http404("No session here.") from None


def program_started(*, user) -> bool:
    """Whether this member has ever started the program (premium or not any more)."""
    return MemberProgress.objects.filter(user=user, started_at__isnull=False).exists()


def member_sessions(*, user) -> list[GradedSession]:
    """All of one member's sessions with their check-ins and grades, newest first.

    One query whatever the number of sessions: routines, phases and check-ins are joined.
    """
    sessions = (
        SessionLog.objects.filter(user=user)
        .select_related("routine__phase", "checkin")
        .order_by("-date", "-created_at")
    )
    return [GradedSession(s, session_grade(session=s)) for s in sessions]


# --------------------------------------------------------------------------- consent and data


def program_consent_live(*, user) -> bool:
    """Whether the member has agreed, and not withdrawn, to the Program keeping their
    health data."""
    return ProgramConsent.objects.filter(user=user, ended_at__isnull=True).exists()


def program_consents(*, user) -> list[ProgramConsent]:
    """Every consent the member gave, newest first, with the privacy notice's version."""
    return list(
        ProgramConsent.objects.filter(user=user)
        .select_related("privacy_version__page")
        .order_by("-given_at")
    )


def _holds_program_data(user_ref) -> Q:
    """Whether the user (an OuterRef to one) has Program health data: a session, an audit
    entry, or a progress record of their own (not only a hold staff placed)."""
    return (
        Q(Exists(SessionLog.objects.filter(user=user_ref)))
        | Q(Exists(ProgressEvent.objects.filter(user=user_ref)))
        | Q(
            Exists(
                MemberProgress.objects.filter(user=user_ref).filter(
                    Q(started_at__isnull=False) | Q(paused_at__isnull=False)
                )
            )
        )
    )


@dataclass(frozen=True)
class ProgramDataSummary:
    consent_given_at: dt.datetime | None  # the live consent's; None without one
    holds_data: bool


def program_data_summary(*, user) -> ProgramDataSummary:
    """The member's live consent and whether we hold Program data about them, in one query."""
    live = ProgramConsent.objects.filter(user=OuterRef("pk"), ended_at__isnull=True)
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(
            consent_given_at=Subquery(live.values("given_at")[:1]),
            holds_data=ExpressionWrapper(
                _holds_program_data(OuterRef("pk")), output_field=BooleanField()
            ),
        )
        .values("consent_given_at", "holds_data")
        .first()
    ) or {"consent_given_at": None, "holds_data": False}
    return ProgramDataSummary(
        consent_given_at=row["consent_given_at"], holds_data=bool(row["holds_data"])
    )


def _latest(model, user_path: str, field: str):
    return Subquery(
        model.objects.filter(**{user_path: OuterRef("pk")})
        .order_by()
        .values(user_path)
        .annotate(latest=Max(field))
        .values("latest")[:1]
    )


def program_data_quiet_members(*, cutoff: dt.datetime, today: dt.date) -> list:
    """Members holding Program data whose accounts have been quiet since before `cutoff`.

    Quiet means nothing has happened since then: no sign-in, no session, check-in or
    progress entry, no consent given, no membership change and no paid or complimentary
    period running past it. Never anyone with a live membership (a subscription still open
    at Stripe, or complimentary premium), nor staff, however long they have been away.
    """
    candidates = (
        get_user_model()
        .objects.filter(_holds_program_data(OuterRef("pk")), date_joined__lt=cutoff, is_staff=False)
        .filter(Q(last_login__isnull=True) | Q(last_login__lt=cutoff))
        .exclude(pk__in=members_with_live_membership(today=today))
        .annotate(
            last_session=_latest(SessionLog, "user", "created_at"),
            last_checkin=_latest(CheckIn, "session__user", "created_at"),
            last_event=_latest(ProgressEvent, "user", "created_at"),
            last_consent=_latest(ProgramConsent, "user", "given_at"),
        )
        .select_related("membership")
    )
    quiet = []
    for user in candidates:
        moments = [user.last_session, user.last_checkin, user.last_event, user.last_consent]
        membership = getattr(user, "membership", None)
        if membership is not None:
            moments += [membership.updated_at, membership.current_period_end]
            if membership.complimentary_until:
                moments.append(
                    timezone.make_aware(
                        dt.datetime.combine(membership.complimentary_until, dt.time.max)
                    )
                )
        if all(moment is None or moment < cutoff for moment in moments):
            quiet.append(user)
    return quiet
