"""Writes for the Back In Shape Program: starting, logging, checking in, unlocking, pausing.

Views, admin actions and tests all call these functions; each one checks the rule it
applies, so there is one place where a rule lives. The rules and their clinical sources
are described in DESIGN.md, "Program progression (pain-monitoring model)".
"""

import datetime as dt
import logging
from collections import Counter
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from members.selectors import member_has_premium
from pages.models import PageKind, PageVersion

from . import selectors
from .models import (
    CheckIn,
    MemberProgress,
    PauseReason,
    ProgramConsent,
    ProgressEvent,
    Routine,
    SessionLog,
    Unlock,
    UnlockMethod,
)
from .state import ProgramState, program_state

logger = logging.getLogger(__name__)

# A member may log a session a little after the day they did it, but not so far back that
# the "7 days since the first session" part of the unlock rule could be written backwards.
LOG_DAYS_BACK = 2

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


class ConsentRequired(PermissionDenied):
    """The member hasn't agreed (or no longer agrees) to the Program keeping their health
    data, so nothing about their back may be stored."""


def _require_premium(user) -> None:
    if not member_has_premium(user):
        raise PermissionDenied("The Back In Shape Program is for premium members.")


def _require_consent(user) -> None:
    """Every write of Program data about a member asks this first (UK GDPR art. 9(2)(a):
    health data only with explicit consent; see ProgramConsent)."""
    if not selectors.program_consent_live(user=user):
        raise ConsentRequired(
            "Before we keep anything more about your back, we need your agreement to store "
            "your Program data. You can still read every routine."
        )


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


# --------------------------------------------------------------------------- sessions


@transaction.atomic
def session_log(
    *,
    user,
    routine: Routine,
    date: dt.date,
    done: str,
    pain_before: int,
    worst_pain: int,
    effort: int,
    note: str = "",
    today: dt.date | None = None,
) -> SessionLog:
    """Log one session of an unlocked routine, at most one per routine a day."""
    _require_premium(user)
    _require_consent(user)
    today = today or timezone.localdate()
    progress = MemberProgress.objects.filter(user=user).first()
    if progress is None or progress.started_at is None:
        raise PermissionDenied("Start the Program before logging a session.")
    if progress.is_paused:
        raise PermissionDenied("Your program is paused, so sessions can't be logged just now.")
    # Time passing can complete the rule: let it act before asking whether this is open,
    # so the answer is the same whichever page the member reads first.
    program_state_current(user=user, today=today)
    unlock = Unlock.objects.filter(user=user, routine=routine).first()
    if unlock is None:
        raise PermissionDenied("This routine hasn't opened for you yet.")
    if date > today:
        raise ValidationError({"date": "That date is in the future."})
    if date < today - dt.timedelta(days=LOG_DAYS_BACK):
        raise ValidationError(
            {"date": f"Sessions can be logged up to {LOG_DAYS_BACK} days afterwards."}
        )
    if date < timezone.localdate(unlock.unlocked_at):
        raise ValidationError({"date": "That's before this routine opened for you."})
    session = SessionLog(
        user=user,
        routine=routine,
        date=date,
        done=done,
        pain_before=pain_before,
        worst_pain=worst_pain,
        effort=effort,
        note=note,
    )
    session.full_clean(exclude=["user", "routine"], validate_unique=False)
    try:
        with transaction.atomic():
            session.save()
    except IntegrityError:
        raise ValidationError({"date": "You've already logged this routine on that day."}) from None
    return session


@transaction.atomic
def checkin_record(
    *, user, session: SessionLog, pain: str, stiffness: str, today: dt.date | None = None
) -> CheckIn:
    """Record the next-morning check-in for one of the member's sessions, then apply the rule."""
    _require_premium(user)
    _require_consent(user)
    if session.user_id != user.pk:
        raise PermissionDenied("That isn't your session.")
    today = today or timezone.localdate()
    if today <= session.date:
        raise ValidationError("The check-in opens the morning after your session.")
    checkin = CheckIn(session=session, pain=pain, stiffness=stiffness)
    checkin.full_clean(exclude=["session"])
    try:
        with transaction.atomic():
            checkin.save()
    except IntegrityError:
        raise ValidationError("You've already checked in for this session.") from None
    program_state_current(user=user, today=today)
    return checkin


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


# --------------------------------------------------------------------------- consent and data


