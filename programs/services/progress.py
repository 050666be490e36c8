"""Writes for a member's way through the Program: starting after the safety check,
pausing and resuming, and opening routines by the unlock rule or by staff's hand.

Views, admin actions and tests all call these functions; each one checks the rule it
applies, so there is one place where a rule lives. The rules, with their clinical
sources, are in `programs/rules.py`.
"""

import datetime as dt
from enum import StrEnum

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from members.selectors import member_has_premium
from programs.models import (
    MemberProgress,
    PauseReason,
    ProgressEvent,
    Routine,
    Unlock,
    UnlockMethod,
)
from programs.state import ProgramState, program_state

from .consent import _require_consent

# The red-flag screen (NHS "Back pain: when to get medical help now"; NICE NG59): symptoms
# that can mean cauda equina syndrome, infection or other serious causes of back pain.
RED_FLAGS = {
    "saddle_numbness": "Numbness or tingling around your genitals or bottom (the saddle area)",
    "bladder_bowel": (
        "New trouble peeing or controlling your bladder or bowels, or not being able to tell "
        "when you need to go"
    ),
    "leg_weakness": "Weakness or numbness in one or both legs that is getting worse",
    "fever": "A high temperature or feeling hot and shivery, along with your back pain",
    "night_pain": "Pain that is severe, constant and no better when you lie still or at night",
    "injury": "Back pain that started after a fall, accident or heavy blow",
    "weight_cancer": "Losing weight without trying, or a history of cancer",
}


# Of the member's own pauses the stricter is kept: a flare-up report never softens a
# red-flag pause into one the member lifts with "it has settled".
PAUSE_STRICTNESS = {PauseReason.FLARE_UP: 1, PauseReason.RED_FLAG: 2}


class ScreenOutcome(StrEnum):
    URGENT = "urgent"  # a "yes": paused, seek medical care now
    STARTED = "started"
    RESUMED = "resumed"
    FLARE_UP_PAUSED = "flare_up_paused"
    STAFF_PAUSED = "staff_paused"  # the safety check is clear, but staff still hold it
    ALREADY_STARTED = "already_started"


def _require_premium(user) -> None:
    if not member_has_premium(user):
        raise PermissionDenied("The Back In Shape Program is for premium members.")


def _record(*, user, kind: str, reason: str, by=None, routine: Routine | None = None) -> None:
    ProgressEvent.objects.create(
        user=user,
        kind=kind,
        reason=reason,
        by=by,
        by_staff=bool(by is not None and by.is_staff and by.pk != user.pk),
        routine=routine,
    )


def _progress_for_update(user) -> MemberProgress:
    progress, _ = MemberProgress.objects.get_or_create(user=user)
    return MemberProgress.objects.select_for_update().get(pk=progress.pk)


def _first_routine() -> Routine | None:
    return Routine.objects.select_related("phase").order_by("phase__number", "position").first()


def _unlock_create(*, user, routine: Routine, method: str, reason: str, by=None) -> Unlock | None:
    """Open `routine` for `user` once; a second call (or a race) leaves the first unlock be."""
    try:
        with transaction.atomic():
            unlock = Unlock.objects.create(
                user=user, routine=routine, method=method, reason=reason, by=by
            )
    except IntegrityError:
        return None  # already unlocked: unlocks are permanent and never rewritten
    _record(user=user, kind=ProgressEvent.Kind.UNLOCKED, reason=reason, by=by, routine=routine)
    return unlock


# --------------------------------------------------------------------------- start and screen


@transaction.atomic
def program_start(*, user, by=None) -> Unlock | None:
    """Start the member on the Program: the first routine of Phase One opens.

    Called once the red-flag screen has been answered "no" throughout.
    """
    _require_consent(user)
    routine = _first_routine()
    if routine is None:
        raise ValidationError("The Program has no routines yet.")
    progress = _progress_for_update(user)
    if progress.started_at is None:
        progress.started_at = timezone.now()
        progress.save(update_fields=["started_at"])
        _record(
            user=user, kind=ProgressEvent.Kind.STARTED, reason="Passed the safety check.", by=by
        )
    return _unlock_create(
        user=user,
        routine=routine,
        method=UnlockMethod.START,
        reason="Started the Back In Shape Program.",
        by=by,
    )


