"""Reads about members. `member_has_premium` is the one access rule, used everywhere."""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from .models import FeedToken, Membership, Plan, Subscriber, User


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
    if membership.status in Membership.GRANTING_STATUSES:
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
    # Remembered on the user object, which lives as long as the request: a page asks in
    # the header, the article and the feed links.
    cached = getattr(user, "has_premium_memo", None)
    if cached is not None:
        return cached
    try:
        membership = user.membership
    except Membership.DoesNotExist:
        membership = None
    result = membership_grants_premium(membership)
    user.has_premium_memo = result
    return result


def members_with_live_membership(*, today: dt.date):
    """The ids of users whose membership is live: a subscription still open at Stripe
    (active, trialing, past due, unpaid or paused) or complimentary premium not yet over.
    Retention rules never delete their data for being quiet."""
    return Membership.objects.filter(
        Q(status__in=Membership.SUBSCRIPTION_OPEN_STATUSES) | Q(complimentary_until__gte=today)
    ).values("user_id")


def plans_on_offer() -> list[Plan]:
    """The plans people can join now, in the order the plans page shows them."""
    return list(Plan.objects.filter(active=True))


def plan_prices_in_words(plans: list[Plan]) -> str:
    """The plans' prices as one phrase: "£9 a month or £90 a year"; "" with no plans."""
    prices = [plan.price_in_words for plan in plans]
    if len(prices) <= 1:
        return "".join(prices)
    return f"{', '.join(prices[:-1])} or {prices[-1]}"


def membership_for_user(user) -> Membership | None:
    """The member's Membership row with its plan, or None (visitors, never joined)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.select_related("plan").filter(user=user).first()


def membership_cancellation_pending(membership: Membership) -> bool:
    """Stripe says the subscription will end: at period end, or at a set moment.

    Stripe marks this either with `cancel_at_period_end` or with a `cancel_at` timestamp
    (the `cancel_at` enums of 2025-07-30.basil resolve to one), so both count.
    """
    if membership.status in Membership.SUBSCRIPTION_FINISHED_STATUSES:
        return False
    return bool(membership.cancel_at_period_end or membership.cancel_at)


def membership_ends_at(membership: Membership) -> dt.datetime | None:
    """When a pending cancellation takes effect."""
    if not membership_cancellation_pending(membership):
        return None
    return membership.cancel_at or membership.current_period_end


def membership_has_open_subscription(membership: Membership | None) -> bool:
    return bool(
        membership
        and membership.stripe_subscription_id
        and membership.status in Membership.SUBSCRIPTION_OPEN_STATUSES
    )


def verified_email_addresses():
    """The addresses their owners have confirmed with allauth's link or code: the one
    definition of "verified", for one member (below) and for the Sunday email's list."""

    return EmailAddress.objects.filter(verified=True)


@dataclass(frozen=True)
class MembershipSummary:
    """A member's membership as the plans page and the account page show it, worked out
    here once so the templates only show it (they never read a Stripe status)."""

    has_premium: bool  # the access rule, staff included
    has_open_subscription: bool  # a subscription to look after rather than start again
    is_free: bool  # no premium and no subscription: the free plan
    # The rest describe a membership row; someone who never joined has none of them.
    has_details: bool = False  # a status or a complimentary period to show
    plan_id: int | None = None
    plan_name: str = ""
    plan_price: str = ""  # "£9 a month"
    status_words: str = ""  # "Active", "Past due"…; "" with no subscription
    is_paying: bool = False  # active or trialing
    is_payment_failed: bool = False  # past due: Stripe is retrying a failed renewal
    is_cancelling: bool = False  # Stripe says the subscription will end
    ends_at: dt.datetime | None = None  # when a pending cancellation takes effect
    renews_at: dt.datetime | None = None  # the next renewal, for a paying member not cancelling
    complimentary_until: dt.date | None = None
    is_complimentary: bool = False  # premium from staff, with nothing to pay
    grace_ends: dt.datetime | None = None  # past due: when premium stops (or stopped)
    is_in_grace: bool = False  # past due, premium kept until grace_ends
    is_lapsed: bool = False  # past due beyond the grace period: premium paused
    billing_portal_applies: bool = False  # a Stripe customer: Manage billing has something


def membership_summary(*, user) -> MembershipSummary:
    """What /membership/ and /account/ say about this user's membership. A visitor, or
    someone who never joined, has nothing to show: only has_premium (staff) and is_free
    can be true for them."""
    membership = membership_for_user(user)
    has_premium = member_has_premium(user)
    has_open_subscription = membership_has_open_subscription(membership)
    is_free = not has_premium and not has_open_subscription
    if membership is None:
        return MembershipSummary(
            has_premium=has_premium, has_open_subscription=has_open_subscription, is_free=is_free
        )
    plan = membership.plan
    is_paying = membership.status in Membership.GRANTING_STATUSES
    ends_at = membership_ends_at(membership)
    grace_ends = membership_grace_ends(membership)
    return MembershipSummary(
        has_premium=has_premium,
        has_open_subscription=has_open_subscription,
        has_details=bool(membership.status or membership.complimentary_until),
        plan_id=membership.plan_id,
        plan_name=plan.name if plan else "",
        plan_price=plan.price_in_words if plan else "",
        status_words=membership.get_status_display() if membership.status else "",
        is_paying=is_paying,
        is_payment_failed=membership.status == Membership.Status.PAST_DUE,
        is_cancelling=membership_cancellation_pending(membership),
        ends_at=ends_at,
        renews_at=membership.current_period_end if is_paying and not ends_at else None,
        complimentary_until=membership.complimentary_until,
        is_complimentary=bool(
            has_premium and not has_open_subscription and membership.complimentary_until
        ),
        is_free=is_free,
        grace_ends=grace_ends,
        is_in_grace=grace_ends is not None and has_premium,
        is_lapsed=grace_ends is not None and not has_premium,
        billing_portal_applies=bool(membership.stripe_customer_id),
    )


