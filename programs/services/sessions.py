"""Writes for a member's sessions: logging one, and its next-morning check-in, after
which the unlock rule acts."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from programs.models import CheckIn, MemberProgress, Routine, SessionLog, Unlock

from .consent import _require_consent
from .progress import _require_premium, program_state_current

# A member may log a session a little after the day they did it, but not so far back that
# the "7 days since the first session" part of the unlock rule could be written backwards.
LOG_DAYS_BACK = 2


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
