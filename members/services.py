"""Writes for members: the free Sunday email list, premium membership and Stripe billing.

Stripe is treated as the source of truth (as pretix does): a webhook or a return from
Checkout is only a trigger; the subscription is re-fetched and its absolute state stored.
"""

import datetime as dt
import enum
import logging
import re
from collections.abc import Mapping
from functools import partial
from typing import Any

import stripe
from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from common.emails import email_send

from .models import EmailSuppression, FeedToken, Membership, Plan, StripeEvent, Subscriber, User
from .selectors import (
    GRANTING_STATUSES,
    SUBSCRIPTION_FINISHED_STATUSES,
    membership_grace_ends,
    membership_grants_premium,
    membership_has_open_subscription,
)
from .stripe_client import StripeNotConfigured, stripe_client

logger = logging.getLogger(__name__)


def subscriber_request(*, email: str) -> Subscriber:
    """Ask for the Sunday email. Sends a confirmation link (double opt-in).

    Asking again re-sends the link and, for someone who had unsubscribed, starts over.
    Addresses that bounced or complained stay suppressed.
    """
    email = email.strip()
    subscriber = Subscriber.objects.filter(email__iexact=email).first()
    if subscriber is None:
        try:
            with transaction.atomic():
                subscriber = Subscriber.objects.create(email=email)
        except IntegrityError:
            subscriber = Subscriber.objects.get(email__iexact=email)
    if subscriber.suppressed_at:
        return subscriber
    if subscriber.is_active:
        return subscriber
    if subscriber.unsubscribed_at:
        subscriber.unsubscribed_at = None
        subscriber.confirmed_at = None
        subscriber.save(update_fields=["unsubscribed_at", "confirmed_at"])
    email_send(
        to=subscriber.email,
        template="subscribe-confirm",
        context={
            "confirm_path": reverse("members:subscribe_confirm", args=[subscriber.token]),
        },
    )
    return subscriber


def subscriber_confirm(*, subscriber: Subscriber) -> Subscriber:
    if subscriber.confirmed_at is None or subscriber.unsubscribed_at:
        subscriber.confirmed_at = timezone.now()
        subscriber.unsubscribed_at = None
        subscriber.save(update_fields=["confirmed_at", "unsubscribed_at"])
    return subscriber


UNSUBSCRIBE_SALT = "members.sunday-email-unsubscribe"


def sunday_email_unsubscribe_token(email: str) -> str:
    """A token for the unsubscribe link of one address: signed, so nobody can forge it,
    and URL-safe. It never expires: an old email's link must still work (RFC 8058)."""
    return signing.dumps(email.strip().lower(), salt=UNSUBSCRIBE_SALT)


def sunday_email_address_for_token(token: str) -> str | None:
    """The address an unsubscribe token stands for: a subscriber's own token, or a signed
    token from a Sunday email. None if the token is neither."""
    subscriber = Subscriber.objects.filter(token=token).only("email").first()
    if subscriber is not None:
        return subscriber.email
    try:
        return signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None


def sunday_email_is_unsubscribed(*, email: str) -> bool:
    """Whether this address has already left the Sunday email (as a subscriber and a member)."""
    subscribed = Subscriber.objects.filter(
        email__iexact=email, confirmed_at__isnull=False, unsubscribed_at__isnull=True
    ).exists()
    wants = User.objects.filter(email__iexact=email, wants_sunday_email=True).exists()
    return not (subscribed or wants)


def sunday_email_unsubscribe(*, email: str) -> None:
    """Stop the Sunday email to this address at once (RFC 8058 one-click, or the page's button).

    Both ways of getting it stop: the free subscription, and a member's own preference.
    """
    Subscriber.objects.filter(email__iexact=email, unsubscribed_at__isnull=True).update(
        unsubscribed_at=timezone.now()
    )
    User.objects.filter(email__iexact=email).update(wants_sunday_email=False)


def member_sunday_email_set(*, user: User, wants_sunday_email: bool) -> User:
    """Turn the Sunday episode email on or off for a member's account."""
    if user.wants_sunday_email != wants_sunday_email:
        user.wants_sunday_email = wants_sunday_email
        user.save(update_fields=["wants_sunday_email"])
    return user


