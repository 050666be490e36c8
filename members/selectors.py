"""Reads about members. `member_has_premium` is the one access rule, used everywhere."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from .models import Membership

# Stripe subscription statuses (https://docs.stripe.com/billing/subscriptions/overview):
# active and trialing are paid up; past_due has a failed renewal Stripe is still retrying.
GRANTING_STATUSES = frozenset({Membership.Status.ACTIVE, Membership.Status.TRIALING})


def membership_grace_ends(membership: Membership) -> dt.datetime | None:
    """When a past-due membership stops granting access, or None if it is not past due."""
    if membership.status != Membership.Status.PAST_DUE:
        return None
    started = membership.past_due_since or membership.updated_at or timezone.now()
    return started + dt.timedelta(days=settings.MEMBERSHIP_GRACE_DAYS)


def membership_grants_premium(membership: Membership | None, *, now=None) -> bool:
    if membership is None:
        return False
    now = now or timezone.now()
    if membership.complimentary_until and membership.complimentary_until >= timezone.localdate(now):
        return True
    if membership.status in GRANTING_STATUSES:
        return True
    if membership.status == Membership.Status.PAST_DUE:
        grace_ends = membership_grace_ends(membership)
        return grace_ends is not None and now < grace_ends
    return False


def member_has_premium(user) -> bool:
    """The access rule: may this user read members-only content right now?"""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff:
        return True  # staff write and check members-only content
    cached = getattr(user, "_has_premium_cache", None)
    if cached is not None:
        return cached
    try:
        membership = user.membership
    except Membership.DoesNotExist:
        membership = None
    result = membership_grants_premium(membership)
    user._has_premium_cache = result
    return result