@transaction.atomic
def red_flag_screen_record(
    *, user, answers: dict[str, bool], occasion: str, clinician_cleared: bool = False
) -> ScreenOutcome:
    """Act on the red-flag screen, shown before Phase One and on every flare-up report.

    Any "yes" pauses the program and the member is told to seek medical care now. With
    every answer "no": before Phase One the program starts; a member paused by an earlier
    "yes" resumes only once they confirm a clinician has checked them; on a flare-up
    report the program pauses until the member says it has settled.
    """
    _require_premium(user)
    _require_consent(user)
    unknown = set(answers) - set(RED_FLAGS)
    if unknown or set(answers) != set(RED_FLAGS):
        raise ValidationError("Please answer every question.")
    yes = [RED_FLAGS[key] for key, answer in answers.items() if answer]
    if yes:
        _record(
            user=user,
            kind=ProgressEvent.Kind.RED_FLAG,
            reason="Answered yes to: " + "; ".join(yes),
            by=user,
        )
        program_pause(
            user=user,
            reason=PauseReason.RED_FLAG,
            by=user,
            note="Red-flag screen: told to seek medical care now.",
        )
        return ScreenOutcome.URGENT

    progress = MemberProgress.objects.filter(user=user).first()
    if occasion == "flare_up":
        if progress is None or progress.started_at is None:
            raise ValidationError("Start the Program before reporting a flare-up.")
        program_pause(user=user, reason=PauseReason.FLARE_UP, by=user, note="Reported a flare-up.")
        return ScreenOutcome.FLARE_UP_PAUSED

    if progress is not None and progress.pause_reason == PauseReason.RED_FLAG:
        if not clinician_cleared:
            raise ValidationError(
                "Please confirm that a doctor or physiotherapist has checked you since."
            )
        progress = program_resume(
            user=user, by=user, note="Safety check clear; checked by a clinician."
        )
        if progress.is_staff_paused:
            return ScreenOutcome.STAFF_PAUSED
        if progress.started_at is None:
            program_start(user=user)
            return ScreenOutcome.STARTED
        return ScreenOutcome.RESUMED
    if progress is not None and progress.started_at is not None:
        return ScreenOutcome.ALREADY_STARTED
    program_start(user=user)
    return ScreenOutcome.STARTED


# --------------------------------------------------------------------------- pause and resume


@transaction.atomic
def program_pause(*, user, reason: str, by, note: str = "") -> MemberProgress:
    """Pause a member's program: nothing can be logged until it resumes. Nothing is reset.

    A staff pause is held apart from the member's own pause (red flag, flare-up), so
    nothing the member does meanwhile can lift it.
    """
    if reason not in PauseReason.values:
        raise ValidationError("Unknown reason for a pause.")
    if reason == PauseReason.STAFF and not (by is not None and by.is_staff):
        raise PermissionDenied("Only staff pause a program as staff.")
    progress = _progress_for_update(user)
    if reason == PauseReason.STAFF:
        progress.staff_paused_at = timezone.now()
        progress.staff_pause_note = note
        progress.staff_paused_by = by
        progress.save(update_fields=["staff_paused_at", "staff_pause_note", "staff_paused_by"])
    else:
        current = progress.pause_reason if progress.paused_at else ""
        if current and PAUSE_STRICTNESS[current] > PAUSE_STRICTNESS[reason]:
            reason = current
        progress.paused_at = timezone.now()
        progress.pause_reason = reason
        progress.pause_note = note
        progress.paused_by = by
        progress.save(update_fields=["paused_at", "pause_reason", "pause_note", "paused_by"])
    label = PauseReason(reason).label
    _record(
        user=user,
        kind=ProgressEvent.Kind.PAUSED,
        reason=f"{label}. {note}".strip(),
        by=by,
    )
    return progress


@transaction.atomic
def program_resume(*, user, by, note: str = "") -> MemberProgress:
    """Resume a paused program where it stopped.

    Staff resuming lift every pause, theirs and the member's own (the action asks why).
    The member lifts only their own pause (a flare-up when it settles, a red flag after a
    clinician's all-clear); a staff pause stays until staff lift it.
    """
    progress = _progress_for_update(user)
    if not progress.is_paused:
        return progress
    by_staff = by is not None and by.is_staff and by.pk != user.pk
    if not by_staff and progress.paused_at is None:
        raise PermissionDenied("Only staff can resume a program they paused.")
    fields = ["paused_at", "pause_reason", "pause_note", "paused_by"]
    progress.paused_at = None
    progress.pause_reason = ""
    progress.pause_note = ""
    progress.paused_by = None
    if by_staff:
        progress.staff_paused_at = None
        progress.staff_pause_note = ""
        progress.staff_paused_by = None
        fields += ["staff_paused_at", "staff_pause_note", "staff_paused_by"]
    progress.save(update_fields=fields)
    _record(user=user, kind=ProgressEvent.Kind.RESUMED, reason=note or "Resumed.", by=by)
    return progress