def program_consent_give(*, user) -> ProgramConsent:
    """Record the member's explicit consent to the Program keeping their health data, with
    the privacy notice's version as it reads now. Giving it twice keeps the first."""
    privacy = (
        PageVersion.objects.filter(page__kind=PageKind.PRIVACY)
        .order_by("-number")
        .only("pk")
        .first()
    )
    if privacy is None:
        logger.error("Program consent asked for, but there is no privacy notice to agree to.")
        raise ValidationError(
            "Our privacy notice isn't published yet, so we can't ask for your agreement. "
            "Please try again later."
        )
    try:
        with transaction.atomic():
            return ProgramConsent.objects.create(user=user, privacy_version=privacy)
    except IntegrityError:  # already agreed (a second tab, a double click)
        return ProgramConsent.objects.get(user=user, ended_at__isnull=True)


# Said in place of what staff wrote when they opened a routine by hand, once the member's
# health data is deleted: staff's reasons can mention their health.
STAFF_UNLOCK_REASON_CLEARED = "Opened by our team."


def _program_data_delete(*, user) -> Counter:
    """Delete a member's Program health data; return how many rows of each kind went.

    Goes: every session log with its check-in and reminder, every progress audit entry
    (safety answers, flare-ups, pauses), and the member's own progress record (when they
    started, their pause and its note). Kept, because the membership itself needs them:
    the routines they have opened (premium's "unlocks are yours to keep"), with staff's
    free-text reasons replaced, and a hold staff placed on their program (which only staff
    lift, for their safety). Their consent records are kept too: the proof of consent.
    """
    removed: Counter = Counter()
    _, by_model = SessionLog.objects.filter(user=user).delete()
    removed["session logs"] += by_model.get("programs.SessionLog", 0)
    removed["check-ins"] += by_model.get("programs.CheckIn", 0)
    removed["check-in reminders"] += by_model.get("programs.CheckInReminder", 0)
    removed["progress audit entries"] += ProgressEvent.objects.filter(user=user).delete()[0]
    progress = MemberProgress.objects.filter(user=user).first()
    if progress is not None and progress.staff_paused_at is not None:
        MemberProgress.objects.filter(pk=progress.pk).update(
            started_at=None, paused_at=None, pause_reason="", pause_note="", paused_by=None
        )
        removed["progress records"] += 1
    elif progress is not None:
        removed["progress records"] += MemberProgress.objects.filter(pk=progress.pk).delete()[0]
    removed["staff unlock reasons"] += (
        Unlock.objects.filter(user=user, method=UnlockMethod.STAFF)
        .exclude(reason=STAFF_UNLOCK_REASON_CLEARED)
        .update(reason=STAFF_UNLOCK_REASON_CLEARED)
    )
    return removed


def _consent_end(*, user, reason: str) -> int:
    return ProgramConsent.objects.filter(user=user, ended_at__isnull=True).update(
        ended_at=timezone.now(), end_reason=reason
    )


@transaction.atomic
def program_consent_withdraw(*, user) -> Counter:
    """The member withdraws consent: their Program health data is deleted now, and nothing
    more is stored until they agree again. Works for a member who never gave consent too
    (data from before it was asked for): it deletes their data all the same."""
    removed = _program_data_delete(user=user)
    _consent_end(user=user, reason=ProgramConsent.EndReason.WITHDRAWN)
    logger.info(
        "Program data of user %s deleted on withdrawal of consent: %s",
        user.pk,
        ", ".join(f"{count} {kind}" for kind, count in sorted(removed.items())) or "nothing",
    )
    return removed


def program_data_retention_apply(*, now: dt.datetime | None = None) -> Counter:
    """Delete the Program health data of every member whose account has gone quiet for
    PROGRAM_DATA_RETENTION_DAYS (selectors.program_data_quiet_members: never anyone with a
    live membership), and end their consent. Returns the rows removed, by kind, and
    "members" for how many people."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.PROGRAM_DATA_RETENTION_DAYS)
    removed: Counter = Counter()
    for user in selectors.program_data_quiet_members(cutoff=cutoff, today=timezone.localdate(now)):
        with transaction.atomic():
            removed += _program_data_delete(user=user)
            _consent_end(user=user, reason=ProgramConsent.EndReason.RETENTION)
        removed["members"] += 1
    return removed