def member_checkin_reminders_set(*, user: User, wants_checkin_reminders: bool) -> User:
    """Turn the Program's morning-after check-in reminder on or off for a member.

    The reminder sender filters on this flag, so turning it off stops the next one too.
    """
    if user.wants_checkin_reminders != wants_checkin_reminders:
        user.wants_checkin_reminders = wants_checkin_reminders
        user.save(update_fields=["wants_checkin_reminders"])
    return user


def membership_complimentary_set(*, user: User, until: dt.date | None, by: User) -> Membership:
    """Give (or end, with until=None) premium without payment, up to and including `until`.

    Only this field is written, so a Stripe sync landing meanwhile is never undone. Staff
    only; the admin records who and why in its log.
    """
    if by is None or not by.is_staff:
        raise PermissionDenied("Only staff give complimentary memberships.")
    membership, _ = Membership.objects.get_or_create(user=user)
    membership.complimentary_until = until
    membership.save(update_fields=["complimentary_until", "updated_at"])
    return membership


def member_display_name_set(*, user: User, display_name: str) -> User:
    """Set the name shown beside a member's comments (their past comments show it too)."""
    user.display_name = " ".join(display_name.split())
    user.save(update_fields=["display_name"])
    return user


def sunday_email_suppress(
    *, email: str, reason: str, esp: str = "", event_id: str = "", detail: str = ""
) -> bool:
    """Stop every Sunday email to an address the email provider says must not get another:
    a hard bounce, a spam complaint, an unsubscribe at the provider. Mailing it again
    would hurt the sender reputation every other reader's email depends on.

    Free subscribers get suppressed_at, members wants_sunday_email off, and the reason is
    kept as an EmailSuppression. An event the provider sends twice is recorded once.
    Returns False for a repeat event.
    """
    try:
        with transaction.atomic():
            EmailSuppression.objects.create(
                email=email, reason=reason, esp=esp, event_id=event_id or "", detail=detail
            )
            Subscriber.objects.filter(email__iexact=email, suppressed_at__isnull=True).update(
                suppressed_at=timezone.now()
            )
            User.objects.filter(email__iexact=email).update(wants_sunday_email=False)
    except IntegrityError:
        return False  # the same event again
    return True


# Postmark's bounce types (postmarkapp.com/developer/api/bounce-api#bounce-types): anymail
# reports SoftBounce as "bounced" too, so only these count as permanent there.
_POSTMARK_PERMANENT_BOUNCES = {"HardBounce", "BadEmailAddress"}


def _bounce_is_permanent(event) -> bool:
    raw = event.esp_event if isinstance(event.esp_event, dict) else {}
    if "Type" in raw:  # Postmark
        return raw["Type"] in _POSTMARK_PERMANENT_BOUNCES
    severity = (raw.get("event-data") or {}).get("severity")
    if severity:  # Mailgun: "permanent" or "temporary" (anymail maps temporary to deferred)
        return severity == "permanent"
    return True  # anymail reports temporary failures as "deferred", not "bounced"


def esp_tracking_event_handle(*, event, esp_name: str) -> bool:
    """An email provider's tracking event (via django-anymail's webhook): suppress the
    address on a permanent bounce, a complaint or an unsubscribe; ignore the rest.
    Returns whether the address was suppressed now."""
    reasons = {
        "bounced": EmailSuppression.Reason.BOUNCED,
        "complained": EmailSuppression.Reason.COMPLAINED,
        "unsubscribed": EmailSuppression.Reason.UNSUBSCRIBED,
    }
    reason = reasons.get(event.event_type)
    if reason is None or not event.recipient:
        return False
    if reason == EmailSuppression.Reason.BOUNCED and not _bounce_is_permanent(event):
        return False
    detail = " ".join(filter(None, [event.description, event.mta_response]))
    return sunday_email_suppress(
        email=event.recipient,
        reason=reason,
        esp=esp_name or "",
        event_id=event.event_id or "",
        detail=detail[:2000],
    )


# --- Premium membership billed by Stripe -------------------------------------------------


class BillingError(Exception):
    """Something about billing went wrong; views turn it into a friendly message."""


class BillingUnavailable(BillingError):
    """Stripe is not configured here, or did not answer; nothing was changed."""


class NoBillingAccount(BillingError):
    """The member has no Stripe customer yet, so there is nothing to manage."""


class AlreadySubscribed(BillingError):
    """The member already has a subscription; a second Checkout would bill them twice."""


class PlanUnavailable(BillingError):
    """The chosen plan is not on sale any more."""