def program_resume_after_flare_up(*, user) -> MemberProgress:
    """The member says their flare-up has settled."""
    _require_premium(user)
    _require_consent(user)
    progress = MemberProgress.objects.filter(user=user).first()
    if progress is None or progress.pause_reason != PauseReason.FLARE_UP:
        raise PermissionDenied("Only a pause for a flare-up can be resumed here.")
    return program_resume(user=user, by=user, note="The member says the flare-up has settled.")


# --------------------------------------------------------------------------- unlocking


def routine_unlock_check(*, user, routine: Routine, today: dt.date | None = None) -> Unlock | None:
    """Open the routine after `routine` if the unlock rule is met; return the new unlock.

    The last routine of a phase opens the next phase's first routine the same way. Nothing
    opens while the program is paused or the membership has lapsed; it will when it resumes.
    """
    if not member_has_premium(user):
        return None
    state = program_state(user=user, today=today)
    return _unlock_check_in_state(state=state, routine=routine)


def _unlock_check_in_state(*, state: ProgramState, routine: Routine) -> Unlock | None:
    # Without consent nothing more is stored, an unlock and its audit entry included.
    if not state.has_premium or not state.started or state.paused or not state.consented:
        return None
    progress = state.unlock_progress_for(routine)
    if progress is None or not progress.ready:
        return None
    following = state.next_routine(routine)
    rule = (
        f"{routine.sessions_to_unlock} sessions done as prescribed on different days, "
        f"{routine.days_to_unlock} days since the first, the last two green or amber."
    )
    return _unlock_create(
        user=state.user,
        routine=following,
        method=UnlockMethod.RULE,
        reason=f"Unlock rule met on “{routine.title}”: {rule}",
    )


def program_progress_refresh(*, state: ProgramState) -> bool:
    """Apply the unlock rule wherever it can act (time passing can complete it).

    Returns True when something opened, so the caller reloads the state.
    """
    opened = False
    for routine in state.routines_to_check:
        progress = state.unlock_progress_for(routine)
        if progress is None or not progress.ready:
            continue  # nothing to open: no transaction, no query
        with transaction.atomic():
            if _unlock_check_in_state(state=state, routine=routine) is not None:
                opened = True
    return opened


def program_state_current(*, user, today: dt.date | None = None) -> ProgramState:
    """The member's program after the unlock rule has acted on the time that has passed.

    Every page and every write that reads a member's program goes through here, so an
    unlock earned by waiting shows the same whichever page is opened first.
    """
    state = program_state(user=user, today=today)
    if state.has_premium and program_progress_refresh(state=state):
        state = program_state(user=user, today=today)
    return state


@transaction.atomic
def routine_unlock_by_staff(*, user, routine: Routine, staff, reason: str) -> Unlock | None:
    """Staff open a routine for a member by hand; who and why are recorded."""
    if staff is None or not staff.is_staff:
        raise PermissionDenied("Only staff unlock routines by hand.")
    if not reason.strip():
        raise ValidationError("Say why you're unlocking it.")
    progress = _progress_for_update(user)
    if progress.started_at is None:
        progress.started_at = timezone.now()
        progress.save(update_fields=["started_at"])
        _record(user=user, kind=ProgressEvent.Kind.STARTED, reason=reason, by=staff)
    return _unlock_create(
        user=user, routine=routine, method=UnlockMethod.STAFF, reason=reason.strip(), by=staff
    )


def routine_unlock_next_by_staff(*, user, staff, reason: str) -> Unlock | None:
    """Staff open the member's next locked routine (the first, if they haven't started)."""
    state = program_state(user=user)
    current = state.current_routine
    routine = state.next_routine(current) if current else _first_routine()
    if routine is None:
        return None
    return routine_unlock_by_staff(user=user, routine=routine, staff=staff, reason=reason)