def member_email_verified(user) -> bool:
    """Has this user confirmed their sign-in address? Required before paying, and before
    a comment goes up without moderation."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return verified_email_addresses().filter(user=user, email__iexact=user.email).exists()


# What counts as a second step at sign-in; recovery codes only stand in for one.
SECOND_FACTOR_TYPES = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


@dataclass(frozen=True)
class TwoStepStatus:
    authenticator_app: bool
    passkeys: int  # passkeys and security keys

    @property
    def on(self) -> bool:
        return self.authenticator_app or self.passkeys > 0


def two_step_status(user) -> TwoStepStatus:
    """Which second steps (allauth.mfa) a signed-in user has set up, in one query."""
    types = list(
        Authenticator.objects.filter(user=user, type__in=SECOND_FACTOR_TYPES).values_list(
            "type", flat=True
        )
    )
    return TwoStepStatus(
        authenticator_app=Authenticator.Type.TOTP in types,
        passkeys=types.count(Authenticator.Type.WEBAUTHN),
    )


def staff_second_factor_missing(user) -> bool:
    """Whether STAFF_REQUIRE_MFA keeps this member of staff out of the admin until they set
    up an authenticator app or a passkey."""
    if not (settings.STAFF_REQUIRE_MFA and user.is_active and user.is_staff):
        return False
    return not Authenticator.objects.filter(user=user, type__in=SECOND_FACTOR_TYPES).exists()


def sunday_email_recipients() -> list[str]:
    """Everyone who gets the Sunday email now, one address each (compared case-insensitively).

    Confirmed free subscribers who have not left, and members with a confirmed address who
    have not opted out. Addresses that bounced or complained are never mailed.
    """
    suppressed = {
        email.lower()
        for email in Subscriber.objects.exclude(suppressed_at=None).values_list("email", flat=True)
    }
    subscribers = Subscriber.objects.filter(
        confirmed_at__isnull=False, unsubscribed_at__isnull=True, suppressed_at__isnull=True
    ).values_list("email", flat=True)
    verified = verified_email_addresses().values_list("email", flat=True)
    members = User.objects.filter(
        is_active=True, wants_sunday_email=True, email__in=verified
    ).values_list("email", flat=True)
    recipients: dict[str, str] = {}
    for email in [*subscribers, *members]:
        key = email.lower()
        if key not in suppressed:
            recipients.setdefault(key, email)
    return sorted(recipients.values(), key=str.lower)


def sunday_email_recipient_addresses(*, chunk_size: int = 2000) -> Iterator[str]:
    """The same people as sunday_email_recipients(), streamed from the database so memory
    stays flat however long the list: free subscribers first, then members.

    An address can come twice (a subscriber who is also a member, in another case); the
    caller de-duplicates, as the release email does with its unique (mailing, email) row.
    """
    suppressed = Subscriber.objects.filter(
        email__iexact=OuterRef("email"), suppressed_at__isnull=False
    )
    subscribers = (
        Subscriber.objects.filter(
            confirmed_at__isnull=False, unsubscribed_at__isnull=True, suppressed_at__isnull=True
        )
        .order_by("pk")
        .values_list("email", flat=True)
    )
    verified = verified_email_addresses().filter(email=OuterRef("email"))
    members = (
        User.objects.filter(is_active=True, wants_sunday_email=True)
        .filter(Exists(verified))
        .exclude(Exists(suppressed))
        .order_by("pk")
        .values_list("email", flat=True)
    )
    yield from subscribers.iterator(chunk_size=chunk_size)
    yield from members.iterator(chunk_size=chunk_size)


def feed_token_find(token: str):
    """The FeedToken row for a private feed address, live or revoked, or None."""

    if not token or len(token) > 64:
        return None
    return FeedToken.objects.select_related("user__membership").filter(token=token).first()


def sunday_email_is_unsubscribed(*, email: str) -> bool:
    """Whether this address has already left the Sunday email (as a subscriber and a member)."""
    subscribed = Subscriber.objects.filter(
        email__iexact=email, confirmed_at__isnull=False, unsubscribed_at__isnull=True
    ).exists()
    wants = User.objects.filter(email__iexact=email, wants_sunday_email=True).exists()
    return not (subscribed or wants)


def staff_display_names(*, except_user=None) -> list[str]:
    """The names staff show beside their comments, which nobody else may take."""
    names = User.objects.filter(is_staff=True).exclude(display_name="")
    if except_user is not None and except_user.pk is not None:
        names = names.exclude(pk=except_user.pk)
    return list(names.values_list("display_name", flat=True))