class MembershipOwnerUnknown(Exception):
    """A Stripe subscription that no member of ours can be matched to."""

    def __init__(self, message: str, *, subscription_finished: bool = False):
        super().__init__(message)
        # A finished subscription nobody owns (say, of a deleted account) needs no action.
        self.subscription_finished = subscription_finished


class StripeEventDeferred(Exception):
    """Stripe could not be reached while processing an event; worth trying again later."""


class CheckoutConfirmation(enum.StrEnum):
    CONFIRMED = "confirmed"  # the subscription is synced and grants premium
    PENDING = "pending"  # Stripe has not confirmed the payment yet
    EXPIRED = "expired"  # the Checkout Session expired unpaid
    NOT_FOUND = "not_found"  # unknown, forged or someone else's session: grants nothing


# Errors that say "try again shortly" rather than "this request is wrong".
_TRANSIENT_STRIPE_ERRORS = (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError)
_CHECKOUT_SESSION_ID = re.compile(r"^cs_[A-Za-z0-9_]{1,250}$")


def _as_dict(obj: Any) -> dict:
    """Stripe SDK objects are not dicts; turn them into plain data once, at the edge."""
    if obj is None:
        return {}
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    return dict(obj)


def _id_of(value: Any) -> str | None:
    """An expandable Stripe field is an id string, or the object itself when expanded."""
    if not value:
        return None
    if isinstance(value, str):
        return value
    return _as_dict(value).get("id")


def _from_timestamp(value: int | None) -> dt.datetime | None:
    if value in (None, ""):
        return None
    return dt.datetime.fromtimestamp(int(value), tz=dt.UTC)


