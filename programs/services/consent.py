"""Writes for a member's consent to the Program keeping their health data: giving it,
withdrawing it, and the retention rule that deletes the data of quiet accounts.

Pain scores, safety answers, flare-ups and notes are data concerning health (UK GDPR
art. 9); every write of them asks `_require_consent` first.
"""

import datetime as dt
import logging
from collections import Counter

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from pages.models import PageKind, PageVersion
from programs import selectors
from programs.models import (
    MemberProgress,
    ProgramConsent,
    ProgressEvent,
    SessionLog,
    Unlock,
    UnlockMethod,
)

logger = logging.getLogger(__name__)


class ConsentRequired(PermissionDenied):
    """The member hasn't agreed (or no longer agrees) to the Program keeping their health
    data, so nothing about their back may be stored."""


def _require_consent(user) -> None:
    """Every write of Program data about a member asks this first (UK GDPR art. 9(2)(a):
    health data only with explicit consent; see ProgramConsent)."""
    if not selectors.program_consent_live(user=user):
        raise ConsentRequired(
            "Before we keep anything more about your back, we need your agreement to store "
            "your Program data. You can still read every routine."
        )


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
