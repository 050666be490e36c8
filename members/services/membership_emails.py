"""The emails a membership sends as it changes: welcome, payment failed, ended.

Each is queued after the sync that caused it commits, and sent only if it still fits the
membership's state when the worker gets to it.
"""

import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from common import emails
from members import tasks  # a module, used at call time: the tasks call back in here
from members.models import Membership
from members.selectors import membership_grace_ends, membership_grants_premium

logger = logging.getLogger(__name__)

MEMBERSHIP_EMAIL_WELCOME = "membership-welcome"
MEMBERSHIP_EMAIL_PAYMENT_FAILED = "membership-payment-failed"
MEMBERSHIP_EMAIL_ENDED = "membership-ended"
MEMBERSHIP_EMAILS = (
    MEMBERSHIP_EMAIL_WELCOME,
    MEMBERSHIP_EMAIL_PAYMENT_FAILED,
    MEMBERSHIP_EMAIL_ENDED,
)


def _membership_email_enqueue(*, membership_id: int, kind: str) -> None:
    # After commit, so the task sees the new state; robust, so a broker hiccup never
    # undoes or fails the sync it follows.
    transaction.on_commit(
        partial(tasks.send_membership_email.delay, membership_id, kind), robust=True
    )


def membership_email_send(*, membership_id: int, kind: str) -> bool:
    """Send one membership email, if it still fits the membership's state. True if sent.

    These emails talk about the membership only; they never carry members-only content.
    """
    if kind not in MEMBERSHIP_EMAILS:
        raise ValueError(f"Unknown membership email {kind!r}.")
    membership = Membership.objects.select_related("user", "plan").filter(pk=membership_id).first()
    if membership is None:
        return False
    still_true = {
        MEMBERSHIP_EMAIL_WELCOME: membership.status in Membership.GRANTING_STATUSES,
        MEMBERSHIP_EMAIL_PAYMENT_FAILED: membership.status == Membership.Status.PAST_DUE,
        MEMBERSHIP_EMAIL_ENDED: not membership_grants_premium(membership),
    }[kind]
    if not still_true:
        logger.info("Not sending %s to member %s: state moved on", kind, membership.user_id)
        return False
    user = membership.user
    send = {
        MEMBERSHIP_EMAIL_WELCOME: emails.membership_welcome,
        MEMBERSHIP_EMAIL_PAYMENT_FAILED: emails.membership_payment_failed,
        MEMBERSHIP_EMAIL_ENDED: emails.membership_ended,
    }[kind]
    send(
        user.email,
        emails.MembershipFacts(
            name=user.display_name,
            plan=membership.plan,
            current_period_end=membership.current_period_end,
            grace_ends=membership_grace_ends(membership),
            account_url=settings.SITE_URL + reverse("members:account"),
            membership_url=settings.SITE_URL + reverse("members:membership"),
            program_url=settings.SITE_URL + reverse(settings.MEMBERS_PROGRAM_URL),
        ),
    )
    return True