def _user_id_from(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _site_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _client_or_unavailable() -> stripe.StripeClient:
    try:
        return stripe_client()
    except StripeNotConfigured as exc:
        raise BillingUnavailable("Payments are not configured on this site.") from exc


def checkout_session_create(*, user: User, plan: Plan) -> str:
    """Start Stripe Checkout for a premium subscription; returns the URL to send them to.

    The member's existing Stripe customer is reused so their history stays in one place;
    otherwise Checkout creates one from their verified email address. Their user id goes
    in `client_reference_id` (and the subscription's metadata) so we can match the
    subscription to them whichever event or return arrives first.
    """
    if not plan.active:
        raise PlanUnavailable("That plan is not available any more.")
    membership = Membership.objects.filter(user=user).first()
    if membership_has_open_subscription(membership):
        raise AlreadySubscribed("You already have a premium subscription.")
    client = _client_or_unavailable()

    params: dict[str, Any] = {
        "mode": "subscription",
        "line_items": [{"price": plan.stripe_price_id, "quantity": 1}],
        "client_reference_id": str(user.pk),
        "metadata": {"user_id": str(user.pk)},
        "subscription_data": {"metadata": {"user_id": str(user.pk)}},
        # Stripe fills in {CHECKOUT_SESSION_ID}; it must reach Stripe unencoded.
        "success_url": _site_url(reverse("members:checkout_success"))
        + "?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": _site_url(reverse("members:membership")),
    }
    customer_id = membership.stripe_customer_id if membership else None
    if customer_id:
        params["customer"] = customer_id
    else:
        params["customer_email"] = user.email

    try:
        try:
            session = client.v1.checkout.sessions.create(params=params)
        except stripe.InvalidRequestError as exc:
            if not customer_id or exc.param != "customer":
                raise
            # The stored customer was deleted in the Stripe dashboard: start afresh.
            logger.warning("Stripe customer %s is gone; checkout by email instead", customer_id)
            params.pop("customer")
            params["customer_email"] = user.email
            session = client.v1.checkout.sessions.create(params=params)
    except stripe.StripeError as exc:
        logger.exception("Could not create a Checkout Session for user %s", user.pk)
        raise BillingUnavailable("Stripe did not start the checkout.") from exc
    logger.info("Checkout Session %s created for user %s (%s)", session.id, user.pk, plan)
    return session.url


def checkout_session_confirm(*, user: User, session_id: str) -> CheckoutConfirmation:
    """Confirm a return from Checkout with Stripe itself, so the member sees premium at once.

    The `session_id` in the success URL is only a hint: the session is retrieved
    server-side, must belong to this user (`client_reference_id`), and the subscription
    it created is synced exactly as the webhook would. A forged, unknown or foreign id
    grants nothing.
    """
    if not _CHECKOUT_SESSION_ID.match(session_id or ""):
        return CheckoutConfirmation.NOT_FOUND
    client = _client_or_unavailable()
    try:
        session = _as_dict(client.v1.checkout.sessions.retrieve(session_id))
    except stripe.InvalidRequestError:
        logger.warning("User %s returned with unknown Checkout Session %s", user.pk, session_id)
        return CheckoutConfirmation.NOT_FOUND
    except stripe.StripeError as exc:
        logger.exception("Could not retrieve Checkout Session %s", session_id)
        raise BillingUnavailable("Stripe did not answer.") from exc

    if session.get("client_reference_id") != str(user.pk) or session.get("mode") != "subscription":
        logger.warning(
            "User %s returned with Checkout Session %s that is not theirs", user.pk, session_id
        )
        return CheckoutConfirmation.NOT_FOUND
    if session.get("status") == "expired":
        return CheckoutConfirmation.EXPIRED
    subscription_id = _id_of(session.get("subscription"))
    if session.get("status") != "complete" or not subscription_id:
        return CheckoutConfirmation.PENDING
    try:
        membership = membership_sync_from_stripe(subscription_id=subscription_id, user_id=user.pk)
    except stripe.StripeError as exc:
        logger.exception("Could not sync subscription %s after checkout", subscription_id)
        raise BillingUnavailable("Stripe did not answer.") from exc
    if membership.user_id != user.pk:
        # The subscription's customer belongs to another account: never grant on it.
        logger.error(
            "Checkout Session %s of user %s synced onto user %s",
            session_id,
            user.pk,
            membership.user_id,
        )
        return CheckoutConfirmation.NOT_FOUND
    if membership_grants_premium(membership):
        return CheckoutConfirmation.CONFIRMED
    return CheckoutConfirmation.PENDING


def billing_portal_session_create(*, user: User) -> str:
    """Open the Stripe Customer Portal (card, plan, invoices, cancellation); returns its URL."""
    membership = Membership.objects.filter(user=user).exclude(stripe_customer_id=None).first()
    if membership is None or not membership.stripe_customer_id:
        raise NoBillingAccount("There is no billing account for you yet.")
    client = _client_or_unavailable()
    try:
        session = client.v1.billing_portal.sessions.create(
            params={
                "customer": membership.stripe_customer_id,
                "return_url": _site_url(reverse("members:account")),
            }
        )
    except stripe.StripeError as exc:
        logger.exception("Could not open the Customer Portal for user %s", user.pk)
        raise BillingUnavailable("Stripe did not open the billing portal.") from exc
    return session.url


def membership_sync_from_stripe(*, subscription_id: str, user_id: int | None = None) -> Membership:
    """Fetch a subscription from Stripe and store its absolute state on the Membership.

    Called for every billing event and on the return from Checkout, in any order and any
    number of times: the result depends only on what Stripe says now. The member is found
    by subscription id, then customer id, then the user id we put on the Checkout Session
    (`user_id`, from `client_reference_id`) or the subscription's metadata. Raises
    MembershipOwnerUnknown when none of those match anyone.
    """
    subscription = _as_dict(stripe_client().v1.subscriptions.retrieve(subscription_id))
    return _membership_store_subscription(subscription=subscription, user_id=user_id)


def _membership_store_subscription(*, subscription: Mapping, user_id: int | None) -> Membership:
    subscription_id = subscription["id"]
    customer_id = _id_of(subscription.get("customer"))
    metadata = subscription.get("metadata") or {}
    hinted_user_id = user_id or _user_id_from(metadata.get("user_id"))
    status = subscription.get("status") or ""
    now = timezone.now()
    emails: list[str] = []

    with transaction.atomic():
        membership = _membership_locate_for_update(
            subscription_id=subscription_id, customer_id=customer_id, user_id=hinted_user_id
        )
        if membership is None:
            raise MembershipOwnerUnknown(
                f"No member matches Stripe customer {customer_id} "
                f"(subscription {subscription_id}, {status or 'no status'}).",
                subscription_finished=status in SUBSCRIPTION_FINISHED_STATUSES,
            )
        if not _subscription_supersedes(membership, subscription):
            logger.info(
                "Ignoring finished subscription %s: member %s has live subscription %s",
                subscription_id,
                membership.user_id,
                membership.stripe_subscription_id,
            )
            return membership

        previous_status = membership.status
        items = (subscription.get("items") or {}).get("data") or []
        price = (items[0].get("price") if items else None) or {}
        price_id = _id_of(price) or ""
        # Since API version 2025-03-31 the billing period lives on each subscription
        # item, not on the subscription; a membership lasts until the latest one ends.
        period_ends = [
            item["current_period_end"] for item in items if item.get("current_period_end")
        ]

        membership.stripe_subscription_id = subscription_id
        if customer_id:
            membership.stripe_customer_id = customer_id
        membership.stripe_price_id = price_id
        membership.plan = (
            Plan.objects.filter(stripe_price_id=price_id).first() if price_id else None
        )
        membership.status = status
        membership.current_period_end = _from_timestamp(max(period_ends)) if period_ends else None
        membership.cancel_at_period_end = bool(subscription.get("cancel_at_period_end"))
        membership.cancel_at = _from_timestamp(subscription.get("cancel_at"))
        if status == Membership.Status.PAST_DUE:
            # The grace period counts from when we first saw the renewal fail.
            if previous_status != Membership.Status.PAST_DUE or not membership.past_due_since:
                membership.past_due_since = now
        else:
            membership.past_due_since = None
        membership.synced_at = now

        joined = status in GRANTING_STATUSES and previous_status not in GRANTING_STATUSES
        if joined and membership.welcomed_at is None:
            membership.welcomed_at = now
            emails.append(MEMBERSHIP_EMAIL_WELCOME)
        if status == Membership.Status.PAST_DUE and previous_status != Membership.Status.PAST_DUE:
            emails.append(MEMBERSHIP_EMAIL_PAYMENT_FAILED)
        if status in MEMBERSHIP_ENDED_STATUSES and previous_status in MEMBERSHIP_LIVE_STATUSES:
            emails.append(MEMBERSHIP_EMAIL_ENDED)
        # Only the mirrored fields: staff may be editing complimentary_until meanwhile.
        membership.save(update_fields=_MEMBERSHIP_MIRROR_FIELDS if membership.pk else None)
        for kind in emails:
            _membership_email_enqueue(membership_id=membership.pk, kind=kind)

    if previous_status != status:
        logger.info(
            "Membership of user %s: %s -> %s (subscription %s)",
            membership.user_id,
            previous_status or "none",
            status,
            subscription_id,
        )
    return membership


_MEMBERSHIP_MIRROR_FIELDS = [*Membership.STRIPE_MIRRORED_FIELDS, "updated_at"]


def _membership_locate_for_update(
    *, subscription_id: str, customer_id: str | None, user_id: int | None
) -> Membership | None:
    memberships = Membership.objects.select_for_update()
    membership = memberships.filter(stripe_subscription_id=subscription_id).first()
    if membership is None and customer_id:
        membership = memberships.filter(stripe_customer_id=customer_id).first()
    if membership is not None:
        if user_id and membership.user_id != user_id:
            logger.warning(
                "Subscription %s names user %s but its customer belongs to user %s",
                subscription_id,
                user_id,
                membership.user_id,
            )
        return membership
    if user_id and User.objects.filter(pk=user_id).exists():
        membership, _ = memberships.get_or_create(user_id=user_id)
        return membership
    return None


def _subscription_supersedes(membership: Membership, subscription: Mapping) -> bool:
    """Should this subscription's state replace what the membership holds?

    A member who rejoined has a new subscription; a late event about their old, finished
    one must not overwrite it.
    """
    stored = membership.stripe_subscription_id
    if not stored or stored == subscription["id"]:
        return True
    if subscription.get("status") not in SUBSCRIPTION_FINISHED_STATUSES:
        return True
    return membership.status in SUBSCRIPTION_FINISHED_STATUSES or not membership.status


# --- Membership emails ---------------------------------------------------------------------

MEMBERSHIP_EMAIL_WELCOME = "membership-welcome"
MEMBERSHIP_EMAIL_PAYMENT_FAILED = "membership-payment-failed"
MEMBERSHIP_EMAIL_ENDED = "membership-ended"
MEMBERSHIP_EMAILS = (
    MEMBERSHIP_EMAIL_WELCOME,
    MEMBERSHIP_EMAIL_PAYMENT_FAILED,
    MEMBERSHIP_EMAIL_ENDED,
)
MEMBERSHIP_LIVE_STATUSES = frozenset(
    {Membership.Status.ACTIVE, Membership.Status.TRIALING, Membership.Status.PAST_DUE}
)
# Only a cancellation ends a membership for good; `unpaid` is still open in Stripe and
# can be brought back by paying the invoice (the payment-failed email covers it).
MEMBERSHIP_ENDED_STATUSES = frozenset({Membership.Status.CANCELED})


def _membership_email_enqueue(*, membership_id: int, kind: str) -> None:
    from . import tasks

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
        MEMBERSHIP_EMAIL_WELCOME: membership.status in GRANTING_STATUSES,
        MEMBERSHIP_EMAIL_PAYMENT_FAILED: membership.status == Membership.Status.PAST_DUE,
        MEMBERSHIP_EMAIL_ENDED: not membership_grants_premium(membership),
    }[kind]
    if not still_true:
        logger.info("Not sending %s to member %s: state moved on", kind, membership.user_id)
        return False
    user = membership.user
    email_send(
        to=user.email,
        template=kind,
        context={
            "name": user.display_name,
            "plan": membership.plan,
            "current_period_end": membership.current_period_end,
            "grace_ends": membership_grace_ends(membership),
            "account_url": _site_url(reverse("members:account")),
            "membership_url": _site_url(reverse("members:membership")),
            "program_url": _site_url(reverse("programs:overview")),
        },
    )
    return True


