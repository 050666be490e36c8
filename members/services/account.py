"""A member's own account: their settings, and deleting the account."""

import logging

import stripe

from members.display_names import display_name_normalise
from members.models import Membership, User

from .billing import BillingUnavailable, _client_or_unavailable
from .stripe_objects import _as_dict

logger = logging.getLogger(__name__)


def member_checkin_reminders_set(*, user: User, wants_checkin_reminders: bool) -> User:
    """Turn the Program's morning-after check-in reminder on or off for a member.

    The reminder sender filters on this flag, so turning it off stops the next one too.
    """
    if user.wants_checkin_reminders != wants_checkin_reminders:
        user.wants_checkin_reminders = wants_checkin_reminders
        user.save(update_fields=["wants_checkin_reminders"])
    return user


def member_display_name_set(*, user: User, display_name: str) -> User:
    """Set the name shown beside a member's comments (their past comments show it too).

    Stored in the form the forms check it in (members.display_names): NFKC, one line."""
    user.display_name = display_name_normalise(display_name)
    user.save(update_fields=["display_name"])
    return user


def account_delete(*, user: User) -> None:
    """Delete a member's account, cancelling any live Stripe subscription first.

    If the subscription cannot be cancelled (Stripe down or not configured) nothing is
    deleted: we must never leave someone paying for an account that no longer exists.
    """
    membership = Membership.objects.filter(user=user).first()
    if membership and membership.stripe_subscription_id:
        _subscription_cancel_now(subscription_id=membership.stripe_subscription_id)
    logger.info("Deleting account of user %s", user.pk)
    user.delete()


def _subscription_cancel_now(*, subscription_id: str) -> None:
    client = _client_or_unavailable()
    try:
        try:
            subscription = _as_dict(client.v1.subscriptions.retrieve(subscription_id))
        except stripe.InvalidRequestError as exc:
            if exc.code == "resource_missing":
                return  # nothing at Stripe to cancel
            raise
        if subscription.get("status") in Membership.SUBSCRIPTION_FINISHED_STATUSES:
            return
        client.v1.subscriptions.cancel(subscription_id)
    except stripe.StripeError as exc:
        logger.exception("Could not cancel subscription %s", subscription_id)
        raise BillingUnavailable("Stripe did not cancel the subscription.") from exc
    logger.info("Cancelled subscription %s", subscription_id)
