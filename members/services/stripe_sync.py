"""Keeping each Membership a mirror of its Stripe subscription, and the webhook events
that say when to look again.

A webhook is only a trigger (as pretix treats it): it is verified, recorded once, and then
the subscription is fetched from Stripe and its absolute state stored, so events may come
in any order and any number of times.
"""

import datetime as dt
import logging
import math
from collections.abc import Mapping
from functools import partial
from typing import Any

import stripe
from django.db import transaction
from django.utils import timezone

from members import tasks  # a module, used at call time: the tasks call back in here
from members.models import Membership, Plan, StripeEvent, User
from members.stripe_client import stripe_client

from .membership_emails import (
    MEMBERSHIP_EMAIL_ENDED,
    MEMBERSHIP_EMAIL_PAYMENT_FAILED,
    MEMBERSHIP_EMAIL_WELCOME,
    _membership_email_enqueue,
)
from .stripe_objects import _as_dict, _from_timestamp, _id_of, _user_id_from

logger = logging.getLogger(__name__)


class MembershipOwnerUnknown(Exception):
    """A Stripe subscription that no member of ours can be matched to."""

    def __init__(self, message: str, *, subscription_finished: bool = False):
        super().__init__(message)
        # A finished subscription nobody owns (say, of a deleted account) needs no action.
        self.subscription_finished = subscription_finished


class StripeEventDeferred(Exception):
    """Stripe could not be reached while processing an event; worth trying again later."""


# Errors that say "try again shortly" rather than "this request is wrong".
_TRANSIENT_STRIPE_ERRORS = (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError)


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
                subscription_finished=status in Membership.SUBSCRIPTION_FINISHED_STATUSES,
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

        joined = (
            status in Membership.GRANTING_STATUSES
            and previous_status not in Membership.GRANTING_STATUSES
        )
        if joined and membership.welcomed_at is None:
            membership.welcomed_at = now
            emails.append(MEMBERSHIP_EMAIL_WELCOME)
        if status == Membership.Status.PAST_DUE and previous_status != Membership.Status.PAST_DUE:
            emails.append(MEMBERSHIP_EMAIL_PAYMENT_FAILED)
        if status in Membership.ENDED_STATUSES and previous_status in Membership.LIVE_STATUSES:
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
    if subscription.get("status") not in Membership.SUBSCRIPTION_FINISHED_STATUSES:
        return True
    return membership.status in Membership.SUBSCRIPTION_FINISHED_STATUSES or not membership.status


# --- Webhook events ------------------------------------------------------------------------


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
    a NUL anywhere (PostgreSQL text and jsonb cannot hold U+0000), a lone surrogate or a
    NaN or infinite number (neither is JSON, RFC 8259 §6 and §8.2, and jsonb refuses both,
    as SQLite's JSON_VALID check does) would fail inside the database instead of being
    refused.
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
    problem = _json_unstorable(event)
    if problem:
        raise StripeEventMalformed(problem)


def _json_unstorable(value: Any) -> str:
    """What in a parsed JSON value the database's JSON column cannot hold, or ""."""
    # Iterative, so a deeply nested (but parseable) body cannot exhaust the stack.
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return "a NUL character in the payload"
            if not item.isascii() and _has_lone_surrogate(item):
                return "a lone surrogate in the payload"
        elif isinstance(item, float):
            if not math.isfinite(item):
                return "a number that is NaN or infinite in the payload"
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return ""


def _has_lone_surrogate(text: str) -> bool:
    # json.loads turns "\\ud800" into a str UTF-8 cannot encode; a proper pair becomes
    # one character, so only a lone half is left to fail.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
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


def stripe_event_receive(*, event: Any) -> tuple[StripeEvent, bool]:
    """Take in a verified event: store it once and, after commit, have a worker process it.

    What the webhook view does with every correctly signed body, and where demo payments
    (demostripe) send theirs. A repeat delivery returns (existing, False) and queues
    nothing; raises StripeEventMalformed for a body that is not an event.
    """
    with transaction.atomic():
        record, created = stripe_event_record(event=event)
        if created:
            transaction.on_commit(
                partial(tasks.process_stripe_event.delay, record.event_id), robust=True
            )
    return record, created


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