# --- Stripe webhook events -----------------------------------------------------------------


class StripeEventMalformed(ValueError):
    """A correctly signed body that is not an event we can store; the message says why."""


# Stripe's clock and ours may differ by a little; an event "created" further ahead than
# this is not one Stripe sent just now. Five minutes matches the SDK's signature tolerance
# (stripe.Webhook.DEFAULT_TOLERANCE).
STRIPE_EVENT_CLOCK_SKEW = dt.timedelta(minutes=5)


def stripe_event_check(*, event: Any) -> None:
    """Raise StripeEventMalformed unless `event` has the shape of a Stripe event
    (https://docs.stripe.com/api/events/object) that the database can hold.

    The signature proves who sent a body, not that it fits: an id longer than the column,
    or a NUL anywhere (PostgreSQL text and jsonb cannot hold U+0000) would fail inside
    the database instead of being refused.
    """
    if not isinstance(event, dict):
        raise StripeEventMalformed("the body is not a JSON object")
    event_id, event_type = event.get("id"), event.get("type")
    if not isinstance(event_id, str) or not event_id.startswith("evt_"):
        raise StripeEventMalformed("no evt_ id")
    if len(event_id) > StripeEvent._meta.get_field("event_id").max_length:
        raise StripeEventMalformed("the id is too long")
    if not isinstance(event_type, str) or not event_type:
        raise StripeEventMalformed("no type")
    if len(event_type) > StripeEvent._meta.get_field("type").max_length:
        raise StripeEventMalformed("the type is too long")
    if not isinstance(event.get("livemode", False), bool):
        raise StripeEventMalformed("livemode is not true or false")
    created = event.get("created")
    if not isinstance(created, int) or isinstance(created, bool):
        raise StripeEventMalformed("no created time")
    latest = (timezone.now() + STRIPE_EVENT_CLOCK_SKEW).timestamp()
    if created > latest:
        raise StripeEventMalformed("created in the future")
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise StripeEventMalformed("data.object is not an object")
    if _json_has_nul(event):
        raise StripeEventMalformed("a NUL character in the payload")


