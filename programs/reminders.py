"""The next-morning check-in reminder: one email per session, claimed in the database.

Kept apart from services.py because it is the Program's only email. The unsubscribe link
follows RFC 8058 (one-click POST, no login), like the Sunday email does.
"""

import datetime as dt
import logging
import smtplib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from common import emails
from members.selectors import member_has_premium
from members.services import member_checkin_reminders_set

from .models import CheckInReminder, SessionLog

logger = logging.getLogger(__name__)

STOP_SALT = "programs.checkin-reminders.stop"


def checkin_reminder_stop_token(user) -> str:
    return signing.dumps(user.pk, salt=STOP_SALT)


def checkin_reminder_user_for_token(token: str):
    """The user a stop link belongs to, or None for a forged or mangled token."""

    try:
        pk = signing.loads(token, salt=STOP_SALT)
    except signing.BadSignature:
        return None
    return get_user_model().objects.filter(pk=pk).first()


def checkin_reminders_stop(*, user) -> None:
    """The member opts out of check-in reminders from the email's one-click link."""
    member_checkin_reminders_set(user=user, wants_checkin_reminders=False)


def checkin_reminders_due(*, now: dt.datetime | None = None) -> list[SessionLog]:
    """Yesterday's sessions still awaiting a check-in, once the local reminder hour has come.

    None for members who opted out, whose program is paused, or whose membership lapsed.
    """
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.time() < settings.CHECKIN_REMINDER_TIME:
        return []
    yesterday = local.date() - dt.timedelta(days=1)
    sessions = (
        SessionLog.objects.filter(
            date=yesterday,
            checkin__isnull=True,
            checkin_reminder__isnull=True,
            user__wants_checkin_reminders=True,
            user__is_active=True,
            user__program_progress__paused_at__isnull=True,
            user__program_progress__staff_paused_at__isnull=True,
        )
        .select_related("user", "routine__phase")
        .order_by("pk")
    )
    return [s for s in sessions if member_has_premium(s.user)]


def checkin_reminder_send(*, session: SessionLog) -> bool:
    """Claim this session's reminder and send it; False if someone already claimed it."""
    try:
        with transaction.atomic():
            reminder = CheckInReminder.objects.create(session=session)
    except IntegrityError:
        return False
    user = session.user
    stop_url = settings.SITE_URL + reverse(
        "programs:reminders_stop", args=[checkin_reminder_stop_token(user)]
    )
    checkin_url = settings.SITE_URL + session.routine.get_absolute_url() + f"#checkin-{session.pk}"
    try:
        emails.checkin_reminder(
            user.email, session=session, checkin_url=checkin_url, stop_url=stop_url
        )
    except (OSError, smtplib.SMTPException):
        # Not sent: give the claim back, so the next hourly run tries again that morning,
        # and carry on with everyone else's reminder.
        logger.warning("Check-in reminder for session %s not sent; will retry", session.pk)
        reminder.delete()
        return False
    reminder.sent_at = timezone.now()
    reminder.save(update_fields=["sent_at"])
    return True


def checkin_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Send every check-in reminder now due; returns how many went out."""
    sent = 0
    for session in checkin_reminders_due(now=now):
        if checkin_reminder_send(session=session):
            sent += 1
    return sent