def _json_has_nul(value: Any) -> bool:
    # Iterative, so a deeply nested (but parseable) body cannot exhaust the stack.
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def stripe_event_record(*, event: Any) -> tuple[StripeEvent, bool]:
    """Store a verified webhook event once. A repeat delivery returns (existing, False).

    Raises StripeEventMalformed (and stores nothing) for a body that is not an event.
    """
    stripe_event_check(event=event)
    return StripeEvent.objects.get_or_create(
        event_id=event["id"],
        defaults={
            "type": event["type"],
            "livemode": event.get("livemode", False),
            "payload": event,
        },
    )


def stripe_event_process(*, event_id: str, force: bool = False) -> StripeEvent:
    """Act on a stored event: re-fetch what it is about from Stripe and sync.

    Already processed events are skipped unless `force` (the admin's "reprocess").
    Failures are recorded on the event rather than raised, so one bad event never
    blocks the queue; raises StripeEventDeferred (after recording) when Stripe could
    not be reached, so a worker can retry later.
    """
    event = StripeEvent.objects.get(event_id=event_id)
    if event.processed_at and not force:
        return event
    deferred = None
    try:
        _stripe_event_dispatch(event)
    except MembershipOwnerUnknown as exc:
        if exc.subscription_finished:
            logger.info("Stripe event %s (%s) ignored: %s", event.event_id, event.type, exc)
            event.error = ""
            event.processed_at = timezone.now()
        else:
            logger.warning("Stripe event %s (%s): %s", event.event_id, event.type, exc)
            event.error = str(exc)
    except _TRANSIENT_STRIPE_ERRORS as exc:
        logger.warning("Stripe unreachable while processing %s: %s", event.event_id, exc)
        event.error = f"Stripe could not be reached ({type(exc).__name__}); will retry."
        deferred = exc
    except stripe.StripeError as exc:
        logger.exception("Stripe refused a request while processing %s", event.event_id)
        event.error = f"Stripe error ({type(exc).__name__}): {exc.user_message or exc}"
    except Exception as exc:
        logger.exception("Could not process Stripe event %s", event.event_id)
        event.error = f"{type(exc).__name__}: {exc}"
    else:
        event.error = ""
        event.processed_at = timezone.now()
    event.save(update_fields=["error", "processed_at"])
    if deferred is not None:
        raise StripeEventDeferred(event.event_id) from deferred
    return event


# Events that say "this subscription may have changed"; each is answered by re-fetching
# it (https://docs.stripe.com/billing/subscriptions/webhooks).
_SUBSCRIPTION_EVENTS = frozenset(
    {
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "customer.subscription.paused",
        "customer.subscription.resumed",
    }
)
_INVOICE_EVENTS = frozenset({"invoice.paid", "invoice.payment_failed"})


def _stripe_event_dispatch(event: StripeEvent) -> None:
    obj = (event.payload.get("data") or {}).get("object") or {}
    if event.type == "checkout.session.completed":
        subscription_id = _id_of(obj.get("subscription"))
        if obj.get("mode") != "subscription" or not subscription_id:
            return
        membership_sync_from_stripe(
            subscription_id=subscription_id,
            user_id=_user_id_from(obj.get("client_reference_id")),
        )
    elif event.type in _SUBSCRIPTION_EVENTS:
        membership_sync_from_stripe(subscription_id=obj["id"])
    elif event.type in _INVOICE_EVENTS:
        subscription_id = _invoice_subscription_id(obj)
        if subscription_id:
            membership_sync_from_stripe(subscription_id=subscription_id)
    # Anything else is stored for the record and otherwise ignored.


def _invoice_subscription_id(invoice: Mapping) -> str | None:
    # Since API version 2025-03-31 an invoice names its subscription under
    # parent.subscription_details; older payloads had a top-level `subscription`.
    parent = invoice.get("parent") or {}
    details = parent.get("subscription_details") or {}
    return _id_of(details.get("subscription")) or _id_of(invoice.get("subscription"))


# --- Account -------------------------------------------------------------------------------


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
        if subscription.get("status") in SUBSCRIPTION_FINISHED_STATUSES:
            return
        client.v1.subscriptions.cancel(subscription_id)
    except stripe.StripeError as exc:
        logger.exception("Could not cancel subscription %s", subscription_id)
        raise BillingUnavailable("Stripe did not cancel the subscription.") from exc
    logger.info("Cancelled subscription %s", subscription_id)


# --- The private premium podcast feed ------------------------------------------------------


def feed_token_get_or_create(*, user: User) -> FeedToken:
    """The member's live private-feed token, made the first time they need one."""
    live = FeedToken.objects.filter(user=user, revoked_at=None).first()
    if live is not None:
        return live
    try:
        with transaction.atomic():
            return FeedToken.objects.create(user=user)
    except IntegrityError:  # made at the same moment by another request
        return FeedToken.objects.get(user=user, revoked_at=None)


def feed_token_revoke(*, feed_token: FeedToken) -> FeedToken:
    """Stop a private feed address now: it answers 410 from the next request on."""
    if feed_token.revoked_at is None:
        feed_token.revoked_at = timezone.now()
        feed_token.save(update_fields=["revoked_at"])
    return feed_token


def feed_token_reset(*, user: User) -> FeedToken:
    """Give the member a new private feed address; the old one stops at once."""
    with transaction.atomic():
        for old in FeedToken.objects.select_for_update().filter(user=user, revoked_at=None):
            feed_token_revoke(feed_token=old)
        return FeedToken.objects.create(user=user)
